/**
 * The network benchmark (issue 14): `npm run bench -w packages/agent -- network [--seconds 3]
 * [--rounds 3] [--count 1000] [--up-trials 3] [--chain-trials 3] [--planetary-mtu N]`. Between two
 * machines on two node hosts (see network-paths.ts): TCP throughput (one connection, SECONDS of 1 MiB writes) and TCP round trips
 * (COUNT 64-byte request/response pairs: median and p99), over the private network, over the
 * planetary overlay and over a plain veth, each as a ratio of the veth. ROUNDS rounds, the paths
 * interleaved in each so that load from others on the machine falls on all three alike; medians
 * reported. Then the network-up time, without the chain (network-up.ts) and through it on a
 * two-node local grid (network-chain.ts; --chain-trials 0 skips it). Needs root, wireguard-go or kernel
 * WireGuard, wireguard-tools, yggdrasil, busybox (scripts/install-system-packages.sh).
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { hasKernelWireguard } from '../src/network';
import { CLK_TCK, median, sampleProc, sleep } from './measure';
import { buildPaths, type Paths } from './network-paths';
import { measureNetworkUpThroughChain } from './network-chain';
import { measureNetworkUp } from './network-up';

const PROBE = path.join(__dirname, 'network-probe.ts');
const TSX = pathToFileURL(require.resolve('tsx')).href;
const PORT = 5201;
const PATHS = ['veth', 'private', 'planetary'] as const;
type PathName = (typeof PATHS)[number];
const TARGETS = { private: 0.5, planetary: 0.3 } as const;

/** utime + stime of the processes, in seconds. */
const cpuSeconds = (pids: number[]): number => pids.reduce((t, pid) => t + sampleProc(pid).cpuTicks, 0) / CLK_TCK;

const probeArgv = (ns: string, args: string[]): string[] => ['netns', 'exec', ns, process.execPath, '--import', TSX, PROBE, ...args];

/** One probe run in `ns`; its JSON line. */
function probe<T>(ns: string, args: string[], timeoutMs: number): Promise<T> {
  return new Promise((resolve, reject) =>
    execFile('ip', probeArgv(ns, args), { timeout: timeoutMs, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (err) return reject(new Error(`probe ${args.join(' ')} in ${ns}: ${stderr.trim() || err.message}`));
      resolve(JSON.parse(stdout.trim().split('\n').pop()!) as T);
    }),
  );
}

function startServer(ns: string): Promise<ChildProcess> {
  return new Promise((resolve, reject) => {
    const child = spawn('ip', probeArgv(ns, ['serve', String(PORT)]), { stdio: ['ignore', 'pipe', 'inherit'] });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`probe server exited (${code})`)));
    child.stdout!.once('data', () => resolve(child));
  });
}

const stopServer = (child: ChildProcess): Promise<void> =>
  new Promise((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGTERM');
  });

/** Waits until each path carries a TCP round trip (the overlay may still be finding its route). */
async function waitReachable(p: Paths): Promise<void> {
  for (const name of PATHS) {
    const end = Date.now() + 30_000;
    for (;;) {
      try {
        await probe(p.machines[0], ['latency', p.target[name], String(PORT), '1'], 10_000);
        break;
      } catch (e) {
        if (Date.now() > end) throw new Error(`${name} path to ${p.target[name]} never carried TCP: ${(e as Error).message}`);
        await sleep(500);
      }
    }
  }
}

function machineLine(): string {
  const cpu = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? 'unknown CPU';
  return `${os.cpus().length} × ${cpu}, Linux ${os.release()}`;
}

const loadLine = (): string => os.loadavg().map((l) => l.toFixed(1)).join(' / ');
const pkgVersion = (p: string): string => {
  try {
    return execFileSync('dpkg-query', ['-W', '-f=${Version}', p], { encoding: 'utf8' });
  } catch {
    return 'unknown';
  }
};

export async function runNetworkBench(o: { seconds: number; rounds: number; count: number; upTrials: number; chainTrials: number; planetaryMtu?: number }): Promise<void> {
  const tag = `nb${process.pid % 10000}`;
  const logger = pino({ level: 'error' });
  const wireguard = (await hasKernelWireguard()) ? 'kernel WireGuard' : `wireguard-go ${pkgVersion('wireguard-go')} (userspace: this kernel has no WireGuard module)`;
  console.log(`machine: ${machineLine()}; load average (1/5/15 min) at start ${loadLine()}`);
  console.log(`private network: ${wireguard}; planetary: Yggdrasil ${pkgVersion('yggdrasil')}`);
  const mbit: Record<PathName, number[]> = { veth: [], private: [], planetary: [] };
  const rttMedian: Record<PathName, number[]> = { veth: [], private: [], planetary: [] };
  const rttP99: Record<PathName, number[]> = { veth: [], private: [], planetary: [] };
  /** CPU of the path's two daemons while it carried the throughput run, in cores. */
  const cpuShare = { private: [] as number[], planetary: [] as number[] };
  let up: Awaited<ReturnType<typeof measureNetworkUp>> = [];
  const p = await buildPaths(tag, logger, o.planetaryMtu);
  let server: ChildProcess | undefined;
  // Ctrl-C still removes the namespaces, interfaces and daemons.
  const interrupted = (): void => void (server ? stopServer(server) : Promise.resolve()).then(() => p.close()).then(() => process.exit(130));
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    server = await startServer(p.machines[1]);
    await waitReachable(p);
    for (let r = 0; r < o.rounds; r++) {
      for (const name of PATHS) {
        const pids = name === 'veth' ? [] : p.daemonPids(name);
        const cpu0 = cpuSeconds(pids);
        const t = await probe<{ mbitPerS: number; seconds: number }>(p.machines[0], ['throughput', p.target[name], String(PORT), String(o.seconds)], o.seconds * 1000 + 60_000);
        const daemonCpu = (cpuSeconds(pids) - cpu0) / t.seconds;
        const l = await probe<{ medianMs: number; p99Ms: number }>(p.machines[0], ['latency', p.target[name], String(PORT), String(o.count)], 120_000);
        mbit[name].push(t.mbitPerS);
        rttMedian[name].push(l.medianMs);
        rttP99[name].push(l.p99Ms);
        if (name !== 'veth') cpuShare[name].push(daemonCpu);
        const daemons = name === 'veth' ? '' : `  (${name === 'private' ? 'wireguard-go' : 'yggdrasil'} ×2 used ${(daemonCpu * 100).toFixed(0)} % of a core)`;
        console.log(`round ${r + 1} ${name.padEnd(9)} ${t.mbitPerS.toFixed(0).padStart(6)} Mbit/s  rtt median ${l.medianMs.toFixed(3)} ms  p99 ${l.p99Ms.toFixed(3)} ms${daemons}`);
      }
    }
    up = await measureNetworkUp(p, tag, o.upTrials);
  } finally {
    if (server) await stopServer(server);
    await p.close();
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
  }
  console.log('');
  console.log(`medians of ${o.rounds} rounds (${o.seconds} s of throughput, ${o.count} round trips each); load average at end ${loadLine()}`);
  const ref = { mbit: median(mbit.veth), rtt: median(rttMedian.veth) };
  for (const name of PATHS) {
    const m = median(mbit[name]);
    const ratio = m / ref.mbit;
    const target = name === 'veth' ? '' : `  (target ≥ ${TARGETS[name] * 100} %: ${ratio >= TARGETS[name] ? 'met' : 'NOT met'})`;
    const cpu = name === 'veth' ? '' : `; daemons ${(median(cpuShare[name]) * 100).toFixed(0)} % of a core`;
    console.log(`${name.padEnd(9)} ${m.toFixed(0).padStart(6)} Mbit/s = ${(ratio * 100).toFixed(0).padStart(3)} % of veth${target}; rtt median ${median(rttMedian[name]).toFixed(3)} ms (×${(median(rttMedian[name]) / ref.rtt).toFixed(1)}), p99 ${median(rttP99[name]).toFixed(3)} ms${cpu}`);
  }
  const fmt = (a: number[]): string => a.map((x) => x.toFixed(0)).join(', ');
  const chain = o.chainTrials > 0 ? await measureNetworkUpThroughChain(o.chainTrials) : [];
  console.log(`network up (not through the chain): ensure()+attach() on both hosts median ${median(up.map((u) => u.readyMs)).toFixed(0)} ms [${fmt(up.map((u) => u.readyMs))}], first ping median ${median(up.map((u) => u.upMs)).toFixed(0)} ms [${fmt(up.map((u) => u.upMs))}] (target < 3000 ms)`);
  if (chain.length) console.log(`network up through the chain (two agents of @tfgrid/localgrid): contracts finalized → first ping median ${median(chain).toFixed(0)} ms [${fmt(chain)}] (target < 3000 ms)`);
}

// Run directly, or required by bench/agent.ts for `npm run bench -w packages/agent -- network`.
if (require.main === module || process.argv[2] === 'network') {
  const { values } = parseArgs({ options: { seconds: { type: 'string' }, rounds: { type: 'string' }, count: { type: 'string' }, 'up-trials': { type: 'string' }, 'planetary-mtu': { type: 'string' }, 'chain-trials': { type: 'string' } }, allowPositionals: true });
  runNetworkBench({ seconds: Number(values.seconds ?? 3), rounds: Number(values.rounds ?? 3), count: Number(values.count ?? 1000), upTrials: Number(values['up-trials'] ?? 3), chainTrials: Number(values['chain-trials'] ?? 3), ...(values['planetary-mtu'] ? { planetaryMtu: Number(values['planetary-mtu']) } : {}) }).then(
    () => process.exit(0),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
