/** Prometheus text exposition of the node's figures, served at GET /metrics. */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Chain } from './chain/chain';

export function metricsRoute(chain: Chain): (req: IncomingMessage, res: ServerResponse) => void {
  return (_req, res) => {
    const s = chain.stats();
    const mem = process.memoryUsage();
    const lines = [
      '# HELP devchain_block_height Best and finalized block numbers.',
      '# TYPE devchain_block_height gauge',
      `devchain_block_height{status="best"} ${s.best}`,
      `devchain_block_height{status="finalized"} ${s.finalized}`,
      '# HELP devchain_extrinsics_total Extrinsics included in blocks since the node started (inherents included).',
      '# TYPE devchain_extrinsics_total counter',
      `devchain_extrinsics_total ${s.extrinsicsTotal}`,
      '# HELP devchain_pool_transactions Transactions waiting in the pool.',
      '# TYPE devchain_pool_transactions gauge',
      `devchain_pool_transactions ${s.poolSize}`,
      '# HELP devchain_state_keys Storage keys in the head state.',
      '# TYPE devchain_state_keys gauge',
      `devchain_state_keys ${s.stateKeys}`,
      '# HELP process_resident_memory_bytes Resident memory size in bytes.',
      '# TYPE process_resident_memory_bytes gauge',
      `process_resident_memory_bytes ${mem.rss}`,
      '# HELP nodejs_heap_used_bytes V8 heap in use.',
      '# TYPE nodejs_heap_used_bytes gauge',
      `nodejs_heap_used_bytes ${mem.heapUsed}`,
      '',
    ];
    res.writeHead(200, { 'Content-Type': 'text/plain; version=0.0.4' });
    res.end(lines.join('\n'));
  };
}
