/**
 * What a deployment asks of a node, as the node counts it (its zmachine and volume handlers):
 * CPUs and memory of the machines, and storage for volumes, zmounts and machine root filesystems.
 * A deployer checks it against the node's free capacity before it creates any contract.
 */
import type { Deployment } from './document';

/** A machine's root filesystem when its `size` is 0 or absent (the node's default). */
export const DEFAULT_MACHINE_SIZE = 2 * 1024 ** 3;

export interface DeploymentNeeds {
  cru: number;
  mru: number;
  /** Bytes of disk, SSD or HDD (the node places it on its pools). */
  storage: number;
}

const num = (x: unknown): number => (typeof x === 'number' && Number.isFinite(x) && x > 0 ? x : 0);

export function deploymentNeeds(d: Deployment): DeploymentNeeds {
  const out: DeploymentNeeds = { cru: 0, mru: 0, storage: 0 };
  for (const w of d.workloads) {
    const data = w.data as { size?: unknown; compute_capacity?: { cpu?: unknown; memory?: unknown } };
    if (w.type === 'zmachine' || w.type === 'vm') {
      out.cru += num(data.compute_capacity?.cpu);
      out.mru += num(data.compute_capacity?.memory);
      out.storage += num(data.size) || DEFAULT_MACHINE_SIZE;
    } else if (w.type === 'volume' || w.type === 'zmount') {
      out.storage += num(data.size);
    }
  }
  return out;
}
