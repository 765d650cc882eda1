/**
 * What applying a deployment to a contract's current states means: which workloads are unchanged,
 * which must be (re)provisioned with what capacity, and which are refused before anything is
 * touched (invalid data, unknown type, handler admission), each with its reason.
 */
import { deploymentProblems, type Deployment, type Workload } from '@tfgrid/client';
import type { HandlerRegistry } from './registry';
import type { Capacity, HandlerContext, WorkloadHandler, WorkloadState } from '../core/workload-types';

/** Provisioning order: disks, networks and public IPs before the machines that use them, gateways last; teardown in reverse. */
const ORDER: Record<string, number> = {
  volume: 0,
  zmount: 0,
  network: 0,
  ip: 0,
  zmachine: 1,
  vm: 1,
  'gateway-name-proxy': 2,
  'gateway-fqdn-proxy': 2,
};
export const rank = (type: string): number => ORDER[type] ?? 3;
export const live = (s: WorkloadState | undefined): s is WorkloadState => !!s && (s.state === 'ok' || s.state === 'paused');

export interface Step {
  w: Workload;
  h: WorkloadHandler;
  needs: Capacity;
  /** The live state it replaces (an update), if any. */
  previous: WorkloadState | undefined;
}

export interface Plan {
  todo: Step[];
  refused: { w: Workload; previous: WorkloadState | undefined; reason: string }[];
}

/**
 * `hold(s, w)`: leave this non-live workload alone (not retried).
 * Workloads come out in provisioning order.
 */
export async function planDeployment(
  states: WorkloadState[],
  d: Deployment,
  registry: HandlerRegistry,
  ctx: HandlerContext,
  hold: (s: WorkloadState, w: Workload) => boolean,
): Promise<Plan> {
  const workloads: Workload[] = Array.isArray(d.workloads) ? d.workloads : [];
  const problems = deploymentProblems(d);
  const general = problems.filter((p) => !p.path.startsWith('$.workloads['));
  const out: Plan = { todo: [], refused: [] };
  const indexed = workloads.map((w, i) => ({ w, i })).sort((a, b) => rank(a.w.type) - rank(b.w.type));
  for (const { w, i } of indexed) {
    const s = states.find((x) => x.name === w.name && x.type === w.type);
    if (live(s) && s.version === w.version) continue; // unchanged
    if (s && s.state !== 'ok' && s.state !== 'paused' && s.version === w.version && hold(s, w)) continue;
    const previous = live(s) ? s : undefined;
    const refuse = (reason: string): void => void out.refused.push({ w, previous, reason });
    const mine = problems.filter((p) => p.path === `$.workloads[${i}]` || p.path.startsWith(`$.workloads[${i}].`));
    const bad = [...general, ...mine];
    if (bad.length) {
      refuse(`invalid ${mine.length ? 'workload' : 'deployment'}: ${bad.map((p) => `${p.path} ${p.message}`).join('; ')}`);
      continue;
    }
    const h = registry.get(w.type);
    if (!h) {
      refuse(`unknown workload type '${w.type}' (this node runs ${registry.types().join(', ')})`);
      continue;
    }
    let needs: Capacity;
    try {
      needs = h.needs(w);
    } catch (e) {
      refuse(`invalid workload: ${(e as Error).message}`);
      continue;
    }
    try {
      await h.admit?.(w, ctx); // the handler words its own refusal (node role, ownership, no pool...)
      out.todo.push({ w, h, needs, previous });
    } catch (e) {
      refuse((e as Error).message);
    }
  }
  return out;
}
