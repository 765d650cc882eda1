/**
 * The deployment file `tfgrid deploy` reads: JSON, sizes with units, workload fields flat.
 *
 * {
 *   "description": "my web site",            // optional
 *   "metadata": "",                          // optional, free text kept in the deployment
 *   "contract_data": "",                     // optional, the contract's deployment_data (public)
 *   "public_ips": 0,                         // optional, farm IPs the contract takes
 *   "expiration": 0,                         // optional, unix seconds (0 = none)
 *   "workloads": [
 *     { "type": "volume", "name": "data", "size": "1GiB" },
 *     { "type": "vm", "name": "web", "flist": "https://hub.grid.tf/tf-official-apps/base:latest.flist",
 *       "cpu": 1, "memory": "512MiB", "entrypoint": "node server.js", "env": {"PORT": "8080"},
 *       "mounts": [{ "name": "data", "mountpoint": "/data" }] },
 *     { "type": "gateway-name-proxy", "name": "site", "gateway_name": "mysite", "backends": ["http://10.20.1.2:8080"] }
 *   ]
 * }
 *
 * A workload may also carry the protocol's own `data` object instead of flat fields. Sizes
 * (`size`, `memory`, `rootfs_size`) are bytes or strings with a unit (512MiB, 10GiB, 1GB).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { Deployment, WorkloadType } from '@tfgrid/client';
import { chainLib } from './context';
import { UsageError } from './errors';
import { parseSize } from './units';

export interface DeploymentFile {
  description: string;
  metadata: string;
  contractData: string;
  publicIps: number;
  expiration: number;
  workloads: { type: WorkloadType; name: string; description: string; metadata: string; version: number; data: Record<string, unknown> }[];
}

const TOP = new Set(['description', 'metadata', 'contract_data', 'public_ips', 'expiration', 'workloads']);
const COMMON = new Set(['type', 'name', 'description', 'metadata', 'version', 'data']);
const SIZES = ['size', 'memory', 'rootfs_size'];

/** Reads and checks a deployment file; every problem is a UsageError naming the file and field. */
export function readDeploymentFile(file: string, cwd = process.cwd()): DeploymentFile {
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
  return parseDeploymentFile(v, file);
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
  const uint = (x: unknown, where: string): number => (x === undefined ? 0 : Number.isSafeInteger(x) && (x as number) >= 0 ? (x as number) : bad(where, 'must be a whole number ≥ 0'));
  if (!Array.isArray(o.workloads) || o.workloads.length === 0) bad('workloads', 'must be a non-empty array');
  const workloads = (o.workloads as unknown[]).map((w, i) => {
    const at = `workloads[${i}]`;
    if (typeof w !== 'object' || w === null || Array.isArray(w)) return bad(at, 'must be an object');
    const x = w as Record<string, unknown>;
    // The type's value is checked by the client's rules when the deployment is built.
    if (typeof x.type !== 'string') bad(`${at}.type`, 'must be a string (volume, vm, gateway-name-proxy)');
    if (typeof x.name !== 'string') bad(`${at}.name`, 'must be a string');
    const flat = Object.fromEntries(Object.entries(x).filter(([k]) => !COMMON.has(k)));
    if (x.data !== undefined && (typeof x.data !== 'object' || x.data === null || Array.isArray(x.data))) bad(`${at}.data`, 'must be an object');
    const data: Record<string, unknown> = { ...((x.data as Record<string, unknown>) ?? {}), ...flat };
    // A gateway's name may be given as gateway_name (name is the workload's own).
    if (x.type === 'gateway-name-proxy' && data.gateway_name !== undefined) {
      data.name = data.gateway_name;
      delete data.gateway_name;
    }
    for (const k of SIZES) if (data[k] !== undefined) data[k] = parseSize(data[k], `${file}: ${at}.${k}`);
    return {
      type: x.type as WorkloadType,
      name: x.name as string,
      description: x.description === undefined ? '' : typeof x.description === 'string' ? x.description : bad(`${at}.description`, 'must be a string'),
      metadata: x.metadata === undefined ? '' : typeof x.metadata === 'string' ? x.metadata : bad(`${at}.metadata`, 'must be a string'),
      version: uint(x.version, `${at}.version`),
      data,
    };
  });
  return { description: text('description'), metadata: text('metadata'), contractData: text('contract_data'), publicIps: uint(o.public_ips, 'public_ips'), expiration: uint(o.expiration, 'expiration'), workloads };
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
