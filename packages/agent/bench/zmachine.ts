/**
 * The zmachine benchmark: `npm run bench -w packages/agent -- zmachine [BLOCK_MS MACHINES IDLE_SECS]`
 * (defaults 6000 5 30). A dev chain sealing a block every BLOCK_MS runs in this process; the agent
 * runs as its own process (bin/tfgrid-agent.js) with the runc runtime, on fixture hardware; a
 * loopback server serves a ~10 MB image (Debian's busybox plus 10 MB of random bytes, so gzip
 * cannot shrink it). Measured:
 *  - contract finalized → zmachine running (state ok on disk; httpd answering on its node-local
 *    address): the first machine with the image not cached (download, hash, unpack), the others
 *    with it cached — median and p95;
 *  - the agent's resident memory and CPU over IDLE_SECS with the MACHINES zmachines running, and
 *    its resident memory registered with no machine and after the first (uncached) one.
 * Needs root, runc, busybox-static, e2fsprogs (scripts/install-system-packages.sh).
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { chmodSync, createReadStream, mkdirSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { DEFAULT_CHAIN_SPEC, loadChainSpec, startDevchain, type Devchain } from '@tfgrid/devchain';
import { connect, DeploymentBuilder, TFT, type ImageRef, type TfchainClient } from '@tfgrid/client';
import { Identity } from '../src';
import { RuncRuntime } from '../src/workloads';
import { buildBusyboxImage, ImageStore } from '../src/workloads/images';
import { freePort } from '../test/support/net';
import { answers, CLK_TCK, mb, median, p95, sampleProc, sleep, waitFor, workloadOk } from './measure';

const TERMS = { documentLink: 'https://library.threefold.me/info/legal/#/', documentHash: 'abc123' };
const MiB = 1024 ** 2;
const SETTLE_MS = 15_000;
const BIN = path.join(__dirname, '..', 'bin', 'tfgrid-agent.js');
const FIXTURE = path.join(__dirname, '..', 'test', 'fixtures', 'server');
const BRIDGE = 'tfzbench0';
const SUBNET = '10.249.240.0/24';

async function main(): Promise<void> {
  const args = process.argv.slice(process.argv.indexOf('zmachine') + 1);
  const blockMs = Number(args[0] ?? 6000);
  const count = Number(args[1] ?? 5);
  const idleSecs = Number(args[2] ?? 30);
  const base = mkdtempSync(path.join(os.tmpdir(), 'zmachine-bench-'));
  chmodSync(base, 0o711);
  const dataDir = path.join(base, 'data');
  let chain: Devchain | undefined;
  let agent: ChildProcess | undefined;
  let server: http.Server | undefined;
  const clients: TfchainClient[] = [];
  try {
    const { image, file } = await paddedImage(base, 10 * MiB);
    server = http.createServer((_q, s) => (s.setHeader('content-length', statSync(file).size), createReadStream(file).pipe(s)));
    const port = await freePort();
    await new Promise<void>((r) => server!.listen(port, '127.0.0.1', r));
    const ref: ImageRef = { url: `http://127.0.0.1:${port}/image.tar.gz`, sha256: image.sha256 };
    console.log(`image: ${mb(image.bytes)} MiB tar.gz`);

    chain = await startDevchain({ port: 0, chain: loadChainSpec(DEFAULT_CHAIN_SPEC), blockTimeMs: blockMs });
    const url = chain.url;
    const alice = await connect({ url, secret: '//Alice' });
    const farmer = await connect({ url, secret: '//Bob' });
    const deployer = await connect({ url, secret: '//Charlie' });
    clients.push(alice, farmer, deployer);
    await Promise.all([farmer.twins.acceptTerms(TERMS), deployer.twins.acceptTerms(TERMS)]);
    await Promise.all([farmer.twins.create({ relay: null }), deployer.twins.create({ relay: null })]);
    const farmId = await farmer.farms.create({ name: 'zmachine_bench' });
    const twinId = (await deployer.twins.idOf(deployer.address!))!;
    const id = await Identity.load(dataDir);
    await alice.balances.transfer({ to: id.address, amount: 100n * TFT });

    const argv = [BIN, '--chain-url', url, '--farm-id', String(farmId), '--data-dir', dataDir, '--root', FIXTURE, '--metrics-address', '127.0.0.1:0', '--log-level', 'warn'];
    argv.push('--workload-runtime', 'runc', '--workload-bridge', BRIDGE, '--workload-subnet', SUBNET);
    // The node flags of the bin's shebang, as a farmer's `tfgrid-agent` runs.
    const shebang = readFileSync(BIN, 'utf8').split('\n')[0]!.split(/\s+/).filter((w) => w.startsWith('--'));
    agent = spawn(process.execPath, [...shebang, ...argv], { stdio: ['ignore', 'ignore', 'inherit'] });
    const pid = agent.pid!;
    const nodeId = await waitFor(async () => alice.nodes.idByTwin((await alice.twins.idOf(id.address)) ?? 0), 120_000);
    console.log(`chain: a block every ${blockMs} ms; agent pid ${pid} registered as node ${nodeId}`);

    const finalizedAt = new Map<number, number>();
    const unsub = await alice.api.rpc.chain.subscribeFinalizedHeads((h) => {
      const n = h.number.toNumber();
      for (let b = n; b > 0 && !finalizedAt.has(b); b--) finalizedAt.set(b, performance.now());
    });
    const toState: number[] = [];
    const toHttp: number[] = [];
    const rssNoMachine = sampleProc(pid).rss;
    let rssFirst = 0;
    for (let i = 0; i < count; i++) {
      const d = new DeploymentBuilder(twinId, nodeId)
        .metadata(`bench-${i}`)
        .zmachine('web', { image: ref, size: 64 * MiB, compute_capacity: { cpu: 1, memory: 256 * MiB }, entrypoint: 'mkdir -p /www; exec httpd -f -p 80 -h /www' })
        .build();
      const created = await deployer.deployments.create(d);
      const contractId = created.contractId;
      const stateFile = path.join(dataDir, 'workload-states', `${String(contractId).padStart(12, '0')}.json`);
      let stateOk: number | undefined;
      let httpOk: number | undefined;
      const end = performance.now() + 120_000;
      while ((stateOk === undefined || httpOk === undefined) && performance.now() < end) {
        if (stateOk === undefined && workloadOk(stateFile)) stateOk = performance.now();
        const ip = stateOk !== undefined ? nodeLocal(stateFile) : undefined;
        if (ip && httpOk === undefined && (await answers(80, ip))) httpOk = performance.now();
        if (stateOk === undefined || httpOk === undefined) await sleep(5);
      }
      const fin = created.blockNumber !== undefined ? finalizedAt.get(created.blockNumber) : undefined;
      if (fin === undefined || stateOk === undefined || httpOk === undefined) throw new Error(`contract ${contractId}: not running within 120 s`);
      toState.push(stateOk - fin);
      toHttp.push(httpOk - fin);
      if (i === 0) rssFirst = sampleProc(pid).rss;
      console.log(`contract ${contractId} (${i === 0 ? 'image not cached' : 'image cached'}): finalized → state ok ${(stateOk - fin).toFixed(0)} ms, → httpd answering ${(httpOk - fin).toFixed(0)} ms`);
    }
    unsub();

    await sleep(SETTLE_MS);
    const before = sampleProc(pid);
    const t0 = performance.now();
    const rss: number[] = [];
    let peak = before.rss;
    while (performance.now() - t0 < idleSecs * 1000) {
      await sleep(1000);
      const s = sampleProc(pid);
      rss.push(s.rss);
      peak = Math.max(peak, s.rss);
    }
    const after = sampleProc(pid);
    const cpuPct = ((after.cpuTicks - before.cpuTicks) / CLK_TCK / ((performance.now() - t0) / 1000)) * 100;
    const cached = toState.slice(1);
    console.log('');
    console.log(`finalization → zmachine ok, image not cached (${mb(image.bytes)} MiB): ${toState[0]!.toFixed(0)} ms (httpd ${toHttp[0]!.toFixed(0)} ms)`);
    if (cached.length) console.log(`finalization → zmachine ok, image cached (${cached.length}): median ${median(cached).toFixed(0)} ms, p95 ${p95(cached).toFixed(0)} ms (httpd median ${median(toHttp.slice(1)).toFixed(0)} ms)`);
    console.log(`target: cached start under one block time + 1 s = ${blockMs + 1000} ms`);
    console.log(`agent idle over ${idleSecs} s with ${count} zmachines: RSS median ${mb(median(rss))} MiB, peak ${mb(peak)} MiB; CPU ${cpuPct.toFixed(2)} %`);
    console.log(`agent RSS registered with no machine ${mb(rssNoMachine)} MiB; after the first (uncached) machine ${mb(rssFirst)} MiB`);
    console.log('targets: < 100 MiB resident, < 1 % CPU idle');
  } finally {
    if (agent && agent.exitCode === null) {
      agent.kill('SIGTERM');
      await new Promise((r) => agent!.once('exit', r));
    }
    // What the stopped agent keeps for a restart (namespaces, addresses, layers) goes too.
    const leftovers = new RuncRuntime({ dataDir, logger: pino({ level: 'silent' }), images: new ImageStore({ dir: path.join(dataDir, 'images'), logger: pino({ level: 'silent' }) }), bridge: BRIDGE, subnet: SUBNET });
    await leftovers.prune(new Set());
    await leftovers.close();
    try {
      execFileSync('ip', ['link', 'del', BRIDGE], { stdio: 'ignore' });
    } catch {
      // never made
    }
    server?.close();
    for (const c of clients) await c.disconnect().catch(() => undefined);
    await chain?.stop();
    rmSync(base, { recursive: true, force: true });
  }
}

/** The busybox image plus `padBytes` of random data (incompressible), as a tar.gz. */
async function paddedImage(dir: string, padBytes: number): Promise<{ image: { sha256: string; bytes: number }; file: string }> {
  const small = path.join(dir, 'busybox.tar.gz');
  await buildBusyboxImage(small);
  const stage = path.join(dir, 'stage');
  mkdirSync(stage);
  execFileSync('tar', ['-xzf', small, '-C', stage]);
  writeFileSync(path.join(stage, 'pad.bin'), randomBytes(padBytes));
  const file = path.join(dir, 'image.tar.gz');
  execFileSync('tar', ['-czf', file, '-C', stage, '.']);
  rmSync(stage, { recursive: true, force: true });
  const bytes = readFileSync(file);
  return { image: { sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length }, file };
}

function nodeLocal(stateFile: string): string | undefined {
  try {
    const r = JSON.parse(readFileSync(stateFile, 'utf8')) as { states: { result?: { addresses?: { node_local?: string } } }[] };
    return r.states[0]?.result?.addresses?.node_local;
  } catch {
    return undefined;
  }
}

main().then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
