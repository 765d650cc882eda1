/** The deployment document: what a user asks a node to run, as the node receives it. */
import { DeploymentError, type Problem } from './errors';
import { gatewayDuplicates } from './gateway-data';
import { gatewayNetworkReferences } from './gateway-network';
import { machineNetworkReferences } from './network-data';
import { validateWorkloadData } from './workloads';

/** Zero-OS's type names; `vm` is accepted as an alias of `zmachine` (same data). */
export const WORKLOAD_TYPES = ['zmachine', 'vm', 'volume', 'zmount', 'network', 'ip', 'gateway-name-proxy', 'gateway-fqdn-proxy'] as const;
export type WorkloadType = (typeof WORKLOAD_TYPES)[number];

export interface Workload {
  version: number;
  /** Unique within the deployment; other workloads refer to it (a zmachine mounts a volume by name). */
  name: string;
  type: WorkloadType;
  /** Type-specific parameters (see workloads.ts). */
  data: Record<string, unknown>;
  metadata: string;
  description: string;
}

export interface Deployment {
  version: number;
  twin_id: number;
  node_id: number;
  metadata: string;
  description: string;
  /** Unix seconds after which the node may drop it; 0 = no expiration. */
  expiration: number;
  workloads: Workload[];
}

const NAME = /^[a-zA-Z0-9_-]{1,50}$/;
const isUint = (x: unknown): x is number => typeof x === 'number' && Number.isSafeInteger(x) && x >= 0;

/** Every rule `d` breaks (empty when valid). Takes `unknown`: it is what the node runs on opened JSON. */
export function deploymentProblems(d: unknown): Problem[] {
  const out: Problem[] = [];
  const bad = (path: string, message: string) => out.push({ path, message });
  if (typeof d !== 'object' || d === null || Array.isArray(d)) return [{ path: '$', message: 'is not an object' }];
  const o = d as Record<string, unknown>;
  if (!isUint(o.version)) bad('$.version', 'must be an integer >= 0');
  if (!isUint(o.twin_id) || o.twin_id === 0) bad('$.twin_id', 'must be an integer >= 1');
  if (!isUint(o.node_id) || o.node_id === 0) bad('$.node_id', 'must be an integer >= 1');
  if (typeof o.metadata !== 'string') bad('$.metadata', 'must be a string');
  if (typeof o.description !== 'string') bad('$.description', 'must be a string');
  if (!isUint(o.expiration)) bad('$.expiration', 'must be unix seconds (integer >= 0, 0 = none)');
  if (!Array.isArray(o.workloads) || o.workloads.length === 0) {
    bad('$.workloads', 'must be a non-empty array');
    return out;
  }
  const seen = new Set<string>();
  o.workloads.forEach((w, i) => out.push(...workloadProblems(w, `$.workloads[${i}]`, seen)));
  // Cross-workload references (a zmachine mounting a volume or zmount) are checked once all names are known.
  const mountedBy = new Map<string, string>();
  o.workloads.forEach((w, i) => {
    const mounts = (w as { data?: { mounts?: unknown } })?.data?.mounts;
    if (!isMachine((w as Workload)?.type) || !Array.isArray(mounts)) return;
    mounts.forEach((m, j) => {
      const name = (m as { name?: unknown })?.name;
      if (typeof name !== 'string') return;
      const at = `$.workloads[${i}].data.mounts[${j}].name`;
      const target = (o.workloads as Workload[]).find((x) => x?.name === name);
      if (target?.type !== 'volume' && target?.type !== 'zmount') {
        bad(at, `no volume or zmount named '${name}' in this deployment`);
        return;
      }
      // A zmount is one machine's disk (Zero-OS hands it to a VM as a block device); a volume may be shared.
      const owner = (w as Workload).name;
      if (target.type !== 'zmount') return;
      if (mountedBy.has(name) && mountedBy.get(name) !== owner) bad(at, `'${name}' is already mounted by '${mountedBy.get(name)}'`);
      else mountedBy.set(name, owner);
    });
  });
  machineNetworkReferences(o.workloads, isMachine, bad);
  gatewayNetworkReferences(o.workloads, bad);
  gatewayDuplicates(o.workloads, bad);
  return out;
}

/** `zmachine` or its alias `vm`. */
export function isMachine(type: unknown): type is 'zmachine' | 'vm' {
  return type === 'zmachine' || type === 'vm';
}

function workloadProblems(w: unknown, path: string, seen: Set<string>): Problem[] {
  if (typeof w !== 'object' || w === null || Array.isArray(w)) return [{ path, message: 'is not an object' }];
  const o = w as Record<string, unknown>;
  const out: Problem[] = [];
  if (!isUint(o.version)) out.push({ path: `${path}.version`, message: 'must be an integer >= 0' });
  if (typeof o.name !== 'string' || !NAME.test(o.name))
    out.push({ path: `${path}.name`, message: 'must be 1-50 characters of [a-zA-Z0-9_-]' });
  else if (seen.has(o.name)) out.push({ path: `${path}.name`, message: `'${o.name}' is used twice` });
  else seen.add(o.name);
  if (typeof o.metadata !== 'string') out.push({ path: `${path}.metadata`, message: 'must be a string' });
  if (typeof o.description !== 'string') out.push({ path: `${path}.description`, message: 'must be a string' });
  if (!WORKLOAD_TYPES.includes(o.type as WorkloadType)) {
    out.push({ path: `${path}.type`, message: `must be one of ${WORKLOAD_TYPES.join(', ')}` });
  } else if (typeof o.data !== 'object' || o.data === null || Array.isArray(o.data)) {
    out.push({ path: `${path}.data`, message: 'must be an object' });
  } else {
    out.push(...validateWorkloadData(o.type as WorkloadType, o.data as Record<string, unknown>, `${path}.data`));
  }
  return out;
}

/**
 * Throws a DeploymentError naming every broken rule; WORKLOAD_INVALID when only workloads are at
 * fault (the node reports it on the workload), DEPLOYMENT_INVALID otherwise.
 */
export function assertValidDeployment(d: unknown): asserts d is Deployment {
  const problems = deploymentProblems(d);
  if (problems.length === 0) return;
  const onlyWorkloads = problems.every((p) => p.path.startsWith('$.workloads['));
  const text = problems.map((p) => `${p.path} ${p.message}`).join('; ');
  throw new DeploymentError(onlyWorkloads ? 'WORKLOAD_INVALID' : 'DEPLOYMENT_INVALID', text, problems);
}
