/**
 * The network primitive's data, with Zero-OS's names: the `network` workload (a user's private
 * network as seen by one node), the `ip` workload (a public IP of the contract, for one zmachine)
 * and a zmachine's `network` field (which networks it joins, planetary, public IP).
 */
import { containsCidr, containsIp, overlaps, parseCidr4, parseIpv4, isPrivate, type Cidr4 } from '../net/cidr';
import { isWireguardKey } from '../net/wireguard-keys';

/** A peer node (or a user's machine) of a private network. */
export interface NetworkPeer {
  /** Its /24 of the network's range. */
  subnet: string;
  wireguard_public_key: string;
  /** What is routed to it: its subnet and its WireGuard address (100.64.x.y/32), or more for an access point. */
  allowed_ips: string[];
  /** host:port it listens on; empty for a peer behind NAT (it dials in). */
  endpoint: string;
}

/** `network`: this node's part of a private network. */
export interface NetworkData {
  /** The whole network, a /16 of a private range. */
  ip_range: string;
  /** This node's /24 of it. */
  subnet: string;
  wireguard_private_key: string;
  wireguard_listen_port: number;
  peers: NetworkPeer[];
}

/** `ip`: the contract's public IPv4 (and/or the node's IPv6) for one zmachine. */
export interface PublicIpData {
  v4?: boolean;
  v6?: boolean;
}

/** A zmachine's `network`. */
export interface MachineNetwork {
  /** Private networks it joins, each a `network` workload of the same deployment. */
  interfaces?: { network: string; ip: string }[];
  /** An address from the node's planetary (Yggdrasil) /64. */
  planetary?: boolean;
  /** Name of an `ip` workload of the same deployment. */
  public_ip?: string;
}

const MAX_PEERS = 256;
const MAX_ALLOWED = 64;
const MAX_INTERFACES = 8;

type Bad = (field: string, message: string) => void;

export function networkProblems(d: Record<string, unknown>, bad: Bad): void {
  const range = typeof d.ip_range === 'string' ? parseCidr4(d.ip_range) : undefined;
  if (!range || range.prefix !== 16 || !isPrivate(range))
    bad('ip_range', 'must be a /16 of a private range (10/8, 172.16/12, 192.168/16), e.g. 10.20.0.0/16');
  const subnet = typeof d.subnet === 'string' ? parseCidr4(d.subnet) : undefined;
  if (!subnet || subnet.prefix !== 24) bad('subnet', "must be a /24, this node's part of ip_range");
  else if (range && !containsCidr(range, subnet)) bad('subnet', `must lie inside ip_range ${d.ip_range as string}`);
  if (!isWireguardKey(d.wireguard_private_key)) bad('wireguard_private_key', 'must be a WireGuard key (44 base64 characters)');
  const port = d.wireguard_listen_port;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1024 || port > 65535)
    bad('wireguard_listen_port', 'must be a UDP port 1024..65535');
  if (!Array.isArray(d.peers) || d.peers.length > MAX_PEERS) return bad('peers', `must be an array of at most ${MAX_PEERS}`);
  const seen: Cidr4[] = subnet ? [subnet] : [];
  const keys = new Set<string>();
  d.peers.forEach((p: unknown, i) => {
    const at = `peers[${i}]`;
    if (typeof p !== 'object' || p === null || Array.isArray(p))
      return bad(at, 'must be an object {subnet, wireguard_public_key, allowed_ips, endpoint}');
    const peer = p as Record<string, unknown>;
    const ps = typeof peer.subnet === 'string' ? parseCidr4(peer.subnet) : undefined;
    if (!ps || ps.prefix !== 24) bad(`${at}.subnet`, 'must be a /24');
    else if (range && !containsCidr(range, ps)) bad(`${at}.subnet`, `must lie inside ip_range ${d.ip_range as string}`);
    else if (seen.some((s) => overlaps(s, ps)))
      bad(`${at}.subnet`, `${peer.subnet as string} overlaps this node's subnet or another peer's`);
    else seen.push(ps);
    if (!isWireguardKey(peer.wireguard_public_key)) bad(`${at}.wireguard_public_key`, 'must be a WireGuard key (44 base64 characters)');
    else if (keys.has(peer.wireguard_public_key)) bad(`${at}.wireguard_public_key`, 'is the key of another peer');
    else keys.add(peer.wireguard_public_key);
    if (!Array.isArray(peer.allowed_ips) || peer.allowed_ips.length === 0 || peer.allowed_ips.length > MAX_ALLOWED)
      bad(`${at}.allowed_ips`, `must be 1..${MAX_ALLOWED} IPv4 networks`);
    else
      peer.allowed_ips.forEach((a: unknown, j) => {
        if (typeof a !== 'string' || !parseCidr4(a)) bad(`${at}.allowed_ips[${j}]`, 'must be an IPv4 network like 10.20.2.0/24');
      });
    if (typeof peer.endpoint !== 'string' || (peer.endpoint !== '' && !isEndpoint(peer.endpoint)))
      bad(`${at}.endpoint`, "must be host:port (IPv4, or [IPv6]:port), or '' for a peer behind NAT");
  });
}

export function publicIpProblems(d: Record<string, unknown>, bad: Bad): void {
  for (const f of ['v4', 'v6'] as const) if (d[f] !== undefined && typeof d[f] !== 'boolean') bad(f, 'must be a boolean');
  if (d.v4 !== true && d.v6 !== true) bad('v4', 'ask for v4, v6 or both');
}

/** The zmachine's `network` field; `path` is its own path (…data.network). */
export function machineNetworkProblems(n: unknown, bad: Bad): void {
  if (typeof n !== 'object' || n === null || Array.isArray(n))
    return bad('network', 'must be an object {interfaces, planetary, public_ip}');
  const net = n as Record<string, unknown>;
  if (net.planetary !== undefined && typeof net.planetary !== 'boolean') bad('network.planetary', 'must be a boolean');
  if (net.public_ip !== undefined && (typeof net.public_ip !== 'string' || !/^[a-zA-Z0-9_-]{1,64}$/.test(net.public_ip)))
    bad('network.public_ip', 'must name an ip workload of the deployment');
  if (net.interfaces === undefined) return;
  if (!Array.isArray(net.interfaces) || net.interfaces.length > MAX_INTERFACES)
    return bad('network.interfaces', `must be an array of at most ${MAX_INTERFACES}`);
  const names = new Set<string>();
  net.interfaces.forEach((i: unknown, k) => {
    const at = `network.interfaces[${k}]`;
    const itf = (typeof i === 'object' && i !== null ? i : {}) as Record<string, unknown>;
    if (typeof itf.network !== 'string' || !/^[a-zA-Z0-9_-]{1,64}$/.test(itf.network))
      bad(`${at}.network`, 'must name a network workload of the deployment');
    else if (names.has(itf.network)) bad(`${at}.network`, 'joins the same network twice');
    else names.add(itf.network);
    if (typeof itf.ip !== 'string' || parseIpv4(itf.ip) === undefined)
      bad(`${at}.ip`, 'must be an IPv4 address in the network subnet of this node');
  });
}

/** The machine's address must be a host of the node's /24 (not .0, .1 — the network's gateway — or .255). */
export function machineIpInSubnet(ip: string, subnet: string): boolean {
  const a = parseIpv4(ip);
  const s = parseCidr4(subnet);
  if (a === undefined || !s || !containsIp(s, a)) return false;
  const host = a - s.base;
  return host >= 2 && host < 255;
}

/** host:port with an IPv4 literal, a bracketed IPv6 literal or a DNS name. */
export function isEndpoint(s: string): boolean {
  if (s.length > 260) return false;
  const m = /^(\[[0-9a-fA-F:.]{2,45}\]|[^\s:[\]]{1,253}):(\d{1,5})$/.exec(s);
  if (!m) return false;
  const port = Number(m[2]);
  if (port < 1 || port > 65535) return false;
  const host = m[1]!;
  return (
    host.startsWith('[') ||
    parseIpv4(host) !== undefined ||
    /^[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?(\.[a-zA-Z0-9]([a-zA-Z0-9-]{0,61}[a-zA-Z0-9])?)*$/.test(host)
  );
}

/** Zero-OS's WireGuard address of a node's subnet: 10.20.3.0/24 → 100.64.20.3. */
export function wireguardAddress(subnet: string): string {
  const s = parseCidr4(subnet);
  if (!s) throw new TypeError(`not an IPv4 network: ${subnet}`);
  return `100.64.${Math.floor(s.base / 65536) % 256}.${Math.floor(s.base / 256) % 256}`;
}

interface RefWorkload {
  name?: unknown;
  type?: unknown;
  data?: { network?: MachineNetwork; subnet?: unknown };
}

/**
 * Across the deployment: a machine joins networks and takes public IPs the deployment holds, with
 * an address of the network's subnet on this node that no other machine of the deployment has; an
 * `ip` workload serves one machine.
 */
export function machineNetworkReferences(
  workloads: unknown[],
  isMachine: (t: unknown) => boolean,
  bad: (path: string, message: string) => void,
): void {
  const list = workloads as RefWorkload[];
  const byName = (n: string) => list.find((x) => x?.name === n);
  const addressOf = new Map<string, string>();
  const ipOwner = new Map<string, string>();
  list.forEach((w, i) => {
    if (!isMachine(w?.type)) return;
    const net = w.data?.network;
    if (typeof net !== 'object' || net === null) return;
    (Array.isArray(net.interfaces) ? net.interfaces : []).forEach((itf, k) => {
      if (typeof itf?.network !== 'string' || typeof itf.ip !== 'string') return;
      const at = `$.workloads[${i}].data.network.interfaces[${k}]`;
      const target = byName(itf.network);
      if (target?.type !== 'network') return bad(`${at}.network`, `no network workload named '${itf.network}' in this deployment`);
      const subnet = target.data?.subnet;
      if (typeof subnet === 'string' && !machineIpInSubnet(itf.ip, subnet))
        return bad(`${at}.ip`, `${itf.ip} is not a machine address of the network's subnet ${subnet} here (.2 to .254)`);
      const key = `${itf.network}/${itf.ip}`;
      if (addressOf.has(key)) bad(`${at}.ip`, `${itf.ip} is already the address of '${addressOf.get(key)}' on '${itf.network}'`);
      else addressOf.set(key, String(w.name));
    });
    if (typeof net.public_ip === 'string') {
      const at = `$.workloads[${i}].data.network.public_ip`;
      if (byName(net.public_ip)?.type !== 'ip') bad(at, `no ip workload named '${net.public_ip}' in this deployment`);
      else if (ipOwner.has(net.public_ip)) bad(at, `'${net.public_ip}' is already the public IP of '${ipOwner.get(net.public_ip)}'`);
      else ipOwner.set(net.public_ip, String(w.name));
    }
  });
}
