/**
 * A gateway on a private network (Zero-OS's GatewayBase `network`): the gateway node joins the
 * twin's network of that name, so the gateway's backends may be private addresses of it. The node
 * joins it through a `network` workload of the same deployment (as a zmachine's interfaces do),
 * and then every backend is `http(s)://IPv4:port` of a machine of that network.
 */
import { containsIp, parseCidr4, parseIpv4 } from '../network/cidr';
import { machineIpInSubnet } from './network-data';

/** The gateway workload types that may carry `network`. */
export const GATEWAY_TYPES: readonly string[] = ['gateway-name-proxy', 'gateway-fqdn-proxy'];

const NETWORK_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const PRIVATE_BACKEND = /^https?:\/\/([0-9.]{7,15}):(\d{1,5})\/?$/;

/** A backend's address on the network, or undefined when it is not `http(s)://IPv4:port`. */
export function privateBackendAddress(backend: string): string | undefined {
  const m = PRIVATE_BACKEND.exec(backend);
  if (!m || parseIpv4(m[1]!) === undefined) return undefined;
  const port = Number(m[2]);
  return port >= 1 && port <= 65535 ? m[1] : undefined;
}

/**
 * Why `backend` cannot be a backend of a gateway on a network of `ipRange`, or undefined when it
 * can: an address of the range that a machine may have (.2 to .254 of its /24; .1 is the node's
 * own side of the network).
 */
export function privateBackendProblem(backend: unknown, networkName: string, ipRange: string): string | undefined {
  const range = parseCidr4(ipRange);
  const ip = typeof backend === 'string' ? privateBackendAddress(backend) : undefined;
  if (ip === undefined) return `must be http(s)://IPv4:port, an address of network '${networkName}' (the gateway joins it), got ${JSON.stringify(backend)}`;
  const n = parseIpv4(ip)!;
  if (!range || !containsIp(range, n)) return `${ip} is outside network '${networkName}' (${ipRange})`;
  const subnet = `${ip.slice(0, ip.lastIndexOf('.'))}.0/24`;
  if (!machineIpInSubnet(ip, subnet)) return `${ip} is not a machine address of network '${networkName}' (.2 to .254 of a node's /24)`;
  return undefined;
}

interface GatewayWorkload {
  name?: unknown;
  type?: unknown;
  data?: { network?: unknown; backends?: unknown; ip_range?: unknown };
}

/**
 * Across the deployment: a gateway's `network` names a `network` workload of this deployment (the
 * gateway node's part of it), and then its backends are machine addresses of that network's range.
 */
export function gatewayNetworkReferences(workloads: unknown[], bad: (path: string, message: string) => void): void {
  const list = workloads as GatewayWorkload[];
  list.forEach((w, i) => {
    if (!GATEWAY_TYPES.includes(w?.type as string) || w.data?.network === undefined) return;
    const at = `$.workloads[${i}].data`;
    const name = w.data.network;
    if (typeof name !== 'string' || !NETWORK_NAME.test(name)) return bad(`${at}.network`, 'must name a network workload of the deployment (1-64 characters of [a-zA-Z0-9_-])');
    const target = list.find((x) => x?.name === name);
    if (target?.type !== 'network') return bad(`${at}.network`, `no network workload named '${name}' in this deployment: the gateway node joins a network through its own network workload`);
    const range = target.data?.ip_range;
    if (typeof range !== 'string' || !Array.isArray(w.data.backends)) return; // the workloads' own rules name these
    w.data.backends.forEach((b: unknown, k) => {
      const why = privateBackendProblem(b, name, range);
      if (why) bad(`${at}.backends[${k}]`, why);
    });
  });
}
