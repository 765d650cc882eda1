/** A node's status (up, standby, down) as grid-proxy computes it from its power and last report. */
import type { NodeRecord } from '../model/records';

export const UP_WINDOW_S = 80 * 60;
export const STANDBY_WINDOW_S = 24 * 60 * 60;

export type NodeStatus = 'up' | 'down' | 'standby';

/** Power state and target both Up. */
export const poweredOn = (n: NodeRecord): boolean => n.power.state === 'Up' && n.power.target === 'Up';

/** Last seen: the later of its last uptime report and its last update (unix s). */
export const lastSeen = (n: NodeRecord): number => Math.max(n.lastUptimeReport, n.updatedAt);

/**
 * grid-proxy's rule: up when the power state **and** target are Up and a report or update is
 * younger than 80 min; standby when powered down, powering down or powering up (state or target
 * Down) and seen (a report, an update, or the power-down itself) within 24 h; else down.
 */
export function nodeStatus(n: NodeRecord, now: number): NodeStatus {
  return statusOf(poweredOn(n), lastSeen(n), n.power.downAt ?? 0, now);
}

/** The same rule from its inputs (what the index's columns keep: view/node-columns.ts). */
export function statusOf(on: boolean, seen: number, downAt: number, now: number): NodeStatus {
  if (on) return now - seen < UP_WINDOW_S ? 'up' : 'down';
  return now - Math.max(seen, downAt) < STANDBY_WINDOW_S ? 'standby' : 'down';
}
