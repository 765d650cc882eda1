/**
 * The agent's benchmark: `npm run bench -w packages/agent [-- BLOCK_MS CONTRACTS IDLE_SECS]`
 * (defaults 6000 10 30; `-- gateway` runs bench/gateway.ts, `-- zmachine` bench/zmachine.ts,
 * `-- network` bench/network.ts instead).
 * A dev chain sealing a block every BLOCK_MS runs in this process; the agent runs as its own
 * process (bin/tfgrid-agent.js, as a farmer starts it) on fixture hardware. Measured:
 *  - time from a contract's finalization (the finalized head reaching its block, seen by this
 *    process's subscription) to its workload running: the state `ok` on disk, and the vm's HTTP
 *    server answering — CONTRACTS contracts one after the other, median and p95;
 *  - the agent's resident memory and CPU over IDLE_SECS with those workloads running and the chain
 *    producing blocks (/proc/<pid>/status VmRSS, /proc/<pid>/stat utime+stime).
 * Chain, farm, agent process and teardown: bench/grid.ts, shared with bench/zmachine.ts.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { DeploymentBuilder } from '@tfgrid/client';
import { freePort } from '../test/support/net';
import { BenchGrid, followFinalized, idleUsage, MiB, waitRunning } from './grid';
import { answers, mb, median, p95 } from './measure';

async function main(): Promise<void> {
  const blockMs = Number(process.argv[2] ?? 6000);
  const count = Number(process.argv[3] ?? 10);
  const idleSecs = Number(process.argv[4] ?? 30);
  const grid = new BenchGrid('agent-bench');
  const pool = path.join(grid.base, 'pool');
  mkdirSync(pool);
  try {
    await grid.startChain(blockMs, 'bench_farm');
    const { deployer, twinId } = grid.chain;
    const { pid, nodeId, nodeFlags } = await grid.startAgent(['--storage-pool', pool, '--workload-runtime', 'process']);
    console.log(`chain: a block every ${blockMs} ms; agent pid ${pid} (node ${nodeFlags.join(' ')}) registered as node ${nodeId}`);

    const finalized = await followFinalized(grid.chain.alice);
    const toState: number[] = [];
    const toHttp: number[] = [];
    for (let i = 0; i < count; i++) {
      const port = await freePort();
      const js = `require('http').createServer((q,s)=>s.end('ok')).listen(${port},'127.0.0.1')`;
      const d = new DeploymentBuilder(twinId, nodeId)
        .metadata(`bench-${i}`)
        .vm('web', {
          flist: 'https://hub.grid.tf/tf-official-apps/base:latest.flist',
          compute_capacity: { cpu: 1, memory: 256 * MiB },
          size: 8 * MiB,
          entrypoint: `exec ${process.execPath} -e "${js}"`,
        })
        .build();
      const { contractId, blockNumber } = await deployer.deployments.create(d);
      const run = await waitRunning(grid.stateFile(contractId), () => answers(port), { timeoutMs: 60_000 });
      const fin = blockNumber !== undefined ? finalized.at(blockNumber) : undefined;
      if (fin === undefined || run === undefined) throw new Error(`contract ${contractId}: not running within 60 s`);
      toState.push(run.stateOk - fin);
      toHttp.push(run.answering - fin);
      console.log(
        `contract ${contractId}: finalized → state ok ${(run.stateOk - fin).toFixed(0)} ms, → HTTP answering ${(run.answering - fin).toFixed(0)} ms`,
      );
    }
    finalized.stop();

    // Idle: the workloads run, the chain seals blocks, nothing else happens.
    const idle = await idleUsage(pid, idleSecs);
    console.log('');
    console.log(
      `finalization → workload state ok (${count} contracts): median ${median(toState).toFixed(0)} ms, p95 ${p95(toState).toFixed(0)} ms`,
    );
    console.log(`finalization → vm HTTP answering:               median ${median(toHttp).toFixed(0)} ms, p95 ${p95(toHttp).toFixed(0)} ms`);
    console.log(`target: under one block time + 300 ms = ${blockMs + 300} ms`);
    console.log(
      `agent idle over ${idleSecs} s with ${count} workloads: RSS median ${mb(idle.rssMedian)} MiB, peak ${mb(idle.rssPeak)} MiB; CPU ${idle.cpuPct.toFixed(2)} %`,
    );
    console.log('targets: < 100 MB resident, < 1 % CPU idle');
  } finally {
    await grid.close();
  }
}

if (process.argv[2] === 'gateway' || process.argv[2] === 'zmachine' || process.argv[2] === 'network') {
  // The gateway's, the zmachines' or the network's own benchmark (bench/<name>.ts, run through tsx like this file) takes over.
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- loaded only when asked for, so the other benchmarks do not load it
  require(path.join(__dirname, `${process.argv[2]}.ts`));
} else {
  main().then(
    () => process.exit(0),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
