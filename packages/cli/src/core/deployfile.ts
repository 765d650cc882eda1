/**
 * The deployment file `tfgrid deploy` reads: JSON, sizes with units, workload fields flat, named
 * as Zero-OS names them.
 *
 * {
 *   "description": "my web site",            // optional
 *   "metadata": "",                          // optional, free text kept in the deployment
 *   "contract_data": "",                     // optional, the contract's deployment_data (public)
 *   "public_ips": 0,                         // optional, farm IPs the contract takes
 *   "expiration": 0,                         // optional, unix seconds (0 = none)
 *   "networks": [{ "name": "net", "ip_range": "10.20.0.0/16" }], // optional, private networks (see networkfile.ts)
 *   "workloads": [
 *     { "type": "volume", "name": "data", "size": "1GiB" },
 *     { "type": "zmachine", "name": "web",
 *       "image": { "url": "http://127.0.0.1:8090/busybox.tar.gz", "sha256": "<64 hex>" },
 *       "size": "1GiB", "compute_capacity": { "cpu": 1, "memory": "512MiB" },
 *       "entrypoint": "httpd -f -p 8080", "env": {"PORT": "8080"},
 *       "mounts": [{ "name": "data", "mountpoint": "/data" }] },
 *     { "type": "gateway-name-proxy", "name": "site", "gateway_name": "mysite", "backends": ["http://10.20.1.2:8080"] },
 *     { "type": "gateway-fqdn-proxy", "name": "own", "fqdn": "www.example.com", "backends": ["http://10.20.1.2:8080"] }
 *   ]
 * }
 *
 * A workload may also carry the protocol's own `data` object instead of flat fields. Sizes
 * (`size`, `compute_capacity.memory`) are bytes or strings with a unit (512MiB, 10GiB, 1GB). `vm`
 * is `zmachine`'s alias; the short forms `cpu`, `memory` and `rootfs_size` of a machine are folded
 * into `compute_capacity` and `size`. A gateway-name-proxy's name contract is `gateway_name` (or
 * `data.name`); a gateway-fqdn-proxy's domain is `fqdn` (the deployer's own, its DNS pointing at
 * the node: no name contract), with `tls_passthrough` its backends are `IP:port`.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Deployment, WorkloadType } from '@tfgrid/client';
import { chainLib } from './context';
import { UsageError } from './errors';
import { parseSize } from './units';
import { checkNetworkReferences, parseNetworks, parseWorkloadNode, type FileNetwork } from './networkfile';

export interface DeploymentFile {
  description: string;
  metadata: string;
  contractData: string;
  publicIps: number;
  expiration: number;
  /** Private networks the file's machines join (`tfgrid deploy` plans them across their nodes). */
  networks: FileNetwork[];
  /** `node`: the workload's node; without it, `--node`. */
  workloads: {
    type: WorkloadType;
    name: string;
    description: string;
    metadata: string;
    version: number;
    node?: number;
    data: Record<string, unknown>;
  }[];
}

const TOP = new Set(['description', 'metadata', 'contract_data', 'public_ips', 'expiration', 'networks', 'workloads']);
const COMMON = new Set(['type', 'name', 'description', 'metadata', 'version', 'node', 'data']);
const SIZES = ['size'];
const MACHINES = new Set(['zmachine', 'vm']);

/** Reads and checks a deployment file; every problem is a UsageError naming the file and field. */
export function readDeploymentFile(file: string, cwd = process.cwd()): DeploymentFile {
  return parseDeploymentFile(readJsonFile(file, cwd), file);
}

/** The file's JSON value, or a UsageError when it cannot be read or is not JSON. */
export function readJsonFile(file: string, cwd = process.cwd()): unknown {
  let raw: string;
  try {
    raw = readFileSync(path.resolve(cwd, file), 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read the deployment file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  let v: unknown;
  try {
    v = JSON.parse(raw);
  } catch (e) {
    throw new UsageError(`${file} is not JSON: ${(e as Error).message}`);
  }
  return v;
}

export function parseDeploymentFile(v: unknown, file = 'the deployment file'): DeploymentFile {
  const bad = (where: string, what: string): never => {
    throw new UsageError(`${file}: ${where} ${what}`);
  };
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return bad('the top level', 'must be a JSON object with "workloads"');
  const o = v as Record<string, unknown>;
  const unknown = Object.keys(o).filter((k) => !TOP.has(k));
  if (unknown.length) bad(`unknown field(s) ${unknown.join(', ')}`, `(known: ${[...TOP].join(', ')})`);
  const text = (k: string): string => (o[k] === undefined ? '' : typeof o[k] === 'string' ? (o[k] as string) : bad(k, 'must be a string'));
  const uint = (x: unknown, where: string): number =>
    x === undefined ? 0 : Number.isSafeInteger(x) && (x as number) >= 0 ? (x as number) : bad(where, 'must be a whole number ≥ 0');
  if (!Array.isArray(o.workloads) || o.workloads.length === 0) bad('workloads', 'must be a non-empty array');
  const networks = parseNetworks(o.networks, bad);
  const workloads = (o.workloads as unknown[]).map((w, i) => {
    const at = `workloads[${i}]`;
    if (typeof w !== 'object' || w === null || Array.isArray(w)) return bad(at, 'must be an object');
    const x = w as Record<string, unknown>;
    // The type's value is checked by the client's rules when the deployment is built.
    if (typeof x.type !== 'string') bad(`${at}.type`, 'must be a string (volume, vm, gateway-name-proxy, gateway-fqdn-proxy, …)');
    if (typeof x.name !== 'string') bad(`${at}.name`, 'must be a string');
    const flat = Object.fromEntries(Object.entries(x).filter(([k]) => !COMMON.has(k)));
    if (x.data !== undefined && (typeof x.data !== 'object' || x.data === null || Array.isArray(x.data)))
      bad(`${at}.data`, 'must be an object');
    const data: Record<string, unknown> = { ...((x.data as Record<string, unknown>) ?? {}), ...flat };
    // A gateway's name may be given as gateway_name (name is the workload's own).
    if (x.type === 'gateway-name-proxy' && data.gateway_name !== undefined) {
      data.name = data.gateway_name;
      delete data.gateway_name;
    }
    checkGatewayFields(x.type as string, data, at, bad);
    if (MACHINES.has(x.type as string)) foldMachine(data, at, file, bad);
    for (const k of SIZES) if (data[k] !== undefined) data[k] = parseSize(data[k], `${file}: ${at}.${k}`);
    return {
      type: x.type as WorkloadType,
      name: x.name as string,
      description:
        x.description === undefined ? '' : typeof x.description === 'string' ? x.description : bad(`${at}.description`, 'must be a string'),
      metadata: x.metadata === undefined ? '' : typeof x.metadata === 'string' ? x.metadata : bad(`${at}.metadata`, 'must be a string'),
      version: uint(x.version, `${at}.version`),
      ...parseWorkloadNode(x.node, `${at}.node`, bad),
      data,
    };
  });
  checkNetworkReferences(networks, workloads, bad);
  return {
    description: text('description'),
    metadata: text('metadata'),
    contractData: text('contract_data'),
    publicIps: uint(o.public_ips, 'public_ips'),
    expiration: uint(o.expiration, 'expiration'),
    networks,
    workloads,
  };
}

/**
 * A gateway's fields that belong to the other kind: a name proxy serves a name contract
 * (`gateway_name`), an fqdn proxy the deployer's own domain (`fqdn`); one given the other's field
 * is refused rather than silently ignored. The values are checked by the client's rules.
 */
function checkGatewayFields(type: string, data: Record<string, unknown>, at: string, bad: (where: string, what: string) => never): void {
  if (type === 'gateway-name-proxy' && data.fqdn !== undefined)
    bad(`${at}.fqdn`, "is a field of gateway-fqdn-proxy (your own domain); a gateway-name-proxy serves <gateway_name>.<the node's domain>");
  if (type !== 'gateway-fqdn-proxy') return;
  for (const k of ['gateway_name', 'name'] as const)
    if (data[k] !== undefined)
      bad(
        `${at}.${k === 'name' ? 'data.name' : k}`,
        'is a field of gateway-name-proxy (a name contract); a gateway-fqdn-proxy serves its "fqdn" and needs no name contract',
      );
  if (data.fqdn === undefined)
    bad(`${at}.fqdn`, 'is missing: the domain to serve, e.g. "www.example.com" (its DNS pointing at the gateway node)');
}

/**
 * A machine's short forms into Zero-OS's fields: cpu/memory → compute_capacity, rootfs_size →
 * size; memory parsed with its unit. Giving both forms of one field is refused.
 */
function foldMachine(data: Record<string, unknown>, at: string, file: string, bad: (where: string, what: string) => never): void {
  if (
    data.compute_capacity !== undefined &&
    (typeof data.compute_capacity !== 'object' || data.compute_capacity === null || Array.isArray(data.compute_capacity))
  )
    bad(`${at}.compute_capacity`, 'must be an object {cpu, memory}');
  const cc = { ...((data.compute_capacity as Record<string, unknown> | undefined) ?? {}) };
  for (const k of ['cpu', 'memory'] as const) {
    if (data[k] === undefined) continue;
    if (cc[k] !== undefined) bad(`${at}.${k}`, `is given twice (also as compute_capacity.${k})`);
    cc[k] = data[k];
    delete data[k];
  }
  if (data.rootfs_size !== undefined) {
    if (data.size !== undefined) bad(`${at}.rootfs_size`, 'is given twice (also as size)');
    data.size = data.rootfs_size;
    delete data.rootfs_size;
  }
  if (cc.memory !== undefined) cc.memory = parseSize(cc.memory, `${file}: ${at}.compute_capacity.memory`);
  if (Object.keys(cc).length) data.compute_capacity = cc;
}

/** The protocol document for `twinId` on `nodeId`; the client's rules name what is invalid. */
export async function buildDeployment(f: DeploymentFile, twinId: number, nodeId: number, version = 0): Promise<Deployment> {
  const { DeploymentBuilder, DeploymentError } = await chainLib();
  const b = new DeploymentBuilder(twinId, nodeId).version(version).description(f.description).metadata(f.metadata).expiration(f.expiration);
  for (const w of f.workloads) b.workload(w.type, w.name, w.data, { version: w.version, description: w.description, metadata: w.metadata });
  try {
    return b.build();
  } catch (e) {
    if (e instanceof DeploymentError) {
      const problems = e.problems?.length ? e.problems.map((p) => `${p.path} ${p.message}`).join('; ') : e.message;
      throw new UsageError(`the deployment is not valid: ${problems}`);
    }
    throw e;
  }
}
