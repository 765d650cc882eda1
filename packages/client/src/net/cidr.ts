/** IPv4 networks as numbers: parse, contain, overlap, enumerate. Private networks are planned and checked with these. */

export interface Cidr4 {
  /** The network address as an unsigned 32-bit number. */
  base: number;
  prefix: number;
}

const IPV4 = /^(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})\.(0|[1-9]\d{0,2})$/;

/** `10.20.1.5` → its number; undefined for anything but four decimal octets (no leading zeros). */
export function parseIpv4(s: string): number | undefined {
  const m = s.length <= 15 ? IPV4.exec(s) : null;
  if (!m) return undefined;
  const o = m.slice(1, 5).map(Number);
  if (o.some((x) => x > 255)) return undefined;
  return ((o[0]! * 256 + o[1]!) * 256 + o[2]!) * 256 + o[3]!;
}

export function formatIpv4(n: number): string {
  return [24, 16, 8, 0].map((s) => Math.floor(n / 2 ** s) % 256).join('.');
}

/** `10.20.0.0/16` → base and prefix; undefined when malformed or when host bits are set. */
export function parseCidr4(s: string): Cidr4 | undefined {
  const slash = s.indexOf('/');
  if (slash < 0 || s.length > 18) return undefined;
  const base = parseIpv4(s.slice(0, slash));
  const p = s.slice(slash + 1);
  if (base === undefined || !/^(0|[1-9]\d?)$/.test(p) || Number(p) > 32) return undefined;
  const prefix = Number(p);
  if (base % size({ base: 0, prefix }) !== 0) return undefined;
  return { base, prefix };
}

export function formatCidr4(c: Cidr4): string {
  return `${formatIpv4(c.base)}/${c.prefix}`;
}

/** Addresses in the network. */
export function size(c: Cidr4): number {
  return 2 ** (32 - c.prefix);
}

export function containsIp(c: Cidr4, ip: number): boolean {
  return ip >= c.base && ip < c.base + size(c);
}

/** `inner` lies wholly inside `outer`. */
export function containsCidr(outer: Cidr4, inner: Cidr4): boolean {
  return inner.prefix >= outer.prefix && containsIp(outer, inner.base);
}

export function overlaps(a: Cidr4, b: Cidr4): boolean {
  return a.base < b.base + size(b) && b.base < a.base + size(a);
}

/** The i-th address of the network (0 = the network address). */
export function nth(c: Cidr4, i: number): number {
  return c.base + i;
}

/** RFC 1918 ranges, where private networks live. */
export const PRIVATE_RANGES: Cidr4[] = ['10.0.0.0/8', '172.16.0.0/12', '192.168.0.0/16'].map((s) => parseCidr4(s)!);

export function isPrivate(c: Cidr4): boolean {
  return PRIVATE_RANGES.some((r) => containsCidr(r, c));
}
