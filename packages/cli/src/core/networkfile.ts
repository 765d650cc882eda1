/**
 * The deployment file's private networks and per-workload nodes:
 *
 *   "networks": [{ "name": "net", "ip_range": "10.20.0.0/16" }],     // ip_range optional (10.20.0.0/16)
 *   "workloads": [{ "type": "zmachine", "name": "a", "node": 1,
 *                   "network": { "interfaces": [{ "network": "net" }], "planetary": true } }, …]
 *
 * A machine's interface may give its `ip` (of its node's subnet), else one is picked. A gateway
 * may join a network too, so its backends are private addresses of that network's machines:
 *
 *   { "type": "gateway-name-proxy", "name": "site", "node": 3, "gateway_name": "mysite",
 *     "network": "net", "backends": ["http://10.20.2.2:8080", "http://web:8080"] }
 *
 * where a backend is http://HOST[:PORT], HOST an IPv4 address of the network's range or the name of
 * a machine of the file that joins it (replaced by that machine's address when the network is planned).
 */

export interface FileNetwork {
  name: string;
  /** A /16 of a private range; undefined: the planner's default. */
  ipRange?: string;
}

type Bad = (where: string, what: string) => never;

const NAME = /^[a-zA-Z0-9_-]{1,64}$/;
const RANGE = /^(\d{1,3})\.(\d{1,3})\.0\.0\/16$/;

/** `10/8`, `172.16/12`, `192.168/16` as a /16 network address. */
function privateRange16(s: string): boolean {
  const m = RANGE.exec(s);
  if (!m) return false;
  const [a, b] = [Number(m[1]), Number(m[2])];
  if (a > 255 || b > 255) return false;
  return a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168);
}

export function parseNetworks(v: unknown, bad: Bad): FileNetwork[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) return bad('networks', 'must be an array of {name, ip_range}');
  const seen = new Set<string>();
  return v.map((n: unknown, i) => {
    const at = `networks[${i}]`;
    if (typeof n !== 'object' || n === null || Array.isArray(n)) return bad(at, 'must be an object {name, ip_range}');
    const o = n as Record<string, unknown>;
    const unknown = Object.keys(o).filter((k) => k !== 'name' && k !== 'ip_range');
    if (unknown.length) bad(`${at}: unknown field(s) ${unknown.join(', ')}`, '(known: name, ip_range)');
    if (typeof o.name !== 'string' || !NAME.test(o.name))
      bad(`${at}.name`, `must be 1 to 64 letters, digits, - or _, got ${JSON.stringify(o.name)}`);
    const name = o.name as string;
    if (seen.has(name)) bad(`${at}.name`, `'${name}' is given twice`);
    seen.add(name);
    if (o.ip_range !== undefined && (typeof o.ip_range !== 'string' || !privateRange16(o.ip_range)))
      bad(
        `${at}.ip_range`,
        `must be a /16 of a private range (10/8, 172.16/12, 192.168/16), e.g. 10.20.0.0/16, got ${JSON.stringify(o.ip_range)}`,
      );
    return { name, ...(o.ip_range !== undefined ? { ipRange: o.ip_range as string } : {}) };
  });
}

/** A workload's `node`: a node id ≥ 1, or nothing (then `--node`). */
export function parseWorkloadNode(v: unknown, where: string, bad: Bad): { node?: number } {
  if (v === undefined) return {};
  if (!Number.isSafeInteger(v) || (v as number) < 1) return bad(where, `must be a node id (a whole number ≥ 1), got ${JSON.stringify(v)}`);
  return { node: v as number };
}

interface FileWorkload {
  type: string;
  name: string;
  data: Record<string, unknown>;
}

const isMachine = (t: string): boolean => t === 'zmachine' || t === 'vm';

/** The interfaces a machine of the file declares (well-formed ones; the client's rules judge the rest). */
export function machineInterfaces(w: FileWorkload): { network: string; ip?: string }[] {
  const net = w.data.network as { interfaces?: unknown } | undefined;
  if (!isMachine(w.type) || typeof net !== 'object' || net === null || !Array.isArray(net.interfaces)) return [];
  return (net.interfaces as unknown[]).filter(
    (i): i is { network: string; ip?: string } =>
      typeof i === 'object' && i !== null && typeof (i as { network?: unknown }).network === 'string',
  );
}

const GATEWAYS = new Set(['gateway-name-proxy', 'gateway-fqdn-proxy']);

/** The network a gateway of the file joins (its `network`), if any. */
export function gatewayNetwork(w: FileWorkload): string | undefined {
  return GATEWAYS.has(w.type) && typeof w.data.network === 'string' ? w.data.network : undefined;
}

const BACKEND = /^(https?:\/\/)([^\s/:]{1,253})(:\d{1,5})?(\/?)$/;
const IPV4_LIKE = /^[0-9.]+$/;

/**
 * A gateway backend that names a machine (`http://web:8080`): the machine's name, else undefined
 * (an address, or a form the client's rules refuse).
 */
export function backendMachine(backend: unknown): string | undefined {
  const m = typeof backend === 'string' ? BACKEND.exec(backend) : null;
  return m && !IPV4_LIKE.test(m[2]!) ? m[2] : undefined;
}

/** The backend with its machine name replaced by `ip`. */
export function backendAt(backend: string, ip: string): string {
  return backend.replace(
    BACKEND,
    (_all, scheme: string, _host: string, port: string | undefined, slash: string) => `${scheme}${ip}${port ?? ''}${slash}`,
  );
}

/**
 * Every network a machine joins is one of the file's `networks` (or a `network` workload it
 * writes out itself); a network's name is not also a workload's; every listed network is joined
 * (by a machine or a gateway); a gateway's backend naming a machine names one of the file that
 * joins its network. A gateway's network the file does not hold is left to `deploy` (a saved one).
 */
export function checkNetworkReferences(networks: FileNetwork[], workloads: FileWorkload[], bad: Bad): void {
  const planned = new Set(networks.map((n) => n.name));
  const own = new Set(workloads.filter((w) => w.type === 'network').map((w) => w.name));
  const joined = new Set<string>();
  const known = (net: string): string | undefined =>
    planned.has(net) || own.has(net)
      ? undefined
      : `names no network of the file: '${net}' (the file's networks: ${[...planned].join(', ') || 'none'})`;
  workloads.forEach((w, i) => {
    if (planned.has(w.name))
      bad(`workloads[${i}].name`, `'${w.name}' is also the name of a network of the file (the network becomes a workload of that name)`);
    machineInterfaces(w).forEach((itf, k) => {
      const at = `workloads[${i}].network.interfaces[${k}].network`;
      const unknown = known(itf.network);
      if (unknown) bad(at, unknown);
      if (planned.has(itf.network) && itf.ip !== undefined && typeof itf.ip !== 'string')
        bad(`${at.slice(0, -'.network'.length)}.ip`, "must be an IPv4 address of the node's subnet");
      joined.add(itf.network);
    });
  });
  workloads.forEach((w, i) => {
    if (GATEWAYS.has(w.type) && w.data.network !== undefined && typeof w.data.network !== 'string')
      bad(`workloads[${i}].network`, 'must name a network by its name (one of the file, or one deployed before)');
    const net = gatewayNetwork(w);
    // A network the file does not hold may be one deployed before: `deploy` looks it up among the saved ones.
    if (net === undefined || known(net)) return;
    joined.add(net);
    (Array.isArray(w.data.backends) ? (w.data.backends as unknown[]) : []).forEach((b, k) => {
      const name = backendMachine(b);
      if (name === undefined) return;
      const at = `workloads[${i}].backends[${k}]`;
      const target = workloads.find((x) => x.name === name && isMachine(x.type));
      if (!target)
        bad(
          at,
          `names '${name}', which is no machine of the file (a backend of a gateway on network '${net}' is http://IP[:port] or http://MACHINE[:port])`,
        );
      else if (!machineInterfaces(target).some((x) => x.network === net))
        bad(at, `names machine '${name}', which does not join network '${net}'`);
    });
  });
  const idle = networks.filter((n) => !joined.has(n.name));
  if (idle.length)
    bad(
      `networks: ${idle.map((n) => `'${n.name}'`).join(', ')}`,
      "joined by no machine or gateway (add it to a machine's network.interfaces, or leave it out)",
    );
}

/** Whether `deploy` plans networks, spans nodes or joins a gateway to a network for this file (else: one deployment on --node). */
export function spansNodes(f: { networks: FileNetwork[]; workloads: (FileWorkload & { node?: number })[] }): boolean {
  return f.networks.length > 0 || f.workloads.some((w) => w.node !== undefined || gatewayNetwork(w) !== undefined);
}
