/**
 * IP address rules of tfchain_support (public IPs of farms, public configs of nodes): IPv4/IPv6
 * addresses and CIDRs, and whether they are public unicast addresses.
 */
import { isIPv4, isIPv6 } from 'node:net';

/** An IPv4 dotted quad as a 32-bit number, or undefined (leading zeros and blanks refused). */
export function parseIPv4(s: string): number | undefined {
  if (!isIPv4(s)) return undefined;
  return s.split('.').reduce((acc, p) => acc * 256 + Number(p), 0);
}

/** `a.b.c.d/n` → address and prefix length. */
export function parseCidr4(s: string): { addr: number; prefix: number } | undefined {
  const m = /^([^/]+)\/(\d{1,2})$/.exec(s);
  if (!m) return undefined;
  const addr = parseIPv4(m[1]!);
  const prefix = Number(m[2]);
  if (addr === undefined || prefix > 32) return undefined;
  return { addr, prefix };
}

const v4 = (s: string): [number, number] => {
  const [a, p] = s.split('/');
  return [parseIPv4(a!)!, Number(p)];
};
/** Ranges that are not public unicast (private, shared, loopback, link-local, documentation, benchmark, multicast, reserved). */
const NON_PUBLIC_V4 = [
  '0.0.0.0/8',
  '10.0.0.0/8',
  '100.64.0.0/10',
  '127.0.0.0/8',
  '169.254.0.0/16',
  '172.16.0.0/12',
  '192.0.0.0/24',
  '192.0.2.0/24',
  '192.88.99.0/24',
  '192.168.0.0/16',
  '198.18.0.0/15',
  '198.51.100.0/24',
  '203.0.113.0/24',
  '224.0.0.0/4',
  '240.0.0.0/4',
].map(v4);

const mask4 = (prefix: number): number => (prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0);
const inNet4 = (addr: number, net: number, prefix: number): boolean => (addr & mask4(prefix)) >>> 0 === (net & mask4(prefix)) >>> 0;

/**
 * Networks a dev chain counts as public unicast on top of the rules (see dev-public-ranges.ts);
 * TFChain has none, and neither has a chain spec that lists none.
 */
export interface ExtraPublicRanges {
  v4: [number, number][];
  v6: [bigint, number][];
}
export const NO_EXTRA_RANGES: ExtraPublicRanges = { v4: [], v6: [] };

export const isPublicV4 = (addr: number, extra: ExtraPublicRanges = NO_EXTRA_RANGES): boolean =>
  extra.v4.some(([net, p]) => inNet4(addr, net, p)) || !NON_PUBLIC_V4.some(([net, p]) => inNet4(addr, net, p));

/** Host bits of a v4 network are zero (a range is written as its network address). */
export const isNetwork4 = (addr: number, prefix: number): boolean => (addr & mask4(prefix)) >>> 0 === addr;

/**
 * A public IPv4 with its gateway: the CIDR and the gateway parse, both are public unicast, the
 * gateway lies inside the CIDR's network and is not the network address itself.
 */
export function validIp4(ip: string, gw: string, extra: ExtraPublicRanges = NO_EXTRA_RANGES): boolean {
  const cidr = parseCidr4(ip);
  const g = parseIPv4(gw);
  if (!cidr || g === undefined) return false;
  if (!isPublicV4(cidr.addr, extra) || !isPublicV4(g, extra)) return false;
  if (!inNet4(g, cidr.addr, cidr.prefix)) return false;
  const network = (cidr.addr & mask4(cidr.prefix)) >>> 0;
  return cidr.prefix === 32 || g !== network;
}

/** An IPv6 address as a bigint, or undefined. */
export function parseIPv6(s: string): bigint | undefined {
  if (!isIPv6(s)) return undefined;
  let text = s;
  // An embedded IPv4 tail (::ffff:1.2.3.4) becomes two hextets.
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (tail) {
    const n = parseIPv4(tail[1]!)!;
    text = text.slice(0, -tail[1]!.length) + `${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head, rest] = text.split('::') as [string, string | undefined];
  const h = head ? head.split(':') : [];
  const r = rest ? rest.split(':') : [];
  const groups = rest === undefined ? h : [...h, ...Array(8 - h.length - r.length).fill('0'), ...r];
  return groups.reduce((acc, g) => (acc << 16n) | BigInt(parseInt(g, 16)), 0n);
}

export function parseCidr6(s: string): { addr: bigint; prefix: number } | undefined {
  const m = /^([^/]+)\/(\d{1,3})$/.exec(s);
  if (!m) return undefined;
  const addr = parseIPv6(m[1]!);
  const prefix = Number(m[2]);
  if (addr === undefined || prefix > 128) return undefined;
  return { addr, prefix };
}

const ALL6 = (1n << 128n) - 1n;
const mask6 = (prefix: number): bigint => (prefix === 0 ? 0n : (ALL6 << BigInt(128 - prefix)) & ALL6);
const inNet6 = (addr: bigint, net: bigint, prefix: number): boolean => (addr & mask6(prefix)) === (net & mask6(prefix));
const v6 = (s: string): [bigint, number] => {
  const [a, p] = s.split('/');
  return [parseIPv6(a!)!, Number(p)];
};
/** Unspecified, loopback, IPv4-mapped, discard, documentation, unique-local, link-local, multicast. */
const NON_PUBLIC_V6 = ['::/127', '::ffff:0:0/96', '100::/64', '2001:db8::/32', 'fc00::/7', 'fe80::/10', 'ff00::/8'].map(v6);

export const isPublicV6 = (addr: bigint, extra: ExtraPublicRanges = NO_EXTRA_RANGES): boolean =>
  extra.v6.some(([net, p]) => inNet6(addr, net, p)) || !NON_PUBLIC_V6.some(([net, p]) => inNet6(addr, net, p));

/** Host bits of a v6 network are zero. */
export const isNetwork6 = (addr: bigint, prefix: number): boolean => (addr & mask6(prefix)) === addr;

/** A public IPv6 CIDR with a public gateway inside its network. */
export function validIp6(ip: string, gw: string, extra: ExtraPublicRanges = NO_EXTRA_RANGES): boolean {
  const cidr = parseCidr6(ip);
  const g = parseIPv6(gw);
  if (!cidr || g === undefined) return false;
  return isPublicV6(cidr.addr, extra) && isPublicV6(g, extra) && inNet6(g, cidr.addr, cidr.prefix);
}

/** A domain name: dot-separated labels of letters, digits and inner hyphens, 1–63 bytes each. */
export function validDomain(d: string): boolean {
  if (d.length === 0 || d.length > 128) return false;
  return d.split('.').every((l) => /^[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?$/.test(l));
}
