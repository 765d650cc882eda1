/**
 * Backend hosts parsed to the address a connection would reach. A host may spell one address
 * many ways — `2130706433`, `0177.0.0.1`, `0x7f.1`, `127.1`, `::ffff:127.0.0.1`, `::ffff:7f00:1`,
 * `::127.0.0.1`, `64:ff9b::7f00:1` — and a check on the text misses all but one of them, so the
 * gateway classifies the parsed address (IPv4 inside IPv6 unwrapped) and never the string.
 */

/** A parsed address: 4 bytes (IPv4) or 16 (IPv6). */
export type IpBytes = Uint8Array;

/** Longest host text parsed (a DNS name is at most 253 characters; an IPv6 literal with a zone fits). */
export const MAX_HOST_LENGTH = 253;

/** One part of a numeric IPv4 host as inet_aton reads it: `0x` hex, leading `0` octal, else decimal. */
function ipv4Part(p: string): number | undefined {
  if (p.length === 0 || p.length > 12) return undefined;
  if (/^0x[0-9a-f]*$/i.test(p)) return p.length === 2 ? 0 : parseInt(p.slice(2), 16);
  if (/^0[0-7]*$/.test(p)) return parseInt(p, 8);
  if (/^[1-9][0-9]*$/.test(p)) return parseInt(p, 10);
  return undefined;
}

/**
 * IPv4 in every form resolvers accept (inet_aton, the WHATWG URL parser): one to four parts, each
 * decimal, octal or hex, the last filling the remaining bytes (`127.1` = 127.0.0.1,
 * `2130706433` = 127.0.0.1); trailing dots ignored. Answers undefined for anything else.
 */
export function parseIPv4(text: string): IpBytes | undefined {
  const s = text.replace(/\.+$/, '');
  if (s.length === 0 || s.length > MAX_HOST_LENGTH) return undefined;
  const parts = s.split('.');
  if (parts.length > 4) return undefined;
  const nums: number[] = [];
  for (const p of parts) {
    const n = ipv4Part(p);
    if (n === undefined) return undefined;
    nums.push(n);
  }
  const last = nums.pop()!;
  if (nums.some((n) => n > 255) || last >= 256 ** (4 - nums.length)) return undefined;
  const out = new Uint8Array(4);
  nums.forEach((n, i) => (out[i] = n));
  for (let i = 3, v = last; i >= nums.length; i--, v = Math.floor(v / 256)) out[i] = v % 256;
  return out;
}

/** A dotted quad as it may end an IPv6 literal: exactly four decimal parts (RFC 4291 §2.2). */
function strictDottedQuad(s: string): IpBytes | undefined {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return undefined;
  const b = m.slice(1).map(Number);
  return b.every((n) => n <= 255) ? Uint8Array.from(b) : undefined;
}

/** IPv6 text (RFC 4291 §2.2: `::` once, groups of 1–4 hex digits, an embedded dotted quad last), brackets and zone (`%eth0`) allowed. */
export function parseIPv6(text: string): IpBytes | undefined {
  let s = text.startsWith('[') && text.endsWith(']') ? text.slice(1, -1) : text;
  if (s.length === 0 || s.length > MAX_HOST_LENGTH) return undefined;
  const zone = s.indexOf('%');
  if (zone >= 0) s = s.slice(0, zone);
  const halves = s.split('::');
  if (halves.length > 2) return undefined;
  const groups = (h: string): number[] | undefined => {
    if (h === '') return [];
    const out: number[] = [];
    const parts = h.split(':');
    for (let i = 0; i < parts.length; i++) {
      const p = parts[i]!;
      if (i === parts.length - 1 && p.includes('.')) {
        const q = strictDottedQuad(p);
        if (!q) return undefined;
        out.push((q[0]! << 8) | q[1]!, (q[2]! << 8) | q[3]!);
      } else if (/^[0-9a-f]{1,4}$/i.test(p)) out.push(parseInt(p, 16));
      else return undefined;
    }
    return out;
  };
  const head = groups(halves[0]!);
  const tail = halves.length === 2 ? groups(halves[1]!) : [];
  if (!head || !tail) return undefined;
  // A dotted quad may only end the address: not before a `::`.
  if (halves.length === 2 && halves[0]!.includes('.')) return undefined;
  const n = head.length + tail.length;
  if (halves.length === 1 ? n !== 8 : n > 7) return undefined;
  const all = [...head, ...new Array<number>(8 - n).fill(0), ...tail];
  const out = new Uint8Array(16);
  all.forEach((g, i) => {
    out[2 * i] = g >> 8;
    out[2 * i + 1] = g & 0xff;
  });
  return out;
}

const startsWith = (b: IpBytes, prefix: readonly number[]): boolean => prefix.every((v, i) => b[i] === v);
const ZERO_80 = [0, 0, 0, 0, 0, 0, 0, 0, 0, 0];

/**
 * The IPv4 address an IPv6 one carries, where a connection to it may end at that IPv4 address:
 * IPv4-mapped `::ffff:0:0/96` (the kernel connects such sockets over IPv4), IPv4-compatible
 * `::/96` (deprecated, still routed by some stacks; `::` and `::1` themselves excluded),
 * IPv4-translated `::ffff:0:0:0/96`, NAT64 `64:ff9b::/96` (RFC 6052) and `64:ff9b:1::/48` (RFC 8215;
 * its /96 sub-prefixes), 6to4 `2002::/16` (RFC 3056).
 */
export function embeddedIPv4(b: IpBytes): IpBytes | undefined {
  if (b.length !== 16) return undefined;
  if (startsWith(b, [...ZERO_80, 0xff, 0xff])) return b.slice(12);
  if (startsWith(b, [0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 0, 0])) return b.slice(12); // IPv4-translated ::ffff:0:0:0/96 (RFC 2765)
  if (startsWith(b, [...ZERO_80, 0, 0]) && !(b[12] === 0 && b[13] === 0 && b[14] === 0 && b[15]! <= 1)) return b.slice(12);
  if (startsWith(b, [0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0])) return b.slice(12);
  if (startsWith(b, [0, 0x64, 0xff, 0x9b, 0, 1])) return b.slice(12);
  if (startsWith(b, [0x20, 0x02])) return b.slice(2, 6);
  return undefined;
}

/** `host:port`, an IPv6 host in brackets (as URLs and HAProxy write it). */
export function hostPort(host: string, port: number): string {
  return host.includes(':') ? `[${host}]:${port}` : `${host}:${port}`;
}

/** The address a numeric host means, IPv4 inside IPv6 unwrapped; undefined for a name. */
export function addressOf(host: string): IpBytes | undefined {
  const v6 = host.includes(':') ? parseIPv6(host) : undefined;
  if (v6) return embeddedIPv4(v6) ?? v6;
  return host.includes(':') ? undefined : parseIPv4(host);
}

/** The canonical text of an address: dotted quad, or eight lower-case hex groups. */
export function addressText(b: IpBytes): string {
  if (b.length === 4) return b.join('.');
  const g: string[] = [];
  for (let i = 0; i < 16; i += 2) g.push(((b[i]! << 8) | b[i + 1]!).toString(16));
  return g.join(':');
}

export type AddressClass = 'loopback' | 'unspecified' | 'link-local';

/** What special range an address is in, if one of those that reach the machine itself. */
export function classify(b: IpBytes): AddressClass | undefined {
  if (b.length === 4) {
    if (b[0] === 127) return 'loopback';
    if (b[0] === 0) return 'unspecified'; // 0.0.0.0/8: "this host on this network"
    if (b[0] === 169 && b[1] === 254) return 'link-local';
    return undefined;
  }
  const zeroTo15 = b.subarray(0, 15).every((v) => v === 0);
  if (zeroTo15 && b[15] === 1) return 'loopback';
  if (zeroTo15 && b[15] === 0) return 'unspecified';
  if (b[0] === 0xfe && (b[1]! & 0xc0) === 0x80) return 'link-local'; // fe80::/10
  return undefined;
}
