/**
 * The platform's ceiling for the network benchmark: the same tools with no agent code at all.
 * Two plain namespaces on a bridge of their own (198.18.61.0/24), and between them
 *  - a bare wireguard-go tunnel: `wireguard-go IF` in each, keys and one peer set with `wg`, the
 *    default MTU (wireguard-go's 1420), 198.19.61.1/24 ↔ .2 on the tunnel;
 *  - two bare yggdrasil daemons: `-genconf` defaults with only Listen/Peers set (B listens, A
 *    peers), no admin socket or multicast, the default IfMTU; B's Yggdrasil address the target.
 * The probe's client and server run in these namespaces themselves, so what it measures is the
 * daemons and the kernel, nothing the agent sets up.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { trySh } from '@tfgrid/netns';
import { makeHosts, sh } from '../test/support/netns';
import { sleep } from './measure';

const SUBNET = 61;
const WG_PORT = 41061;
const YGG_PORT = 12361;
const WG_ADDRESS = ['198.19.61.1', '198.19.61.2'] as const;
const UP_DEADLINE_MS = 15_000;

export interface BarePaths {
  /** The client's namespace (A) and the server's (B). */
  ns: [string, string];
  target: { wireguard: string; yggdrasil: string };
  daemonPids(which: 'wireguard' | 'yggdrasil'): number[];
  close(): Promise<void>;
}

const stop = (c: ChildProcess): Promise<void> =>
  new Promise((resolve) => {
    if (c.exitCode !== null || c.signalCode !== null) return resolve();
    c.once('exit', () => resolve());
    c.kill('SIGTERM');
  });

async function until(what: string, ok: () => boolean): Promise<void> {
  const end = Date.now() + UP_DEADLINE_MS;
  while (!ok()) {
    if (Date.now() > end) throw new Error(`bare reference: ${what} not up within ${UP_DEADLINE_MS} ms`);
    await sleep(50);
  }
}

export async function buildBarePaths(tag: string): Promise<BarePaths> {
  const procs: ChildProcess[] = [];
  const dir = mkdtempSync(path.join(os.tmpdir(), 'net-bare-'));
  const hosts = makeHosts(`${tag}r`, 2, SUBNET);
  const ns = [hosts.hosts[0]!.ns, hosts.hosts[1]!.ns] as [string, string];
  const wgIf = [0, 1].map((i) => `${tag}bw${i}`);
  const close = async (): Promise<void> => {
    for (const c of procs) await stop(c);
    for (const i of wgIf) rmSync(`/var/run/wireguard/${i}.sock`, { force: true });
    hosts.remove();
    rmSync(dir, { recursive: true, force: true });
  };
  const start = (argv: string[], env: Record<string, string> = {}): ChildProcess => {
    const c = spawn('ip', ['netns', 'exec', ...argv], {
      stdio: 'ignore',
      env: { PATH: process.env.PATH ?? '/usr/sbin:/usr/bin:/sbin:/bin', ...env },
    });
    procs.push(c);
    return c;
  };
  try {
    // wireguard-go, configured as its man page shows.
    const keys = [0, 1].map(() => execFileSync('wg', ['genkey'], { encoding: 'utf8' }).trim());
    const pubs = keys.map((k) => execFileSync('wg', ['pubkey'], { input: k + '\n', encoding: 'utf8' }).trim());
    for (const i of [0, 1]) {
      start([ns[i]!, 'wireguard-go', '-f', wgIf[i]!], { WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD: '1', LOG_LEVEL: 'error' });
      await until(`wireguard-go ${wgIf[i]}`, () => existsSync(`/var/run/wireguard/${wgIf[i]}.sock`));
      const keyFile = path.join(dir, `wg${i}.key`);
      writeFileSync(keyFile, keys[i] + '\n', { mode: 0o600 });
      const peer = 1 - i;
      sh([
        'ip',
        'netns',
        'exec',
        ns[i]!,
        'wg',
        'set',
        wgIf[i]!,
        'private-key',
        keyFile,
        'listen-port',
        String(WG_PORT),
        'peer',
        pubs[peer]!,
        'allowed-ips',
        `${WG_ADDRESS[peer]}/32`,
        'endpoint',
        `${hosts.hosts[peer]!.ip}:${WG_PORT}`,
      ]);
      sh(['ip', '-n', ns[i]!, 'addr', 'add', `${WG_ADDRESS[i]}/24`, 'dev', wgIf[i]!]);
      sh(['ip', '-n', ns[i]!, 'link', 'set', wgIf[i]!, 'up']);
    }

    // yggdrasil with its generated defaults, but for whom it talks to.
    const listen = `tcp://${hosts.hosts[1]!.ip}:${YGG_PORT}`;
    const yggAddress: string[] = [];
    for (const i of [1, 0]) {
      const conf = JSON.parse(execFileSync('yggdrasil', ['-genconf', '-json'], { encoding: 'utf8' })) as Record<string, unknown>;
      Object.assign(conf, {
        Listen: i === 1 ? [listen] : [],
        Peers: i === 0 ? [listen] : [],
        AdminListen: 'none',
        MulticastInterfaces: [],
        IfName: `${tag}by${i}`,
      });
      const file = path.join(dir, `ygg${i}.json`);
      writeFileSync(file, JSON.stringify(conf), { mode: 0o600 });
      yggAddress[i] = execFileSync('yggdrasil', ['-useconffile', file, '-address'], { encoding: 'utf8' }).trim();
      start([ns[i]!, 'yggdrasil', '-useconffile', file]);
      await until(`yggdrasil ${i}`, () =>
        (trySh(['ip', '-n', ns[i]!, '-6', 'addr', 'show', 'dev', `${tag}by${i}`]) ?? '').includes(yggAddress[i]!),
      );
    }
    const pidsOf = (which: 'wireguard' | 'yggdrasil'): number[] =>
      ns.flatMap((n) => {
        try {
          return execFileSync('ip', ['netns', 'pids', n], { encoding: 'utf8' })
            .split('\n')
            .filter(Boolean)
            .map(Number)
            .filter((pid) => commOf(pid) === (which === 'wireguard' ? 'wireguard-go' : 'yggdrasil'));
        } catch {
          return [];
        }
      });
    return { ns, target: { wireguard: WG_ADDRESS[1], yggdrasil: yggAddress[1]! }, daemonPids: pidsOf, close };
  } catch (e) {
    await close();
    throw e;
  }
}

function commOf(pid: number): string {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return ''; // already gone
  }
}
