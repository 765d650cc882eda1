/**
 * Planning a private network across nodes, as grid clients do: each node gets a /24 of the
 * network's /16, a WireGuard key pair and a listen port; nodes with a public endpoint peer with
 * each other directly; a node behind NAT (no endpoint) and a user's own machine peer only with the
 * network's access node (the first node with an endpoint), which routes for them. A plan is kept
 * and grown: nodes and users already planned keep their subnet, keys and port.
 */
import { formatCidr4, formatIpv4, parseCidr4, size, type Cidr4 } from '../net/cidr';
import { wireguardKeyPair } from '../net/wireguard-keys';
import { wireguardAddress, type NetworkData, type NetworkPeer } from '../deployment/network-data';

export interface NetworkNodeInput {
  nodeId: number;
  /** The address other nodes reach it on (its public IPv4 or IPv6, no port), or none behind NAT. */
  endpoint?: string;
}

export interface PlannedMember {
  subnet: string;
  privateKey: string;
  publicKey: string;
  /** 100.64.x.y: its WireGuard address. */
  wireguardIp: string;
}

export interface PlannedNode extends PlannedMember {
  nodeId: number;
  endpoint?: string;
  listenPort: number;
}

export interface PlannedUser extends PlannedMember {
  name: string;
}

export interface NetworkPlan {
  name: string;
  ipRange: string;
  nodes: PlannedNode[];
  users: PlannedUser[];
}

export interface PlanInput {
  name: string;
  /** Default 10.20.0.0/16. */
  ipRange?: string;
  nodes: NetworkNodeInput[];
  /** Users' machines that join through the access node (`tfgrid network access`). */
  users?: string[];
  /** The plan so far: what it holds is kept. */
  previous?: NetworkPlan;
  /** Picks a listen port (tests make it deterministic). */
  port?: () => number;
}

export class NetworkPlanError extends Error {
  readonly code = 'network-plan';
}

/** A network's range when none is given. */
export const DEFAULT_NETWORK_RANGE = '10.20.0.0/16';
const randomPort = (): number => 1024 + Math.floor(Math.random() * (32767 - 1024));

export function planNetwork(i: PlanInput): NetworkPlan {
  const ipRange = i.previous?.ipRange ?? i.ipRange ?? DEFAULT_NETWORK_RANGE;
  const range = parseCidr4(ipRange);
  if (!range || range.prefix !== 16) throw new NetworkPlanError(`network range ${ipRange} must be a /16`);
  if (i.previous && i.ipRange && i.ipRange !== i.previous.ipRange)
    throw new NetworkPlanError(`network '${i.name}' already uses ${i.previous.ipRange}; its range cannot change`);
  const taken = new Set<string>([...(i.previous?.nodes ?? []), ...(i.previous?.users ?? [])].map((m) => m.subnet));
  const nextSubnet = (): string => {
    // x.y.0.0/24 and x.y.1.0/24 are left out, as grid clients do.
    for (let k = 2; k < 255; k++) {
      const s = formatCidr4({ base: range.base + k * 256, prefix: 24 });
      if (!taken.has(s)) {
        taken.add(s);
        return s;
      }
    }
    throw new NetworkPlanError(`network ${ipRange} has no free /24 left`);
  };
  const member = (): PlannedMember => {
    const subnet = nextSubnet();
    const k = wireguardKeyPair();
    return { subnet, privateKey: k.privateKey, publicKey: k.publicKey, wireguardIp: wireguardAddress(subnet) };
  };
  const ports = new Set<number>();
  const nodes = i.nodes.map((n): PlannedNode => {
    const had = i.previous?.nodes.find((p) => p.nodeId === n.nodeId);
    const listenPort = had?.listenPort ?? uniquePort(ports, i.port ?? randomPort);
    ports.add(listenPort);
    return had ? { ...had, endpoint: n.endpoint } : { nodeId: n.nodeId, endpoint: n.endpoint, listenPort, ...member() };
  });
  const users = (i.users ?? []).map((name) => i.previous?.users.find((u) => u.name === name) ?? { name, ...member() });
  const plan: NetworkPlan = { name: i.name, ipRange, nodes, users };
  if (needsAccess(plan) && !accessNode(plan))
    throw new NetworkPlanError(
      `network '${i.name}': no node has a public endpoint, so nodes behind NAT and users' machines cannot join; add a node with a public IP`,
    );
  return plan;
}

function uniquePort(used: Set<number>, pick: () => number): number {
  for (let k = 0; k < 100; k++) {
    const p = pick();
    if (!used.has(p)) return p;
  }
  throw new NetworkPlanError('could not pick a free WireGuard port');
}

const needsAccess = (p: NetworkPlan): boolean => p.users.length > 0 || (p.nodes.length > 1 && p.nodes.some((n) => !n.endpoint));

/** The node hidden peers and users go through: the first one with an endpoint. */
export function accessNode(p: NetworkPlan): PlannedNode | undefined {
  return p.nodes.find((n) => n.endpoint);
}

const own = (m: PlannedMember): string[] => [m.subnet, `${m.wireguardIp}/32`];
const endpointOf = (n: PlannedNode): string =>
  n.endpoint!.includes(':') ? `[${n.endpoint}]:${n.listenPort}` : `${n.endpoint}:${n.listenPort}`;

/** The `network` workload data for one node of the plan. */
export function networkData(p: NetworkPlan, nodeId: number): NetworkData {
  const me = p.nodes.find((n) => n.nodeId === nodeId);
  if (!me) throw new NetworkPlanError(`node ${nodeId} is not part of network '${p.name}'`);
  const access = accessNode(p);
  const hidden: PlannedMember[] = [...p.nodes.filter((n) => !n.endpoint), ...p.users];
  const peers: NetworkPeer[] = [];
  if (!me.endpoint) {
    // Behind NAT: everything goes through the access node, which this node dials.
    if (access)
      peers.push({
        subnet: access.subnet,
        wireguard_public_key: access.publicKey,
        allowed_ips: [p.ipRange, '100.64.0.0/16'],
        endpoint: endpointOf(access),
      });
  } else {
    for (const n of p.nodes) {
      if (n === me || !n.endpoint) continue;
      const via = n === access ? hidden.flatMap(own) : [];
      peers.push({ subnet: n.subnet, wireguard_public_key: n.publicKey, allowed_ips: [...own(n), ...via], endpoint: endpointOf(n) });
    }
    if (me === access)
      for (const h of hidden) peers.push({ subnet: h.subnet, wireguard_public_key: h.publicKey, allowed_ips: own(h), endpoint: '' });
  }
  return { ip_range: p.ipRange, subnet: me.subnet, wireguard_private_key: me.privateKey, wireguard_listen_port: me.listenPort, peers };
}

/** A wg-quick configuration with which a user's machine joins the network through its access node. */
export function accessConfig(p: NetworkPlan, user: string): string {
  const u = p.users.find((x) => x.name === user);
  if (!u) throw new NetworkPlanError(`network '${p.name}' has no user access '${user}'`);
  const a = accessNode(p)!;
  return [
    '[Interface]',
    `Address = ${u.wireguardIp}/32`,
    `PrivateKey = ${u.privateKey}`,
    '',
    '[Peer]',
    `PublicKey = ${a.publicKey}`,
    `AllowedIPs = ${p.ipRange}, 100.64.0.0/16`,
    `Endpoint = ${endpointOf(a)}`,
    'PersistentKeepalive = 25',
    '',
  ].join('\n');
}

/** The first free host address of a node's subnet, skipping those `used` (zmachines get .2 onwards). */
export function machineAddress(subnet: string, used: string[] = []): string {
  const s: Cidr4 | undefined = parseCidr4(subnet);
  if (!s) throw new NetworkPlanError(`not an IPv4 network: ${subnet}`);
  for (let k = 2; k < size(s) - 1; k++) {
    const a = formatIpv4(s.base + k);
    if (!used.includes(a)) return a;
  }
  throw new NetworkPlanError(`subnet ${subnet} has no free address`);
}
