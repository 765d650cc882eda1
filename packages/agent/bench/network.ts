/**
 * The network benchmark (issue 14): `npm run bench -w packages/agent -- network [--seconds 3]
 * [--rounds 3] [--count 1000] [--up-trials 3] [--planetary-mtu N]`. Between two machines on two
 * node hosts (see network-paths.ts): TCP throughput (one connection, SECONDS of 1 MiB writes) and
 * TCP round trips (COUNT 64-byte request/response pairs: median and p99), over the private
 * network, over the planetary overlay and over a plain veth; and, as the platform's ceiling, over
 * a bare wireguard-go tunnel and two bare yggdrasil daemons between two plain namespaces
 * (network-bare.ts). Each as a ratio of the veth. ROUNDS rounds, the paths interleaved in each so
 * that load from others on the machine falls on all alike; medians reported. Then the network-up
 * time without the chain (network-up.ts); through the chain and real agents it is localgrid's
 * benchmark (`npm run bench -w packages/localgrid -- network-up`). Needs root, wireguard-go or
 * kernel WireGuard, wireguard-tools, yggdrasil, busybox (scripts/install-system-packages.sh).
 */
import { execFile, execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import pino from 'pino';
import { hasKernelWireguard, raiseUdpBuffers, USERSPACE_TXQUEUELEN } from '../src/network';
import { CLK_TCK, median, sampleProc, sleep } from './measure';
import { buildPaths, type Paths } from './network-paths';
import { buildBarePaths, type BarePaths } from './network-bare';
import { measureNetworkUp } from './network-up';

const PROBE = path.join(__dirname, 'network-probe.ts');
const TSX = pathToFileURL(require.resolve('tsx')).href;
const PORT = 5201;
const PATHS = ['veth', 'private', 'private-q500', 'planetary', 'bare-wireguard', 'bare-yggdrasil'] as const;
type PathName = (typeof PATHS)[number];
const TARGETS: Partial<Record<PathName, number>> = { private: 0.5, planetary: 0.3 };
const LABEL: Record<PathName, string> = {
  veth: 'veth',
  private: 'private',
  'private-q500': 'private, queue 500',
  planetary: 'planetary',
  'bare-wireguard': 'bare wireguard-go',
  'bare-yggdrasil': 'bare yggdrasil',
};
const DAEMON: Partial<Record<PathName, string>> = {
  private: 'wireguard-go',
  'private-q500': 'wireguard-go',
  planetary: 'yggdrasil',
  'bare-wireguard': 'wireguard-go',
  'bare-yggdrasil': 'yggdrasil',
};

/** Where a path's probe runs and what it carries. */
interface Route {
  client: string;
  target: string;
  pids(): number[];
  /** Set up before the path's runs and undone after (the kernel's default TUN queue, for comparison). */
  around?: (phase: 'before' | 'after') => void;
}

/** The private network's wireguard-go TUN queue on both hosts. */
const setQueue = (p: Paths, len: number): void => {
  for (const [ns, wg] of p.wgLinks) execFileSync('ip', ['-n', ns, 'link', 'set', wg, 'txqueuelen', String(len)]);
};

/** The kernel's default txqueuelen, which the agent raised for wireguard-go (src/network/wireguard.ts). */
const KERNEL_TXQUEUELEN = 500;

function routes(p: Paths, bare: BarePaths): Record<PathName, Route> {
  const m = (name: 'veth' | 'private' | 'planetary'): Route => ({
    client: p.machines[0],
    target: p.target[name],
    pids: () => (name === 'veth' ? [] : p.daemonPids(name)),
  });
  return {
    veth: m('veth'),
    private: m('private'),
    'private-q500': { ...m('private'), around: (phase) => setQueue(p, phase === 'before' ? KERNEL_TXQUEUELEN : USERSPACE_TXQUEUELEN) },
    planetary: m('planetary'),
    'bare-wireguard': { client: bare.ns[0], target: bare.target.wireguard, pids: () => bare.daemonPids('wireguard') },
    'bare-yggdrasil': { client: bare.ns[0], target: bare.target.yggdrasil, pids: () => bare.daemonPids('yggdrasil') },
  };
}

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
async function waitReachable(r: Record<PathName, Route>): Promise<void> {
  for (const name of PATHS) {
    const end = Date.now() + 30_000;
    for (;;) {
      try {
        await probe(r[name].client, ['latency', r[name].target, String(PORT), '1'], 10_000);
        break;
      } catch (e) {
        if (Date.now() > end) throw new Error(`${name} path to ${r[name].target} never carried TCP: ${(e as Error).message}`, { cause: e });
        await sleep(500);
      }
    }
  }
}

function machineLine(): string {
  const cpu = /model name\s*:\s*(.*)/.exec(readFileSync('/proc/cpuinfo', 'utf8'))?.[1] ?? 'unknown CPU';
  return `${os.cpus().length} × ${cpu}, Linux ${os.release()}`;
}

const loadLine = (): string =>
  os
    .loadavg()
    .map((l) => l.toFixed(1))
    .join(' / ');
const pkgVersion = (p: string): string => {
  try {
    return execFileSync('dpkg-query', ['-W', '-f=${Version}', p], { encoding: 'utf8' });
  } catch {
    return 'unknown';
  }
};

const perPath = (): Record<PathName, number[]> => ({
  veth: [],
  private: [],
  'private-q500': [],
  planetary: [],
  'bare-wireguard': [],
  'bare-yggdrasil': [],
});

export async function runNetworkBench(o: {
  seconds: number;
  rounds: number;
  count: number;
  upTrials: number;
  planetaryMtu?: number;
}): Promise<void> {
  const tag = `nb${process.pid % 10000}`;
  const logger = pino({ level: 'error' });
  const wireguard = (await hasKernelWireguard())
    ? 'kernel WireGuard'
    : `wireguard-go ${pkgVersion('wireguard-go')} (userspace: this kernel has no WireGuard module)`;
  console.log(`machine: ${machineLine()}; load average (1/5/15 min) at start ${loadLine()}`);
  console.log(`private network: ${wireguard}; planetary: Yggdrasil ${pkgVersion('yggdrasil')}`);
  // What every wireguard-go here gets (the agent raises it before starting one; the bare ones inherit it).
  const buffers = raiseUdpBuffers();
  console.log(
    `UDP socket buffers by default (net.core.rmem_default, wmem_default): ${buffers.bytes / 1024} KiB${buffers.raised ? ' (raised just now)' : ''}`,
  );
  const mbit = perPath();
  const rttMedian = perPath();
  const rttP99 = perPath();
  /** CPU of the path's two daemons while it carried the throughput run, in cores. */
  const cpuShare = perPath();
  let up: Awaited<ReturnType<typeof measureNetworkUp>>;
  const servers: ChildProcess[] = [];
  let p: Paths | undefined;
  let bare: BarePaths | undefined;
  const close = async (): Promise<void> => {
    for (const s of servers.splice(0)) await stopServer(s);
    await p?.close();
    await bare?.close();
  };
  // Ctrl-C still removes the namespaces, interfaces and daemons.
  const interrupted = (): void => void close().then(() => process.exit(130));
  process.once('SIGINT', interrupted);
  process.once('SIGTERM', interrupted);
  try {
    p = await buildPaths(tag, logger, o.planetaryMtu);
    bare = await buildBarePaths(tag);
    servers.push(await startServer(p.machines[1]), await startServer(bare.ns[1]));
    const r = routes(p, bare);
    await waitReachable(r);
    for (let round = 0; round < o.rounds; round++) {
      for (const name of PATHS) {
        const pids = r[name].pids();
        r[name].around?.('before');
        let t: { mbitPerS: number; seconds: number };
        let l: { medianMs: number; p99Ms: number };
        let daemonCpu: number;
        try {
          const cpu0 = cpuSeconds(pids);
          t = await probe(r[name].client, ['throughput', r[name].target, String(PORT), String(o.seconds)], o.seconds * 1000 + 60_000);
          daemonCpu = (cpuSeconds(pids) - cpu0) / t.seconds;
          l = await probe(r[name].client, ['latency', r[name].target, String(PORT), String(o.count)], 120_000);
        } finally {
          r[name].around?.('after');
        }
        mbit[name].push(t.mbitPerS);
        rttMedian[name].push(l.medianMs);
        rttP99[name].push(l.p99Ms);
        cpuShare[name].push(daemonCpu);
        const daemons = DAEMON[name] ? `  (${DAEMON[name]} ×2 used ${(daemonCpu * 100).toFixed(0)} % of a core)` : '';
        console.log(
          `round ${round + 1} ${LABEL[name].padEnd(17)} ${t.mbitPerS.toFixed(0).padStart(6)} Mbit/s  rtt median ${l.medianMs.toFixed(3)} ms  p99 ${l.p99Ms.toFixed(3)} ms${daemons}`,
        );
      }
    }
    up = await measureNetworkUp(p, tag, o.upTrials);
  } finally {
    await close();
    process.off('SIGINT', interrupted);
    process.off('SIGTERM', interrupted);
  }
  console.log('');
  console.log(
    `medians of ${o.rounds} rounds (${o.seconds} s of throughput, ${o.count} round trips each); load average at end ${loadLine()}`,
  );
  const ref = { mbit: median(mbit.veth), rtt: median(rttMedian.veth) };
  for (const name of PATHS) {
    const m = median(mbit[name]);
    const ratio = m / ref.mbit;
    const goal = TARGETS[name];
    const target = goal === undefined ? '' : `  (target ≥ ${goal * 100} %: ${ratio >= goal ? 'met' : 'NOT met'})`;
    const cpu = DAEMON[name] ? `; daemons ${(median(cpuShare[name]) * 100).toFixed(0)} % of a core` : '';
    console.log(
      `${LABEL[name].padEnd(17)} ${m.toFixed(0).padStart(6)} Mbit/s = ${(ratio * 100).toFixed(0).padStart(3)} % of veth${target}; rtt median ${median(rttMedian[name]).toFixed(3)} ms (×${(median(rttMedian[name]) / ref.rtt).toFixed(1)}), p99 ${median(rttP99[name]).toFixed(3)} ms${cpu}`,
    );
  }
  const ofBare = (a: PathName, b: PathName): string => `${((median(mbit[a]) / median(mbit[b])) * 100).toFixed(0)} %`;
  console.log(
    `against the ceiling: private = ${ofBare('private', 'bare-wireguard')} of bare wireguard-go, planetary = ${ofBare('planetary', 'bare-yggdrasil')} of bare yggdrasil`,
  );
  const fmt = (a: number[]): string => a.map((x) => x.toFixed(0)).join(', ');
  console.log(
    `network up (not through the chain): ensure()+attach() on both hosts median ${median(up.map((u) => u.readyMs)).toFixed(0)} ms [${fmt(up.map((u) => u.readyMs))}], first ping median ${median(up.map((u) => u.upMs)).toFixed(0)} ms [${fmt(up.map((u) => u.upMs))}] (target < 3000 ms)`,
  );
}

// Run directly, or required by bench/agent.ts for `npm run bench -w packages/agent -- network`.
if (require.main === module || process.argv[2] === 'network') {
  const { values } = parseArgs({
    options: {
      seconds: { type: 'string' },
      rounds: { type: 'string' },
      count: { type: 'string' },
      'up-trials': { type: 'string' },
      'planetary-mtu': { type: 'string' },
    },
    allowPositionals: true,
  });
  runNetworkBench({
    seconds: Number(values.seconds ?? 3),
    rounds: Number(values.rounds ?? 3),
    count: Number(values.count ?? 1000),
    upTrials: Number(values['up-trials'] ?? 3),
    ...(values['planetary-mtu'] ? { planetaryMtu: Number(values['planetary-mtu']) } : {}),
  }).then(
    () => process.exit(0),
    (e: unknown) => {
      console.error(e);
      process.exit(1);
    },
  );
}
