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
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEFAULT_CHAIN_SPEC, loadChainSpec, startDevchain, type Devchain } from '@tfgrid/devchain';
import { connect, DeploymentBuilder, nodeBoxPublicKey, notaryCalls, prepareDeployment, keyFromSecret, TFT, type TfchainClient } from '@tfgrid/client';
import { Identity } from '../src';
import { freePort } from '../test/support/net';
import { answers, CLK_TCK, mb, median, p95, sampleProc, sleep, waitFor, workloadOk } from './measure';

const TERMS = { documentLink: 'https://library.threefold.me/info/legal/#/', documentHash: 'abc123' };
const MiB = 1024 ** 2;
const SETTLE_MS = 15_000;
const BIN = path.join(__dirname, '..', 'bin', 'tfgrid-agent.js');
const FIXTURE = path.join(__dirname, '..', 'test', 'fixtures', 'server');

async function main(): Promise<void> {
  const blockMs = Number(process.argv[2] ?? 6000);
  const count = Number(process.argv[3] ?? 10);
  const idleSecs = Number(process.argv[4] ?? 30);
  const base = mkdtempSync(path.join(os.tmpdir(), 'agent-bench-'));
  chmodSync(base, 0o711);
  const dataDir = path.join(base, 'data');
  const pool = path.join(base, 'pool');
  mkdirSync(pool);
  let chain: Devchain | undefined;
  let agent: ChildProcess | undefined;
  const clients: TfchainClient[] = [];
  try {
    const spec = loadChainSpec(DEFAULT_CHAIN_SPEC);
    chain = await startDevchain({ port: 0, chain: spec, blockTimeMs: blockMs });
    const url = chain.url;
    const alice = await connect({ url, secret: '//Alice' });
    const farmer = await connect({ url, secret: '//Bob' });
    const deployer = await connect({ url, secret: '//Charlie' });
    clients.push(alice, farmer, deployer);
    await Promise.all([farmer.twins.acceptTerms(TERMS), deployer.twins.acceptTerms(TERMS)]);
    await Promise.all([farmer.twins.create({ relay: null }), deployer.twins.create({ relay: null })]);
    const farmId = await farmer.farms.create({ name: 'bench_farm' });
    const twinId = (await deployer.twins.idOf(deployer.address!))!;
    const id = await Identity.load(dataDir);
    await alice.balances.transfer({ to: id.address, amount: 100n * TFT });

    const args = [BIN, '--chain-url', url, '--farm-id', String(farmId), '--data-dir', dataDir, '--storage-pool', pool, '--root', FIXTURE, '--metrics-address', '127.0.0.1:0', '--log-level', 'warn', '--workload-runtime', 'process'];
    // The node flags of the bin's shebang (as a farmer's `tfgrid-agent` runs), plus
    // BENCH_AGENT_NODE_OPTIONS (e.g. --cpu-prof).
    const shebang = readFileSync(BIN, 'utf8').split('\n')[0]!.split(/\s+/).filter((w) => w.startsWith('--'));
    const nodeFlags = [...shebang, ...(process.env.BENCH_AGENT_NODE_OPTIONS ?? '').split(' ').filter(Boolean)];
    agent = spawn(process.execPath, [...nodeFlags, ...args], { stdio: ['ignore', 'ignore', 'inherit'] });
    const pid = agent.pid!;
    const nodeId = await waitFor(async () => alice.nodes.idByTwin((await alice.twins.idOf(id.address)) ?? 0), 120_000);
    console.log(`chain: a block every ${blockMs} ms; agent pid ${pid} (node ${nodeFlags.join(' ')}) registered as node ${nodeId}`);

    // Finalization times of blocks, as this process sees them.
    const finalizedAt = new Map<number, number>();
    const unsub = await alice.api.rpc.chain.subscribeFinalizedHeads((h) => {
      const n = h.number.toNumber();
      for (let b = n; b > 0 && !finalizedAt.has(b); b--) finalizedAt.set(b, performance.now());
    });
    const boxKey = await nodeBoxPublicKey(deployer.api, nodeId);
    const pair = keyFromSecret('//Charlie');
    const toState: number[] = [];
    const toHttp: number[] = [];
    for (let i = 0; i < count; i++) {
      const port = await freePort();
      const js = `require('http').createServer((q,s)=>s.end('ok')).listen(${port},'127.0.0.1')`;
      const d = new DeploymentBuilder(twinId, nodeId)
        .metadata(`bench-${i}`)
        .vm('web', { flist: 'https://hub.grid.tf/tf-official-apps/base:latest.flist', compute_capacity: { cpu: 1, memory: 256 * MiB }, size: 8 * MiB, entrypoint: `exec ${process.execPath} -e "${js}"` })
        .build();
      const p = prepareDeployment(d, pair, boxKey);
      const r = await deployer.batch([...notaryCalls(deployer.api, p.sealed, nodeId, p.hash), deployer.api.tx.smartContractModule.createNodeContract(nodeId, p.hash, '', 0, null)]);
      const contractId = (await deployer.contracts.idByNodeAndHash(nodeId, p.hash))!;
      const stateFile = path.join(dataDir, 'workload-states', `${String(contractId).padStart(12, '0')}.json`);
      let stateOk: number | undefined;
      let httpOk: number | undefined;
      const end = performance.now() + 60_000;
      while ((stateOk === undefined || httpOk === undefined) && performance.now() < end) {
        if (stateOk === undefined && workloadOk(stateFile)) stateOk = performance.now();
        if (httpOk === undefined && (await answers(port))) httpOk = performance.now();
        if (stateOk === undefined || httpOk === undefined) await sleep(5);
      }
      const fin = finalizedAt.get(r.blockNumber!);
      if (fin === undefined || stateOk === undefined || httpOk === undefined) throw new Error(`contract ${contractId}: not running within 60 s`);
      toState.push(stateOk - fin);
      toHttp.push(httpOk - fin);
      console.log(`contract ${contractId}: finalized → state ok ${(stateOk - fin).toFixed(0)} ms, → HTTP answering ${(httpOk - fin).toFixed(0)} ms`);
    }
    unsub();

    // Idle: the workloads run, the chain seals blocks, nothing else happens (after the last
    // contract's resource report and its blocks have settled).
    await sleep(SETTLE_MS);
    const before = sampleProc(pid);
    const t0 = performance.now();
    let peak = before.rss;
    const rss: number[] = [];
    while (performance.now() - t0 < idleSecs * 1000) {
      await sleep(1000);
      const s = sampleProc(pid);
      rss.push(s.rss);
      peak = Math.max(peak, s.rss);
    }
    const after = sampleProc(pid);
    const cpuPct = ((after.cpuTicks - before.cpuTicks) / CLK_TCK / ((performance.now() - t0) / 1000)) * 100;

    console.log('');
    console.log(`finalization → workload state ok (${count} contracts): median ${median(toState).toFixed(0)} ms, p95 ${p95(toState).toFixed(0)} ms`);
    console.log(`finalization → vm HTTP answering:               median ${median(toHttp).toFixed(0)} ms, p95 ${p95(toHttp).toFixed(0)} ms`);
    console.log(`target: under one block time + 300 ms = ${blockMs + 300} ms`);
    console.log(`agent idle over ${idleSecs} s with ${count} workloads: RSS median ${mb(median(rss))} MiB, peak ${mb(peak)} MiB; CPU ${cpuPct.toFixed(2)} %`);
    console.log('targets: < 100 MB resident, < 1 % CPU idle');
  } finally {
    if (agent && agent.exitCode === null) {
      agent.kill('SIGTERM');
      await new Promise((r) => agent!.once('exit', r));
    }
    for (const c of clients) await c.disconnect().catch(() => undefined);
    await chain?.stop();
    rmSync(base, { recursive: true, force: true });
  }
}

if (process.argv[2] === 'gateway' || process.argv[2] === 'zmachine' || process.argv[2] === 'network') {
  // The gateway's, the zmachines' or the network's own benchmark (bench/<name>.ts, run through tsx like this file) takes over.
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
