/**
 * A zmachine on the planetary overlay: an address from the node's Yggdrasil /64, routed from the
 * node's namespace (where the Yggdrasil TUN lives) into the machine's namespace through a veth.
 *
 * Layout, per machine:
 *  - a veth pair: `y<hash>` in the node's namespace, `ygg0` inside the machine;
 *  - the node's end holds only the link-local fe80::1 (no global address is spent on the node's
 *    side, and every machine sees the same gateway);
 *  - the machine gets `<subnet>::<index>/128` on ygg0 — a /128 rather than the /64, so two machines
 *    of the node reach each other through the node (a /64 on-link would make them look for each
 *    other by neighbour discovery on a link where only the node is) — and the route 200::/7 (every
 *    Yggdrasil address and subnet) via fe80::1;
 *  - the node routes `<subnet>::<index>/128` to its end of the veth, with IPv6 forwarding on.
 * Yggdrasil accepts from its TUN packets whose source lies in the node's /64, so the machine speaks
 * on the overlay in its own name. Addresses are added without duplicate address detection: both
 * ends of the link are ours, and DAD would hold the address back for a second or more.
 *
 * Forwarding on in the agent's own namespace makes the kernel ignore router advertisements on
 * interfaces with accept_ra=1: a node that learns its own IPv6 route by SLAAC needs accept_ra=2 on
 * its uplink. Test hosts and Zero-OS keep the daemon in a namespace of its own, where this is moot.
 */
import { createHash } from 'node:crypto';
import { PlanetaryError } from './errors';
import { runRaw, toolMessage, type ToolFailure } from '../workloads/disk/run';

/** The machine's end of the veth. */
export const MACHINE_IF = 'ygg0';
/** The node's end, as the machine's gateway. */
const GATEWAY = 'fe80::1';
const YGGDRASIL_RANGE = '200::/7';
const MAX_INDEX = 0xffff;
/**
 * Yggdrasil's TUN takes 65535-byte packets (its default IfMTU, which the node's config keeps) and
 * carries them over its peer links as a stream, so a packet costs it the same whatever its size:
 * a machine sending 1500-byte packets would cap its throughput at the daemon's packet rate. Paths
 * with a smaller MTU answer with Packet Too Big, as on any IPv6 link.
 */
export const PLANETARY_MTU = 65535;

export interface MachineRouteOptions {
  /** The node's namespace (where its Yggdrasil runs); default the agent's own. */
  hostNs?: string;
  /** The node's Yggdrasil /64, as getSelf gives it: `300:1234:5678:9abc::/64`. */
  subnet: string;
  /** The machine's network namespace (a name under /run/netns). */
  machineNs: string;
  /** The host part of the machine's address, 1..65535, unique among the node's machines. */
  index: number;
  /** The veth's MTU; default Yggdrasil's own interface MTU (see PLANETARY_MTU). */
  mtu?: number;
}

export interface MachineRoute {
  /** The machine's planetary address. */
  address: string;
  /** Its interface inside the machine. */
  ifName: string;
  /** The veth end in the node's namespace. */
  hostIf: string;
}

/** `300:1234:5678:9abc::/64` and 5 → `300:1234:5678:9abc::5`; refuses anything but a /64 with a zero host part. */
export function machineAddress(subnet: string, index: number): string {
  if (!Number.isInteger(index) || index < 1 || index > MAX_INDEX)
    throw new PlanetaryError('bad-config', `planetary machine index ${index} must be 1..${MAX_INDEX}`);
  const m = /^([0-9a-f:]+)\/64$/i.exec(subnet.trim());
  const groups = m ? expand(m[1]!) : undefined;
  if (!groups || groups.slice(4).some((g) => g !== 0))
    throw new PlanetaryError('bad-config', `planetary subnet '${subnet.slice(0, 60)}' is not an IPv6 /64`);
  return `${groups
    .slice(0, 4)
    .map((g) => g.toString(16))
    .join(':')}::${index.toString(16)}`;
}

/** Eight 16-bit groups of an IPv6 address, or undefined when it is not one. */
function expand(a: string): number[] | undefined {
  const halves = a.split('::');
  if (halves.length > 2) return undefined;
  const part = (s: string): string[] => (s === '' ? [] : s.split(':'));
  const head = part(halves[0]!);
  const tail = halves.length === 2 ? part(halves[1]!) : [];
  const fill = 8 - head.length - tail.length;
  if (halves.length === 2 ? fill < 1 : fill !== 0) return undefined;
  const all = [...head, ...Array<string>(fill).fill('0'), ...tail];
  if (!all.every((g) => /^[0-9a-f]{1,4}$/i.test(g))) return undefined;
  return all.map((g) => parseInt(g, 16));
}

/** The node-side veth name: ≤ 15 characters, from the machine's namespace and index (unique on the node). */
export function hostIfName(machineNs: string, index: number): string {
  return `y${createHash('sha256').update(`${machineNs}/${index}`).digest('hex').slice(0, 12)}`;
}

async function ip(ns: string | undefined, args: string[]): Promise<string> {
  const argv = ns ? ['-n', ns, ...args] : args;
  try {
    return await runRaw('ip', argv);
  } catch (e) {
    throw new PlanetaryError('route-failed', `ip ${argv.join(' ')} failed: ${toolMessage(e as ToolFailure)}`);
  }
}

/** IPv6 forwarding in the node's namespace (`ip netns exec` runs sysctl there). */
async function forwardIpv6(ns: string | undefined): Promise<void> {
  const sysctl = ['sysctl', '-qw', 'net.ipv6.conf.all.forwarding=1'];
  const argv = ns ? ['ip', 'netns', 'exec', ns, ...sysctl] : sysctl;
  try {
    await runRaw(argv[0]!, argv.slice(1));
  } catch (e) {
    throw new PlanetaryError('route-failed', `IPv6 forwarding not enabled: ${toolMessage(e as ToolFailure)}`);
  }
}

const tryIp = (ns: string | undefined, args: string[]): Promise<string | undefined> => ip(ns, args).catch(() => undefined);

/** Routes the machine's planetary address into its namespace (idempotent: an existing veth is kept, so traffic is not cut). */
export async function attachMachineRoute(o: MachineRouteOptions): Promise<MachineRoute> {
  const address = machineAddress(o.subnet, o.index);
  const hostIf = hostIfName(o.machineNs, o.index);
  const { hostNs, machineNs } = o;
  if ((await tryIp(hostNs, ['link', 'show', 'dev', hostIf])) === undefined) {
    await tryIp(machineNs, ['link', 'del', MACHINE_IF]);
    await ip(hostNs, ['link', 'add', hostIf, 'type', 'veth', 'peer', 'name', MACHINE_IF, 'netns', machineNs]);
  }
  const mtu = String(o.mtu ?? PLANETARY_MTU);
  await ip(hostNs, ['link', 'set', hostIf, 'mtu', mtu]);
  await ip(machineNs, ['link', 'set', MACHINE_IF, 'mtu', mtu]);
  await forwardIpv6(hostNs);
  await ip(hostNs, ['addr', 'replace', `${GATEWAY}/64`, 'dev', hostIf, 'nodad']);
  await ip(hostNs, ['link', 'set', hostIf, 'up']);
  await ip(machineNs, ['addr', 'replace', `${address}/128`, 'dev', MACHINE_IF, 'nodad']);
  await ip(machineNs, ['link', 'set', MACHINE_IF, 'up']);
  await ip(machineNs, ['-6', 'route', 'replace', YGGDRASIL_RANGE, 'via', GATEWAY, 'dev', MACHINE_IF]);
  await ip(hostNs, ['-6', 'route', 'replace', `${address}/128`, 'dev', hostIf]);
  return { address, ifName: MACHINE_IF, hostIf };
}

/** Removes the veth (both ends and the node's route go with it); idempotent. */
export async function detachMachineRoute(o: Pick<MachineRouteOptions, 'hostNs' | 'machineNs' | 'index'>): Promise<void> {
  await tryIp(o.hostNs, ['link', 'del', hostIfName(o.machineNs, o.index)]);
}
