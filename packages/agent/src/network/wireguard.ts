/**
 * A WireGuard interface living in a network namespace while its UDP socket stays in the node's
 * own namespace (Zero-OS's layout): the interface is made in the agent's namespace — by the kernel
 * where it has WireGuard, else by wireguard-go — then moved into the network's namespace. The
 * encrypted side is then reachable on the node's address; the clear side only inside the network.
 * wireguard-go runs detached, so traffic keeps flowing while the agent restarts.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { sleep } from '../core/backoff';
import { findMarked, isAlive, MARKER_VAR, signal } from '../core/proc';
import { NetworkError } from './errors';
import { inNs, ipIn, net, tryNet } from './run';

export interface WireguardPeerSpec {
  publicKey: string;
  allowedIps: string[];
  /** host:port, or '' for a peer that dials in. */
  endpoint: string;
}

export interface WireguardSpec {
  privateKey: string;
  listenPort: number;
  peers: WireguardPeerSpec[];
}

/** Peers behind NAT keep their mapping open with this. */
const KEEPALIVE_S = 25;
const SOCKET_DIR = '/var/run/wireguard';

/**
 * The receive/send buffer a UDP socket gets by default (net.core.[rw]mem_default). wireguard-go
 * of Debian 12 (0.0.20220316) never sizes its socket, so it gets the kernel's 208 KiB: a burst from
 * the peer overflows it (UdpRcvbufErrors by the tens of thousands a second), TCP inside the tunnel
 * sees loss and backs off. With 4 MiB no datagram is dropped and a tunnel carries 1.5-1.8× more
 * (README "Network benchmark"); newer wireguard-go sets 7 MiB on its own socket for this reason.
 */
export const USERSPACE_UDP_BUFFER = 4 * 1024 * 1024;
const BUFFER_SYSCTLS = ['/proc/sys/net/core/rmem_default', '/proc/sys/net/core/wmem_default'];

/**
 * Raises the default UDP socket buffers to USERSPACE_UDP_BUFFER (never lowers them) before a
 * wireguard-go opens its socket. The setting is the machine's (only the initial namespace may
 * write it), it is a limit rather than an allocation, and kernel WireGuard does not need it.
 * Where it cannot be written (the agent in a namespace of its own) the tunnel still works, slower.
 */
export function raiseUdpBuffers(): { bytes: number; raised: boolean } {
  let raised = false;
  let bytes = Infinity;
  for (const f of BUFFER_SYSCTLS) {
    let now: number;
    try {
      now = Number(readFileSync(f, 'utf8').trim());
    } catch {
      return { bytes: 0, raised }; // no /proc/sys: nothing to tune
    }
    if (now < USERSPACE_UDP_BUFFER) {
      try {
        writeFileSync(f, String(USERSPACE_UDP_BUFFER));
        now = USERSPACE_UDP_BUFFER;
        raised = true;
      } catch {
        // Not the initial namespace, or no CAP_NET_ADMIN: keep the kernel's.
      }
    }
    bytes = Math.min(bytes, now);
  }
  return { bytes, raised };
}

/**
 * The queue of wireguard-go's TUN (its ring is txqueuelen packets; the kernel's default 500).
 * Machines' traffic reaches the interface forwarded from the network's bridge, where no TCP small
 * queues hold the sender back, so bursts overflow 500 packets (thousands of tx drops a second, TCP
 * retransmitting) while wireguard-go takes one packet at a time; 2000 (~3 MB) absorbs them.
 */
export const USERSPACE_TXQUEUELEN = 2000;

let kernelWireguard: Promise<boolean> | undefined;

/** Whether this kernel makes WireGuard interfaces (probed once with a throwaway interface). */
export function hasKernelWireguard(): Promise<boolean> {
  kernelWireguard ??= (async () => {
    const probe = `tfwgprobe${process.pid % 100000}`;
    const ok = (await tryNet('ip', ['link', 'add', probe, 'type', 'wireguard'])) !== undefined;
    if (ok) await tryNet('ip', ['link', 'del', probe]);
    return ok;
  })();
  return kernelWireguard;
}

/** The marker of the wireguard-go process serving `ifName` (see core/proc.ts). */
export const userspaceMark = (instance: string, ifName: string): string => `${instance}/wg/${ifName}`;

export async function linkExists(ns: string, ifName: string): Promise<boolean> {
  return (await tryNet('ip', ['-n', ns, 'link', 'show', 'dev', ifName])) !== undefined;
}

/**
 * Creates `ifName` in the node's namespace — the agent's own, or `hostNs` — and moves it into `ns`
 * (idempotent: an existing, served interface is kept).
 */
export async function ensureInterface(instance: string, ns: string, ifName: string, hostNs?: string): Promise<void> {
  const host = (args: string[]): string[] => (hostNs ? ['-n', hostNs, ...args] : args);
  const mark = userspaceMark(instance, ifName);
  if (await linkExists(ns, ifName)) {
    // A userspace interface whose process died is a dead TUN: make it again.
    if ((await hasKernelWireguard()) || findMarked(mark).length > 0) return;
    await ipIn(ns, ['link', 'del', ifName]);
  }
  await tryNet('ip', host(['link', 'del', ifName]));
  const kernel = await hasKernelWireguard();
  if (kernel) await net('ip', host(['link', 'add', ifName, 'type', 'wireguard']));
  else await startUserspace(mark, ifName, hostNs);
  await net('ip', host(['link', 'set', ifName, 'netns', ns]));
  if (!kernel) await ipIn(ns, ['link', 'set', ifName, 'txqueuelen', String(USERSPACE_TXQUEUELEN)]);
}

async function startUserspace(mark: string, ifName: string, hostNs?: string): Promise<void> {
  for (const pid of findMarked(mark)) await stopProcess(pid);
  raiseUdpBuffers();
  rmSync(path.join(SOCKET_DIR, `${ifName}.sock`), { force: true });
  await new Promise<void>((resolve, reject) => {
    // `-f` keeps it in the foreground of a detached child we do not wait for: it outlives the agent.
    const argv = hostNs ? ['ip', 'netns', 'exec', hostNs, 'wireguard-go', '-f', ifName] : ['wireguard-go', '-f', ifName];
    const child = spawn(argv[0]!, argv.slice(1), {
      detached: true,
      stdio: 'ignore',
      env: {
        PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin',
        WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD: '1',
        LOG_LEVEL: 'error',
        [MARKER_VAR]: mark,
      },
    });
    child.once('error', (e) =>
      reject(
        new NetworkError(
          (e as NodeJS.ErrnoException).code === 'ENOENT' ? 'missing-tool' : 'command-failed',
          `wireguard-go: ${e.message} (Debian package wireguard-go)`,
        ),
      ),
    );
    child.once('spawn', () => {
      child.unref();
      resolve();
    });
  });
  const end = Date.now() + 10_000;
  while (
    !existsSync(path.join(SOCKET_DIR, `${ifName}.sock`)) ||
    (await tryNet('ip', [...(hostNs ? ['-n', hostNs] : []), 'link', 'show', 'dev', ifName])) === undefined
  ) {
    if (Date.now() > end) throw new NetworkError('command-failed', `wireguard-go did not bring up ${ifName} within 10 s`);
    await sleep(50);
  }
}

/** Applies key, port and peers; peers no longer wanted are removed, the others are updated in place (no traffic dropped). */
export async function configure(ns: string, ifName: string, spec: WireguardSpec): Promise<void> {
  // The private key goes through a 0600 file, never argv (visible in /proc) or logs.
  const dir = mkdtempSync(path.join(tmpdir(), 'tfwg-'));
  const keyFile = path.join(dir, 'key');
  try {
    writeFileSync(keyFile, spec.privateKey + '\n', { mode: 0o600 });
    await inNs(ns, ['wg', 'set', ifName, 'private-key', keyFile, 'listen-port', String(spec.listenPort)]);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const current = await peerKeys(ns, ifName);
  const wanted = new Set(spec.peers.map((p) => p.publicKey));
  for (const k of current) if (!wanted.has(k)) await inNs(ns, ['wg', 'set', ifName, 'peer', k, 'remove']);
  for (const p of spec.peers) {
    const args = [
      'wg',
      'set',
      ifName,
      'peer',
      p.publicKey,
      'allowed-ips',
      p.allowedIps.join(','),
      'persistent-keepalive',
      String(KEEPALIVE_S),
    ];
    if (p.endpoint) args.push('endpoint', p.endpoint);
    await inNs(ns, args);
  }
}

/** Public keys of the interface's peers (`wg show … peers`). */
export async function peerKeys(ns: string, ifName: string): Promise<string[]> {
  return (await inNs(ns, ['wg', 'show', ifName, 'peers']))
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean);
}

/** Ends the wireguard-go serving `ifName` (the interface itself goes with its namespace). */
export async function stopUserspace(instance: string, ifName: string): Promise<void> {
  for (const pid of findMarked(userspaceMark(instance, ifName))) await stopProcess(pid);
  rmSync(path.join(SOCKET_DIR, `${ifName}.sock`), { force: true });
}

async function stopProcess(pid: number): Promise<void> {
  signal(pid, 'SIGTERM');
  const end = Date.now() + 3000;
  while (isAlive(pid) && Date.now() < end) await sleep(20);
  if (isAlive(pid)) signal(pid, 'SIGKILL');
  while (isAlive(pid)) await sleep(20);
}
