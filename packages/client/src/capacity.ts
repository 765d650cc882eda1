/**
 * What a node keeps for its own system and what it has free: one computation for the agent (which
 * admits workloads with it) and the explorer (which shows deployers what fits).
 */
import { GiB, type Resources } from './chain';

/** The SSD share a node keeps (cache, logs, agent state): 20 GiB, or all SSD when there is less. */
export const SYSTEM_SSD_RESERVE = 20 * GiB;

/**
 * Reserved as Zero-OS nodes do for memory: max(10 % of memory, 2 GiB) (capped at what exists);
 * SSD: SYSTEM_SSD_RESERVE; no CPU or HDD is held back.
 */
export function reservedCapacity(total: Resources): Resources {
  return {
    cru: 0,
    mru: Math.min(total.mru, Math.max(Math.floor(total.mru / 10), 2 * GiB)),
    sru: Math.min(total.sru, SYSTEM_SSD_RESERVE),
    hru: 0,
  };
}

/** total − reserved − used, never negative: what a deployment can still take on a node. */
export function freeCapacity(total: Resources, used: Resources): Resources {
  const r = reservedCapacity(total);
  const f = (k: keyof Resources): number => Math.max(0, total[k] - r[k] - used[k]);
  return { cru: f('cru'), mru: f('mru'), sru: f('sru'), hru: f('hru') };
}
