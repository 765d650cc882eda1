/**
 * A zmachine's public IPv6 address inside the node's public IPv6 network (the node's public config
 * `ip6` on the chain: `2001:2:0:200::5/64`, gateway `2001:2:0:200::1`). Zero-OS machines take one
 * by SLAAC; here the node derives it from the contract id and the workload's name, so it is the
 * same after a restart or an update, and two nodes of a farm sharing the prefix do not pick the
 * same one (contract ids are unique on the chain). A collision with what this node already handed
 * out, the node's own address or the gateway moves on to the next derivation.
 */
import { createHash } from 'node:crypto';
import { parseIPv6 } from '../core/address';
import { NetworkError } from './errors';

/** The node's public IPv6 network as its public config holds it. */
export interface NodeIpv6 {
  /** The node's own address with the network's prefix length. */
  ip: string;
  gw: string;
}

export interface MachineIpv6 {
  /** The machine's address with the network's prefix length (`2001:2:0:200:…/64`). */
  ip6: string;
  gateway6: string;
}

const MIN_PREFIX = 48;
const MAX_PREFIX = 124;
const ATTEMPTS = 256;
const MAX_TEXT = 64;

const bigOf = (b: Uint8Array): bigint => b.reduce((n, x) => (n << 8n) | BigInt(x), 0n);

/** The canonical (RFC 5952) text of a 128-bit address; the URL parser writes hosts that way. */
export function ipv6Text(n: bigint): string {
  const groups = Array.from({ length: 8 }, (_, i) => ((n >> BigInt(112 - 16 * i)) & 0xffffn).toString(16));
  return new URL(`http://[${groups.join(':')}]/`).hostname.slice(1, -1);
}

/** A plain IPv6 address (no brackets, zone or prefix) as a number. */
export function parseIpv6Address(text: string): bigint | undefined {
  if (text.length > MAX_TEXT || /[[\]%/]/.test(text)) return undefined;
  const b = parseIPv6(text);
  return b ? bigOf(b) : undefined;
}

interface Network6 {
  net: bigint;
  prefix: number;
  node: bigint;
  gw: bigint;
}

/** The node's config checked: an address with a prefix of /48 to /124, a gateway inside it or link-local. */
function network(cfg: NodeIpv6): Network6 {
  const shown = `the node's public config ip6 '${String(cfg.ip).slice(0, MAX_TEXT)}' (gw '${String(cfg.gw).slice(0, MAX_TEXT)}')`;
  const m = typeof cfg.ip === 'string' ? /^([^/]+)\/(\d{1,3})$/.exec(cfg.ip) : null;
  const node = m ? parseIpv6Address(m[1]!) : undefined;
  const prefix = m ? Number(m[2]) : NaN;
  if (node === undefined || !(prefix >= MIN_PREFIX && prefix <= MAX_PREFIX))
    throw new NetworkError('invalid', `${shown} is not an IPv6 address with a prefix of /${MIN_PREFIX} to /${MAX_PREFIX}`);
  const hostMask = (1n << BigInt(128 - prefix)) - 1n;
  const net = node & ~hostMask;
  const gw = typeof cfg.gw === 'string' ? parseIpv6Address(cfg.gw) : undefined;
  const linkLocal = gw !== undefined && gw >> 118n === 0x3fan; // fe80::/10
  if (gw === undefined || !(linkLocal || (gw & ~hostMask) === net))
    throw new NetworkError('invalid', `${shown}: the gateway must be an IPv6 address inside the network or link-local`);
  return { net, prefix, node, gw };
}

/** Whether the machine may hold this host part: not the subnet-router anycast (0) nor, in a /64, the reserved anycast top 128 (RFC 2526). */
function usableHost(host: bigint, hostBits: number): boolean {
  return host !== 0n && !(hostBits === 64 && host >= (1n << 64n) - 128n);
}

/**
 * The machine's address for workload `name` of contract `contractId`: `had` (its earlier one)
 * when still inside the network and free, else the first free derivation. `taken`: canonical texts
 * of the addresses other workloads of the node hold.
 */
export function machineIpv6(cfg: NodeIpv6, contractId: number, name: string, taken: ReadonlySet<string>, had?: string): MachineIpv6 {
  const n = network(cfg);
  const hostBits = 128 - n.prefix;
  const hostMask = (1n << BigInt(hostBits)) - 1n;
  const free = (a: bigint): boolean =>
    (a & ~hostMask) === n.net && usableHost(a & hostMask, hostBits) && a !== n.node && a !== n.gw && !taken.has(ipv6Text(a));
  const result = (a: bigint): MachineIpv6 => ({ ip6: `${ipv6Text(a)}/${n.prefix}`, gateway6: ipv6Text(n.gw) });
  const before = had ? parseIpv6Address(had.replace(/\/\d{1,3}$/, '')) : undefined;
  if (before !== undefined && free(before)) return result(before);
  // 64 bits of the hash at most: the host part of a /64 (a larger network keeps its first /64).
  const bits = BigInt(Math.min(hostBits, 64));
  for (let i = 0; i < ATTEMPTS; i++) {
    const h = createHash('sha256').update(`public-ipv6:${contractId}:${name}:${i}`).digest();
    const a = n.net | (bigOf(h.subarray(0, 8)) & ((1n << bits) - 1n));
    if (free(a)) return result(a);
  }
  throw new NetworkError(
    'conflict',
    `no free IPv6 address found in ${ipv6Text(n.net)}/${n.prefix} for ip '${name}': the node's public IPv6 network is full`,
  );
}

/** The canonical text of an address written with or without its prefix length (a result's `ip6`). */
export function ipv6Key(text: string): string | undefined {
  const a = parseIpv6Address(text.replace(/\/\d{1,3}$/, ''));
  return a === undefined ? undefined : ipv6Text(a);
}
