/** A node's status (up, standby, down) as grid-proxy computes it from its power and last report. */
import type { NodeRecord } from '../model/records';

export const UP_WINDOW_S = 80 * 60;
export const STANDBY_WINDOW_S = 24 * 60 * 60;

export type NodeStatus = 'up' | 'down' | 'standby';

/**
 * grid-proxy's rule: up when the power state **and** target are Up and a report or update is
 * younger than 80 min; standby when powered down, powering down or powering up (state or target
 * Down) and seen (a report, an update, or the power-down itself) within 24 h; else down.
 */
export function nodeStatus(n: NodeRecord, now: number): NodeStatus {
  const seen = Math.max(n.lastUptimeReport, n.updatedAt);
  const on = n.power.state === 'Up' && n.power.target === 'Up';
  if (on) return now - seen < UP_WINDOW_S ? 'up' : 'down';
  return now - Math.max(seen, n.power.downAt ?? 0) < STANDBY_WINDOW_S ? 'standby' : 'down';
}
