/**
 * A gateway on a private network (Zero-OS's GatewayBase `network`): the gateway node joins the
 * twin's network of that name, so the gateway's backends may be private addresses of it. The
 * network must be on the gateway's node: a `network` workload of the same deployment, or one the
 * twin deployed there before (the node looks it up by twin and name). Every backend is then
 * `http://IPv4[:port]` of a machine of that network — the node dials it inside the network, where
 * it offers plain http only — or, with `tls_passthrough`, `IPv4:port` of one.
 */
import { containsIp, parseCidr4, parseIpv4 } from '../net/cidr';
import type { Problem } from './errors';
import { machineIpInSubnet } from './network-data';

/** The gateway workload types that may carry `network`. */
export const GATEWAY_TYPES: readonly string[] = ['gateway-name-proxy', 'gateway-fqdn-proxy'];

/** A network the twin has on the gateway's node already (from an earlier deployment). */
export interface HostedNetwork {
  name: string;
  ip_range: string;
}

const NETWORK_NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const PRIVATE_BACKEND = /^http:\/\/([0-9.]{7,15})(?::(\d{1,5}))?\/?$/;
const PRIVATE_PASSTHROUGH = /^([0-9.]{7,15}):(\d{1,5})$/;

/** A backend's address on the network, or undefined when it is not `http://IPv4[:port]` (with `tlsPassthrough`: `IPv4:port`). */
export function privateBackendAddress(backend: string, tlsPassthrough = false): string | undefined {
  const m = (tlsPassthrough ? PRIVATE_PASSTHROUGH : PRIVATE_BACKEND).exec(backend);
  if (!m || parseIpv4(m[1]!) === undefined) return undefined;
  const port = m[2] === undefined ? 80 : Number(m[2]);
  return port >= 1 && port <= 65535 ? m[1] : undefined;
}

/**
 * Why `backend` cannot be a backend of a gateway on a network of `ipRange`, or undefined when it
 * can: an address of the range that a machine may have (.2 to .254 of its /24; .1 is a node's own
 * side of the network). Without `ipRange` (a network the node hosts from another deployment),
 * only its form.
 */
export function privateBackendProblem(backend: unknown, networkName: string, ipRange?: string, tlsPassthrough = false): string | undefined {
  const ip = typeof backend === 'string' ? privateBackendAddress(backend, tlsPassthrough) : undefined;
  if (ip === undefined && tlsPassthrough)
    return `must be IPv4:port, an address of network '${networkName}' (with tls_passthrough the gateway passes the TLS connection to it inside the network), got ${JSON.stringify(backend)}`;
  if (ip === undefined)
    return `must be http://IPv4[:port], an address of network '${networkName}' (the gateway reaches it inside the network, plain http), got ${JSON.stringify(backend)}`;
  if (ipRange === undefined) return undefined;
  const range = parseCidr4(ipRange);
  if (!range || !containsIp(range, parseIpv4(ip)!)) return `${ip} is outside network '${networkName}' (${ipRange})`;
  const subnet = `${ip.slice(0, ip.lastIndexOf('.'))}.0/24`;
  if (!machineIpInSubnet(ip, subnet)) return `${ip} is not a machine address of network '${networkName}' (.2 to .254 of a node's /24)`;
  return undefined;
}

interface GatewayWorkload {
  name?: unknown;
  type?: unknown;
  data?: { network?: unknown; backends?: unknown; ip_range?: unknown; tls_passthrough?: unknown };
}

/**
 * `onNode`: the twin's networks already on the gateway's node; undefined when unknown (the node's
 * own check: it knows what it hosts and refuses the rest when it admits the gateway).
 */
function check(workloads: unknown[], onNode: HostedNetwork[] | undefined, bad: (path: string, message: string) => void): void {
  const list = workloads as GatewayWorkload[];
  list.forEach((w, i) => {
    if (!GATEWAY_TYPES.includes(w?.type as string) || w.data?.network === undefined) return;
    const at = `$.workloads[${i}].data`;
    const name = w.data.network;
    if (typeof name !== 'string' || !NETWORK_NAME.test(name))
      return bad(`${at}.network`, 'must name a network of the twin on this node (1-64 characters of [a-zA-Z0-9_-])');
    const own = list.find((x) => x?.name === name);
    const range = own?.type === 'network' ? own.data?.ip_range : onNode?.find((n) => n.name === name)?.ip_range;
    if (range === undefined && onNode !== undefined)
      return bad(
        `${at}.network`,
        `network '${name}' is not on the gateway's node: no network workload of that name in this deployment, nor deployed there before`,
      );
    if (!Array.isArray(w.data.backends)) return; // the workload's own rules name it
    w.data.backends.forEach((b: unknown, k) => {
      const why = privateBackendProblem(b, name, typeof range === 'string' ? range : undefined, w.data!.tls_passthrough === true);
      if (why) bad(`${at}.backends[${k}]`, why);
    });
  });
}

/**
 * Across the deployment, as the node checks it: a gateway's `network` is a network name and its
 * backends are `http://IPv4[:port]`, of the network's range when the deployment holds it.
 */
export function gatewayNetworkReferences(workloads: unknown[], bad: (path: string, message: string) => void): void {
  check(workloads, undefined, bad);
}

/**
 * For a deployer: every gateway's network is on its node — a `network` workload of `d`, or one of
 * `onNode`, the twin's networks deployed on that node before — and its backends are machine
 * addresses of that network's range. Empty when all is well.
 */
export function gatewayNetworkProblems(d: { workloads: unknown[] }, onNode: HostedNetwork[] = []): Problem[] {
  const out: Problem[] = [];
  check(d.workloads, onNode, (path, message) => out.push({ path, message }));
  return out;
}
