/**
 * The chain-scan baseline: the same grid put into a dev chain's storage (dev_setStorage, SCALE
 * values built from the chain's own metadata), then the /nodes question answered the way a
 * client without an indexer must: read every node, contract and contract's used resources
 * through @tfgrid/client's API (storage entries), compute free resources, filter, sort, page.
 */
import { decodeContract, decodeContractResources, decodeNode } from '@tfgrid/client';
import { startChainProcess } from './devchain-process';
import type { SyntheticGrid } from './grid';

export interface ScanResult {
  seconds: number;
  runs: number;
  matched: number;
  loadSeconds: number;
}

export async function chainScan(
  g: SyntheticGrid,
  log: (s: string) => void,
  question: { minFreeMru: number; country: string },
): Promise<ScanResult> {
  const chainProc = await startChainProcess(['--dev'], 9_700);
  const client = chainProc.client;
  try {
    const api = client.api;
    const q = api.query;
    const typeOf = (s: { creator: { meta: { type: { asMap: { value: { toNumber(): number } } } } } }) =>
      api.registry.createLookupType(s.creator.meta.type.asMap.value.toNumber());
    const nodeType = typeOf(q.tfgridModule.nodes as never);
    const contractType = typeOf(q.smartContractModule.contracts as never);
    const resType = typeOf(q.smartContractModule.nodeContractResources as never);
    const t0 = Date.now();
    const entries: [string, string][] = [];
    const flush = async () => {
      if (entries.length === 0) return;
      await api.rpc('dev_setStorage' as never, entries.splice(0) as never);
    };
    for (const n of g.nodes) {
      entries.push([q.tfgridModule.nodes.key(n.id as number), api.createType(nodeType, n).toHex()]);
      if (entries.length >= 5_000) await flush();
    }
    for (const c of g.contracts) {
      const id = c.json.contractId as number;
      entries.push([q.smartContractModule.contracts.key(id), api.createType(contractType, c.json).toHex()]);
      entries.push([
        q.smartContractModule.nodeContractResources.key(id),
        api.createType(resType, { contractId: id, used: c.used }).toHex(),
      ]);
      if (entries.length >= 5_000) await flush();
    }
    await flush();
    const loadSeconds = (Date.now() - t0) / 1000;
    log(
      `  chain storage: ${g.nodes.length} nodes, ${g.contracts.length} contracts with used resources (${loadSeconds.toFixed(0)} s to load)`,
    );

    // The question: nodes in a country with at least minFreeMru free memory, most free memory first, first page of 50.
    const ask = async (): Promise<number> => {
      const [nodes, contracts, used] = await Promise.all([
        q.tfgridModule.nodes.entries(),
        q.smartContractModule.contracts.entries(),
        q.smartContractModule.nodeContractResources.entries(),
      ]);
      const usedBy = new Map<number, number>();
      const nodeOf = new Map<number, number>();
      for (const [, v] of contracts) {
        const c = decodeContract(v.toJSON());
        if (c.type.kind === 'node') nodeOf.set(c.id, c.type.nodeId);
      }
      for (const [, v] of used) {
        const r = decodeContractResources(v.toJSON());
        const n = nodeOf.get(r.contractId);
        if (n !== undefined) usedBy.set(n, (usedBy.get(n) ?? 0) + r.used.mru);
      }
      const hits: { id: number; free: number }[] = [];
      for (const [, v] of nodes) {
        const n = decodeNode(v.toJSON());
        const free = Math.max(0, n.resources.mru - (usedBy.get(n.id) ?? 0));
        if (n.location.country === question.country && free >= question.minFreeMru) hits.push({ id: n.id, free });
      }
      hits.sort((a, b) => b.free - a.free || a.id - b.id);
      return hits.slice(0, 50).length && hits.length;
    };
    const runs = 1;
    let matched = 0;
    const t1 = Date.now();
    for (let i = 0; i < runs; i++) matched = await ask();
    const seconds = (Date.now() - t1) / 1000 / runs;
    return { seconds, runs, matched, loadSeconds };
  } finally {
    await chainProc.stop();
  }
}
