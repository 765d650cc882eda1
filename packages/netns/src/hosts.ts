/**
 * Hosts on one machine: network namespaces joined by one bridge that stands in for the Internet
 * (198.18.<subnet>.0/24 out of 198.18.0.0/15, optionally 2001:2:0:<subnet>::/64 out of the IPv6
 * benchmarking range 2001:2::/48; nothing forwards or NATs it, so there is no route off the
 * machine). Every name carries a tag, so parallel runs never collide and the leftovers of a run
 * that was killed are found again by that tag: making hosts under a tag first removes them.
 */
import { NetnsError } from './errors';
import { listHostMounts, makeHostMounts, onHost, removeHostMounts } from './host-mounts';
import { killAll, parsePids } from './processes';
import { sh, trySh } from './sh';

export { sh } from './sh';

export interface Host {
  ns: string;
  /** Its address on the bridge. */
  ip: string;
  /** Its IPv6 address on the bridge (2001:2:0:<subnet>::<i+2>), with `ipv6`. */
  ip6?: string;
  /** Its mount namespace (bound to this file), with `mounts`. */
  mounts?: string;
}

export interface Hosts {
  tag: string;
  bridge: string;
  /** Third octet of 198.18.<subnet>.0/24. */
  subnet: number;
  /** 198.18.<subnet>.1 on the bridge, when the root namespace takes part (the chain and the explorer listen there). */
  bridgeIp?: string;
  /** 2001:2:0:<subnet>::1 on the bridge, with `bridgeAddress` and `ipv6`. */
  bridgeIp6?: string;
  hosts: Host[];
  /** Runs a command inside a host's namespace; returns stdout. */
  exec(host: Host, argv: string[], input?: string): string;
  /** Kills what still runs in the namespaces, deletes them, their veths and the bridge. */
  remove(): void;
}

export interface HostsOptions {
  /** Put 198.18.<subnet>.1/24 on the bridge, so the root namespace reaches the hosts (default false). */
  bridgeAddress?: boolean;
  /** Also IPv6: 2001:2:0:<subnet>::<i+2>/64 on each host's eth0 (and ::1/64 on the bridge with `bridgeAddress`); default false. */
  ipv6?: boolean;
  /** Each host also gets a mount namespace of its own (see host-mounts.ts), where `exec` runs; default false. */
  mounts?: boolean;
}

/** The /64 of a subnet out of 2001:2::/48, its fourth group spelling the subnet as 198.18.<subnet> does. */
export const ipv6Prefix = (subnet: number): string => `2001:2:0:${subnet}::`;

const MAX_HOSTS = 64;
const TAG = /^[a-z][a-z0-9]{0,9}$/;

export const bridgeName = (tag: string): string => `${tag}br`;
export const nsName = (tag: string, i: number): string => `${tag}-h${i}`;
const vethName = (tag: string, i: number): string => `${tag}v${i}`;

/** `n` hosts on a fresh bridge named after `tag` (≤ 10 characters: interface names are ≤ 15). */
export function makeHosts(tag: string, n: number, subnet: number, o: HostsOptions = {}): Hosts {
  if (!TAG.test(tag))
    throw new NetnsError('bad-option', `host tag '${tag.slice(0, 20)}' must be 1-10 characters of [a-z0-9], starting with a letter`);
  if (!Number.isInteger(n) || n < 1 || n > MAX_HOSTS)
    throw new NetnsError('bad-option', `number of hosts must be 1-${MAX_HOSTS}, got ${n}`);
  if (!Number.isInteger(subnet) || subnet < 0 || subnet > 255)
    throw new NetnsError('bad-option', `subnet must be the third octet 0-255 of 198.18.<subnet>.0/24, got ${subnet}`);
  removeHosts(tag);
  const bridge = bridgeName(tag);
  const hosts: Host[] = [];
  const remove = (): void => removeHosts(tag);
  const bridgeIp = o.bridgeAddress ? `198.18.${subnet}.1` : undefined;
  const bridgeIp6 = o.bridgeAddress && o.ipv6 ? `${ipv6Prefix(subnet)}1` : undefined;
  try {
    sh(['ip', 'link', 'add', bridge, 'type', 'bridge']);
    if (bridgeIp) sh(['ip', 'addr', 'add', `${bridgeIp}/24`, 'dev', bridge]);
    // nodad: usable at once (no duplicate can exist on a bridge made just now).
    if (bridgeIp6) sh(['ip', '-6', 'addr', 'add', `${bridgeIp6}/64`, 'dev', bridge, 'nodad']);
    sh(['ip', 'link', 'set', bridge, 'up']);
    for (let i = 0; i < n; i++) {
      const ns = nsName(tag, i);
      sh(['ip', 'netns', 'add', ns]);
      const ip = `198.18.${subnet}.${i + 2}`;
      sh(['ip', 'link', 'add', vethName(tag, i), 'type', 'veth', 'peer', 'name', 'eth0', 'netns', ns]);
      sh(['ip', 'link', 'set', vethName(tag, i), 'master', bridge, 'up']);
      sh(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
      sh(['ip', '-n', ns, 'addr', 'add', `${ip}/24`, 'dev', 'eth0']);
      const ip6 = o.ipv6 ? `${ipv6Prefix(subnet)}${i + 2}` : undefined;
      if (ip6) sh(['ip', '-n', ns, '-6', 'addr', 'add', `${ip6}/64`, 'dev', 'eth0', 'nodad']);
      sh(['ip', '-n', ns, 'link', 'set', 'eth0', 'up']);
      hosts.push({ ns, ip, ...(ip6 ? { ip6 } : {}), ...(o.mounts ? { mounts: makeHostMounts(ns) } : {}) });
    }
  } catch (e) {
    remove();
    throw e;
  }
  return {
    tag,
    bridge,
    subnet,
    ...(bridgeIp ? { bridgeIp } : {}),
    ...(bridgeIp6 ? { bridgeIp6 } : {}),
    hosts,
    exec: (h, argv, input) => sh(h.mounts ? onHost(h.ns, argv) : ['ip', 'netns', 'exec', h.ns, ...argv], input),
    remove,
  };
}

/** Everything of `tag` that exists: its namespaces (after killing what runs in them), veths and bridge. */
export function removeHosts(tag: string): void {
  const ofTag = (ns: string): boolean => ns.startsWith(`${tag}-h`) && /^\d+$/.test(ns.slice(tag.length + 2));
  const namespaces = listNamespaces().filter(ofTag);
  for (const ns of new Set([...namespaces, ...listHostMounts().filter(ofTag)])) removeHostMounts(ns);
  for (const ns of namespaces) killAll(() => pidsIn(ns));
  for (const ns of namespaces) trySh(['ip', 'netns', 'del', ns]);
  const ours = new RegExp(`^${tag}(br|v\\d+)$`);
  for (const link of listLinks().filter((l) => ours.test(l))) trySh(['ip', 'link', 'del', link]);
}

export function listNamespaces(): string[] {
  return (trySh(['ip', 'netns', 'list']) ?? '')
    .split('\n')
    .map((l) => l.split(' ')[0]!)
    .filter(Boolean);
}

export function listLinks(): string[] {
  return (trySh(['ip', '-o', 'link', 'show']) ?? '')
    .split('\n')
    .map((l) => /^\d+:\s+([^:@\s]+)/.exec(l)?.[1])
    .filter((x): x is string => x !== undefined);
}

/** Pids of the processes inside namespace `ns` (`ip netns pids`). */
export function pidsIn(ns: string): number[] {
  return parsePids(trySh(['ip', 'netns', 'pids', ns]));
}
