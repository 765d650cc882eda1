/**
 * Which 198.18.<k>.0/24 a grid takes. A lock file per k under /run (tmpfs: gone after a reboot,
 * like namespaces) holds the owner's pid. A live owner keeps it; the lock of a process that is
 * gone (a SIGKILLed test) is taken over after removing what that run left under the same tag.
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { removeHosts, trySh } from '@tfgrid/netns';
import { LocalGridError } from './errors';

export const LOCK_DIR = '/run/tfgrid-localgrid';
/** Picked from when no subnet is given; agent tests use low numbers (7, 8). */
export const AUTO_SUBNETS = { first: 200, last: 249 } as const;

export const gridTag = (subnet: number): string => `lg${subnet}`;

export interface SubnetClaim {
  subnet: number;
  tag: string;
  release(): void;
}

/**
 * A subnet of `first`-`last` free right now, probed from a place that depends on this process (so
 * parallel test files start apart), for a child process to claim: a test gives it to
 * `npm start -- --subnet K`. Ranges outside AUTO_SUBNETS cannot be taken meanwhile by a grid that
 * picks its own.
 */
export function freeSubnetIn(first: number, last: number): number {
  const n = last - first + 1;
  for (let i = 0; i < n; i++) {
    const k = first + ((process.pid + i) % n);
    try {
      claimSubnet(k).release();
      return k;
    } catch {
      /* taken: the next */
    }
  }
  throw new LocalGridError('subnet-busy', `no free subnet in 198.18.${first}-${last}.0/24`);
}

/** Claims `subnet`, or the first free one of AUTO_SUBNETS when undefined. */
export function claimSubnet(subnet?: number): SubnetClaim {
  mkdirSync(LOCK_DIR, { recursive: true, mode: 0o755 });
  if (subnet !== undefined) {
    if (!Number.isInteger(subnet) || subnet < 1 || subnet > 254)
      throw new LocalGridError('bad-option', `subnet must be the third octet 1-254 of 198.18.<subnet>.0/24, got ${subnet}`);
    const c = tryClaim(subnet);
    if (typeof c === 'string') throw new LocalGridError('subnet-busy', `198.18.${subnet}.0/24 is in use: ${c}; pick another --subnet`);
    return c;
  }
  for (let k = AUTO_SUBNETS.first; k <= AUTO_SUBNETS.last; k++) {
    const c = tryClaim(k);
    if (typeof c !== 'string') return c;
  }
  throw new LocalGridError(
    'subnet-busy',
    `every subnet 198.18.${AUTO_SUBNETS.first}-${AUTO_SUBNETS.last}.0/24 is in use by a running grid`,
  );
}

/** The claim, or why not. */
function tryClaim(k: number): SubnetClaim | string {
  const file = path.join(LOCK_DIR, `${k}.pid`);
  const tag = gridTag(k);
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(file, `${process.pid}\n`, { flag: 'wx', mode: 0o644 });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const owner = Number(readText(file).trim());
      if (owner === process.pid || isAlive(owner)) return `grid of pid ${owner} (${file})`;
      // The owner is gone: clear what its run left, then take the lock over.
      removeHosts(tag);
      rmSync(file, { force: true });
      continue;
    }
    // Holding the lock, anything under our tag is a leftover.
    removeHosts(tag);
    const used = trySh(['ip', '-o', 'addr', 'show', 'to', `198.18.${k}.0/24`])?.trim();
    if (used) {
      rmSync(file, { force: true });
      return `an interface of this machine already has an address in it (${used.split(/\s+/)[1]})`;
    }
    return { subnet: k, tag, release: () => rmSync(file, { force: true }) };
  }
  return `its lock ${file} keeps changing hands`;
}

function readText(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}
