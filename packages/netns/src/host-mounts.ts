/**
 * Each host of a grid is a machine of its own: besides its network namespace it has a persistent
 * mount namespace (bound to `/run/tfgrid-localgrid/mnt/<ns>`), a slave of the real root's (the
 * host's mounts never leak back), with a sysfs of its network namespace on /sys and the cgroup
 * mounts kept (runc needs them). Everything run "on the host" enters both namespaces, so an agent
 * started again after a crash sees the network namespaces, volumes and machines its previous run
 * made there, as on a real server. Removing a host ends every process in its mount namespace,
 * deletes the network namespaces made inside it, and lets the mount namespace go.
 */
import { existsSync, mkdirSync, readdirSync, readlinkSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import { killAll, parsePids } from './processes';
import { sh, trySh } from './sh';

// The path localgrid's hosts have always used: hosts a running grid made are found there again.
const MOUNTS_DIR = '/run/tfgrid-localgrid/mnt';

export const hostMounts = (ns: string): string => path.join(MOUNTS_DIR, ns);

/** `unshare --mount=FILE` needs FILE on a mount that is not shared: the directory is a private bind mount of itself. */
function ensureMountsDir(): void {
  mkdirSync(MOUNTS_DIR, { recursive: true, mode: 0o700 });
  if (trySh(['mountpoint', '-q', MOUNTS_DIR]) === undefined) sh(['mount', '--bind', MOUNTS_DIR, MOUNTS_DIR]);
  sh(['mount', '--make-private', MOUNTS_DIR]);
}

/** Makes the mount namespace of host `ns` (its network namespace exists already). */
export function makeHostMounts(ns: string): string {
  ensureMountsDir();
  const file = hostMounts(ns);
  removeHostMounts(ns);
  const script = [
    'set -e',
    'stash=$(mktemp -d /tmp/lg-cgroup.XXXXXX)',
    'mount --rbind /sys/fs/cgroup "$stash"',
    'umount -l /sys',
    // sysfs shows the interfaces of the network namespace of the process that mounts it.
    `nsenter --net=/run/netns/${ns} mount -t sysfs sysfs /sys`,
    'mount --move "$stash" /sys/fs/cgroup',
    'rmdir "$stash"',
  ].join('\n');
  sh(['touch', file]);
  sh(['unshare', `--mount=${file}`, '--propagation', 'slave', '--', 'sh', '-c', script]);
  return file;
}

/** The argv that runs `command` on host `ns`: in its network and mount namespaces; it execs through (its pid is the command's). */
export function onHost(ns: string, command: string[]): string[] {
  return ['nsenter', `--mount=${hostMounts(ns)}`, `--net=/run/netns/${ns}`, '--', ...command];
}

/** The hosts that have a mount namespace bound now (or a file left of one). */
export function listHostMounts(): string[] {
  return existsSync(MOUNTS_DIR) ? readdirSync(MOUNTS_DIR) : [];
}

/** Pids of the processes in the mount namespace bound at `file`. */
function pidsInMounts(file: string): number[] {
  let id: string;
  try {
    id = `mnt:[${statSync(file).ino}]`;
  } catch {
    return [];
  }
  const pids: number[] = [];
  for (const p of readdirSync('/proc')) {
    if (!/^\d+$/.test(p)) continue;
    try {
      if (readlinkSync(`/proc/${p}/ns/mnt`) === id) pids.push(Number(p));
    } catch {
      /* gone meanwhile */
    }
  }
  return pids;
}

/**
 * Host `ns` powered off: every process in its mount namespace and in the network namespaces made
 * on it (its machines, relays) killed (SIGKILL, ≤ 10 s each), those network namespaces deleted
 * there, its mount namespace unbound.
 */
export function removeHostMounts(ns: string): void {
  const file = hostMounts(ns);
  if (!existsSync(file)) return;
  if (trySh(['mountpoint', '-q', file]) !== undefined) {
    const inside = (argv: string[]): string | undefined => trySh(['nsenter', `--mount=${file}`, '--', ...argv]);
    killAll(() => pidsInMounts(file));
    // Network namespaces made on the host are mounts in its mount namespace only.
    const root = new Set((trySh(['findmnt', '-rno', 'TARGET', '-t', 'nsfs']) ?? '').split('\n'));
    const own = (inside(['findmnt', '-rno', 'TARGET', '-t', 'nsfs']) ?? '')
      .split('\n')
      .filter((t) => t.startsWith('/run/netns/') && !root.has(t))
      .map((t) => path.basename(t));
    for (const n of own) {
      killAll(() => parsePids(inside(['ip', 'netns', 'pids', n])));
      inside(['ip', 'netns', 'del', n]);
    }
    trySh(['umount', '-l', file]);
  }
  rmSync(file, { force: true });
}
