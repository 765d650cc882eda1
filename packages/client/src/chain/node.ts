/** TFChain's node structs (`tfchain_support::types::Node` and what it holds) and their decoders. */
import { fieldsOf, listOf, num, optionalText, text, variant, variantValue } from './json';

/** Sizes in bytes (GiB = 1024^3), cru in logical cores. Numbers: exact up to 8 PiB. */
export interface Resources {
  hru: number;
  sru: number;
  cru: number;
  mru: number;
}
export interface Location {
  city: string;
  country: string;
  latitude: string;
  longitude: string;
}
export interface NetworkInterface {
  name: string;
  mac: string;
  ips: string[];
}
export interface PublicConfig {
  ip4: { ip: string; gw: string };
  ip6: { ip: string; gw: string } | null;
  domain: string | null;
}
export type Power = 'Up' | 'Down';
export type NodeCertification = 'Diy' | 'Certified';

export interface Node {
  /** The struct's version. */
  version: number;
  id: number;
  farmId: number;
  twinId: number;
  resources: Resources;
  location: Location;
  publicConfig: PublicConfig | null;
  /** Unix seconds of registration. */
  created: number;
  farmingPolicyId: number;
  interfaces: NetworkInterface[];
  certification: NodeCertification;
  secureBoot: boolean;
  virtualized: boolean;
  serialNumber: string | null;
  connectionPrice: number;
}

export interface NodePower {
  state: Power;
  /** The block at which the node went down (state Down). */
  downSince?: number;
  target: Power;
}

export function decodeResources(v: unknown): Resources {
  const r = fieldsOf(v);
  return { cru: num(r.cru), sru: num(r.sru), hru: num(r.hru), mru: num(r.mru) };
}

/** `Option<PublicConfig>`: null for `None`. */
export function decodePublicConfig(v: unknown): PublicConfig | null {
  if (v == null) return null;
  const c = fieldsOf(v);
  const ip4 = fieldsOf(c.ip4);
  const ip6 = c.ip6 == null ? null : fieldsOf(c.ip6);
  return {
    ip4: { ip: text(ip4.ip), gw: text(ip4.gw) },
    ip6: ip6 ? { ip: text(ip6.ip), gw: text(ip6.gw) } : null,
    domain: optionalText(c.domain),
  };
}

export const decodePower = (v: unknown): Power => (variant(v) === 'Down' ? 'Down' : 'Up');
export const decodeNodeCertification = (v: unknown): NodeCertification => (variant(v) === 'Certified' ? 'Certified' : 'Diy');

/** `PowerState<BlockNumber>`: Up, or Down since a block. */
export function decodePowerState(v: unknown): { state: Power; downSince: number | null } {
  const state = decodePower(v);
  return { state, downSince: state === 'Down' ? num(variantValue(v)) : null };
}

export function decodeNodePower(v: unknown): NodePower {
  const p = fieldsOf(v);
  const { state, downSince } = decodePowerState(p.state);
  const target = decodePower(p.target);
  return downSince === null ? { state, target } : { state, downSince, target };
}

export function decodeNode(v: unknown): Node {
  const n = fieldsOf(v);
  const loc = fieldsOf(n.location);
  return {
    version: num(n.version),
    id: num(n.id),
    farmId: num(n.farmId),
    twinId: num(n.twinId),
    resources: decodeResources(n.resources),
    location: { city: text(loc.city), country: text(loc.country), latitude: text(loc.latitude), longitude: text(loc.longitude) },
    publicConfig: decodePublicConfig(n.publicConfig),
    created: num(n.created),
    farmingPolicyId: num(n.farmingPolicyId),
    interfaces: listOf(n.interfaces).map((x) => {
      const i = fieldsOf(x);
      return { name: text(i.name), mac: text(i.mac), ips: listOf(i.ips).map(text) };
    }),
    certification: decodeNodeCertification(n.certification),
    secureBoot: Boolean(n.secureBoot),
    virtualized: Boolean(n.virtualized),
    serialNumber: optionalText(n.serialNumber),
    connectionPrice: num(n.connectionPrice),
  };
}
