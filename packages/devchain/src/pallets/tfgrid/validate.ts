/**
 * Input validation of pallet_tfgrid's calls, in the order and with the errors of the real
 * runtime (farm names, relays, terms, locations, interfaces, serial numbers, resources, IPs).
 */
import { isIPv4, isIPv6 } from 'node:net';
import { err, type Interface, type Location, type PublicConfig, type Resources, utf8 } from './store';
import { validDomain, validIp4, validIp6, type ExtraPublicRanges } from './ip';

const GIB = 1024n ** 3n;
const ascii = (b: Uint8Array, re: RegExp): boolean => re.test(Buffer.from(b).toString('latin1'));

function length(b: Uint8Array, min: number, max: number, short: string, long: string): void {
  if (b.length < min) throw err(short);
  if (b.length > max) throw err(long);
}

/** FarmName: 3–40 bytes of `[A-Za-z0-9_-]`. */
export function farmName(name: Uint8Array): void {
  length(name, 3, 40, 'FarmNameTooShort', 'FarmNameTooLong');
  if (!ascii(name, /^[A-Za-z0-9_-]*$/)) throw err('InvalidFarmName');
}

/**
 * Relay: labels of `[A-Za-z0-9_-]` separated by single dots; no leading or trailing dot. As the
 * real check, a dot at position 1 is refused too (its "previous dot" starts at 0).
 */
export function relay(r: Uint8Array): boolean {
  if (r.length === 0 || r.length > 1024 || r[r.length - 1] === 0x2e) return false;
  let prev = 0;
  for (let i = 0; i < r.length; i++) {
    const c = r[i]!;
    if (c === 0x2e) {
      if (i === 0 || i - prev === 1) return false;
      prev = i;
    } else if (!/[A-Za-z0-9_-]/.test(String.fromCharCode(c))) return false;
  }
  return true;
}

/** Terms and conditions: link 1–2048 printable URL characters, hash 1–50 of `[A-Za-z0-9_-]`. */
export function termsAndConditions(link: Uint8Array, hash: Uint8Array): void {
  length(link, 1, 2048, 'DocumentLinkInputTooShort', 'DocumentLinkInputTooLong');
  if (!ascii(link, /^[\x21-\x7e]*$/)) throw err('InvalidDocumentLinkInput');
  length(hash, 1, 50, 'DocumentHashInputTooShort', 'DocumentHashInputTooLong');
  if (!ascii(hash, /^[A-Za-z0-9_-]*$/)) throw err('InvalidDocumentHashInput');
}

export const cityName = (c: Uint8Array): void => length(c, 1, 58, 'CityNameTooShort', 'CityNameTooLong');
export const countryName = (c: Uint8Array): void => length(c, 2, 56, 'CountryNameTooShort', 'CountryNameTooLong');

/** Rust's `str::parse::<f32>()` grammar, then f32 rounding, within ±limit; "Unknown" is allowed. */
function coordinate(b: Uint8Array, limit: number): boolean {
  const s = utf8(b);
  if (s === 'Unknown') return true;
  if (!/^[+-]?(\d+\.?\d*([eE][+-]?\d+)?|\.\d+([eE][+-]?\d+)?|inf|infinity|nan)$/i.test(s)) return false;
  const v = Math.fround(Number(s.replace(/^([+-]?)inf(inity)?$/i, '$1Infinity')));
  return v >= -limit && v <= limit;
}

export function location(l: Location): void {
  cityName(l.city);
  countryName(l.country);
  length(l.latitude, 1, 50, 'LatitudeInputTooShort', 'LatitudeInputTooLong');
  if (!coordinate(l.latitude, 90)) throw err('InvalidLatitudeInput');
  length(l.longitude, 1, 50, 'LongitudeInputTooShort', 'LongitudeInputTooLong');
  if (!coordinate(l.longitude, 180)) throw err('InvalidLongitudeInput');
}

/** At most 10 interfaces of at most 10 IPs: name 3–20 `[a-z0-9_-]`, MAC of 17, IPs of 7–39 that parse. */
export function interfaces(list: Interface[]): void {
  if (list.length > 10) throw err('InvalidInterfaceName');
  for (const i of list) {
    length(i.name, 3, 20, 'InterfaceNameTooShort', 'InterfaceNameTooLong');
    if (!ascii(i.name, /^[a-z0-9_-]*$/)) throw err('InvalidInterfaceName');
    length(i.mac, 17, 17, 'InterfaceMacTooShort', 'InterfaceMacTooLong');
    if (!ascii(i.mac, /^[0-9A-Fa-f]{2}([:-])(?:[0-9A-Fa-f]{2}\1){4}[0-9A-Fa-f]{2}$/)) throw err('InvalidMacAddress');
    if (i.ips.length > 10) throw err('InvalidInterfaceIP');
    for (const ip of i.ips) {
      length(ip, 7, 39, 'InterfaceIpTooShort', 'InterfaceIpTooLong');
      const s = utf8(ip);
      if (!isIPv4(s) && !isIPv6(s)) throw err('InvalidInterfaceIP');
    }
  }
}

export function serialNumber(s: Uint8Array | undefined): void {
  if (s !== undefined && s.length > 128) throw err('SerialNumberTooLong');
}

/** Resource minimums: sru or hru ≥ 100 GiB (newer runtimes accept HDD-only nodes), cru ≥ 1, mru ≥ 2 GiB. */
export function resources(r: Resources): void {
  if (r.sru < 100n * GIB && r.hru < 100n * GIB) throw err('InvalidSRUInput');
  if (r.cru < 1n) throw err('InvalidCRUInput');
  if (r.mru < 2n * GIB) throw err('InvalidMRUInput');
}

/**
 * A public config: ip4/gw4 public and consistent, optional ip6/gw6 likewise, optional domain.
 * `extra`: what the chain spec adds as public (dev chains only, see dev-public-ranges.ts).
 */
export function publicConfig(c: PublicConfig, extra: ExtraPublicRanges): boolean {
  if (!validIp4(utf8(c.ip4.ip), utf8(c.ip4.gw), extra)) return false;
  if (c.ip6 && !validIp6(utf8(c.ip6.ip), utf8(c.ip6.gw), extra)) return false;
  if (c.domain !== undefined && !validDomain(utf8(c.domain))) return false;
  return true;
}

/** A farm's public IP (CIDR and gateway), else InvalidPublicIP. */
export function publicIp(ip: Uint8Array, gw: Uint8Array, extra: ExtraPublicRanges): void {
  if (!validIp4(utf8(ip), utf8(gw), extra)) throw err('InvalidPublicIP');
}

// ---- resource units (tfchain_support::resources), for farming policy limits ----

const THOUSAND = 1000n;
const u64 = (v: bigint): bigint => BigInt.asUintN(64, v);

/** `Resources::get_cu`: 2 × (min(cru·2GiB, (mru−1)·GiB/4, sru/50) ·1000 / GiB / 1000), strict minimum else 0. */
export function cuOf(r: Resources): bigint {
  const cru = r.cru * 2n * GIB * THOUSAND;
  const mru = ((r.mru > 0n ? r.mru - 1n : 0n) * GIB * THOUSAND) / 4n;
  const sru = (r.sru * THOUSAND) / 50n;
  let min = 0n;
  if (cru < mru && cru < sru) min = u64(cru);
  else if (mru < cru && mru < sru) min = u64(mru);
  else if (sru < cru && sru < mru) min = u64(sru);
  return u64(2n * (min / GIB / THOUSAND));
}

/** `Resources::get_su`: (hru·1000/1200 + sru·1000/250) / GiB / 1000. */
export function suOf(r: Resources): bigint {
  return u64(((r.hru * THOUSAND) / 1200n + (r.sru * THOUSAND) / 250n) / GIB / THOUSAND);
}

/** `Resources::has_changed` with a tolerance in percent (Percent × u64 rounds to nearest, ties down). */
export function resourcesChanged(before: Resources, after: Resources, tolerance: number): boolean {
  const wiggle = (a: bigint, b: bigint): boolean => {
    const t = BigInt(tolerance);
    let p = (a * t) / 100n;
    if (((a * t) % 100n) * 2n > 100n) p += 1n;
    const diff = a > b ? a - b : b - a;
    return diff > p;
  };
  return wiggle(before.cru, after.cru) || wiggle(before.sru, after.sru) || wiggle(before.hru, after.hru) || wiggle(before.mru, after.mru);
}
