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
 * Needs root, runc, busybox-static, e2fsprogs (scripts/install-system-packages.sh). Chain, farm,
 * agent process and teardown: bench/grid.ts, shared with bench/agent.ts.
 */
import { execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { createReadStream, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import pino from 'pino';
import { DeploymentBuilder, type ImageRef } from '@tfgrid/client';
import { RuncRuntime } from '../src/workloads';
import { buildBusyboxImage, ImageStore } from '../src/workloads/images';
import { freePort } from '../test/support/net';
import { BenchGrid, followFinalized, idleUsage, MiB, waitRunning } from './grid';
import { answers, mb, median, p95, sampleProc } from './measure';

const BRIDGE = 'tfzbench0';
const SUBNET = '10.249.240.0/24';

async function main(): Promise<void> {
  const args = process.argv.slice(process.argv.indexOf('zmachine') + 1);
  const blockMs = Number(args[0] ?? 6000);
  const count = Number(args[1] ?? 5);
  const idleSecs = Number(args[2] ?? 30);
  const grid = new BenchGrid('zmachine-bench');
  const dataDir = grid.dataDir;
  let server: http.Server | undefined;
  try {
    const { image, file } = await paddedImage(grid.base, 10 * MiB);
    server = http.createServer((_q, s) => (s.setHeader('content-length', statSync(file).size), createReadStream(file).pipe(s)));
    const port = await freePort();
    await new Promise<void>((r) => server!.listen(port, '127.0.0.1', r));
    const ref: ImageRef = { url: `http://127.0.0.1:${port}/image.tar.gz`, sha256: image.sha256 };
    console.log(`image: ${mb(image.bytes)} MiB tar.gz`);

    await grid.startChain(blockMs, 'zmachine_bench');
    const { deployer, twinId } = grid.chain;
    const { pid, nodeId } = await grid.startAgent(['--workload-runtime', 'runc', '--workload-bridge', BRIDGE, '--workload-subnet', SUBNET]);
    console.log(`chain: a block every ${blockMs} ms; agent pid ${pid} registered as node ${nodeId}`);

    const finalized = await followFinalized(grid.chain.alice);
    const toState: number[] = [];
    const toHttp: number[] = [];
    const rssNoMachine = sampleProc(pid).rss;
    let rssFirst = 0;
    for (let i = 0; i < count; i++) {
      const d = new DeploymentBuilder(twinId, nodeId)
        .metadata(`bench-${i}`)
        .zmachine('web', {
          image: ref,
          size: 64 * MiB,
          compute_capacity: { cpu: 1, memory: 256 * MiB },
          entrypoint: 'mkdir -p /www; exec httpd -f -p 80 -h /www',
        })
        .build();
      const { contractId, blockNumber } = await deployer.deployments.create(d);
      const stateFile = grid.stateFile(contractId);
      const httpd = async (): Promise<boolean> => {
        const ip = nodeLocal(stateFile);
        return ip !== undefined && (await answers(80, ip));
      };
      const run = await waitRunning(stateFile, httpd, { timeoutMs: 120_000, afterOk: true });
      const fin = blockNumber !== undefined ? finalized.at(blockNumber) : undefined;
      if (fin === undefined || run === undefined) throw new Error(`contract ${contractId}: not running within 120 s`);
      toState.push(run.stateOk - fin);
      toHttp.push(run.answering - fin);
      if (i === 0) rssFirst = sampleProc(pid).rss;
      console.log(
        `contract ${contractId} (${i === 0 ? 'image not cached' : 'image cached'}): finalized → state ok ${(run.stateOk - fin).toFixed(0)} ms, → httpd answering ${(run.answering - fin).toFixed(0)} ms`,
      );
    }
    finalized.stop();

    const idle = await idleUsage(pid, idleSecs);
    const cached = toState.slice(1);
    console.log('');
    console.log(
      `finalization → zmachine ok, image not cached (${mb(image.bytes)} MiB): ${toState[0]!.toFixed(0)} ms (httpd ${toHttp[0]!.toFixed(0)} ms)`,
    );
    if (cached.length)
      console.log(
        `finalization → zmachine ok, image cached (${cached.length}): median ${median(cached).toFixed(0)} ms, p95 ${p95(cached).toFixed(0)} ms (httpd median ${median(toHttp.slice(1)).toFixed(0)} ms)`,
      );
    console.log(`target: cached start under one block time + 1 s = ${blockMs + 1000} ms`);
    console.log(
      `agent idle over ${idleSecs} s with ${count} zmachines: RSS median ${mb(idle.rssMedian)} MiB, peak ${mb(idle.rssPeak)} MiB; CPU ${idle.cpuPct.toFixed(2)} %`,
    );
    console.log(`agent RSS registered with no machine ${mb(rssNoMachine)} MiB; after the first (uncached) machine ${mb(rssFirst)} MiB`);
    console.log('targets: < 100 MiB resident, < 1 % CPU idle');
  } finally {
    await grid.stopAgent();
    // What the stopped agent keeps for a restart (namespaces, addresses, layers) goes too.
    const leftovers = new RuncRuntime({
      dataDir,
      logger: pino({ level: 'silent' }),
      images: new ImageStore({ dir: path.join(dataDir, 'images'), logger: pino({ level: 'silent' }) }),
      bridge: BRIDGE,
      subnet: SUBNET,
    });
    await leftovers.prune(new Set());
    await leftovers.close();
    try {
      execFileSync('ip', ['link', 'del', BRIDGE], { stdio: 'ignore' });
    } catch {
      // never made
    }
    server?.close();
    await grid.close();
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
