/**
 * Reputation: the share of a window (24 h, 7 d, 30 d ending now) during which a node is known to
 * have been up, from its uptime reports (`NodeUptimeReported(node, timestamp, uptime)`, uptime =
 * seconds since the node booted).
 *
 * Method (also in the README):
 * - each report says the node has been up since its boot time `timestamp - uptime`;
 * - two consecutive reports of the same boot (boot times within BOOT_TOLERANCE_S: the uptime
 *   counter grew by the time that passed) prove the node up for the whole time between them;
 * - a report of a new boot (the counter restarted) proves it up only since that boot, and never
 *   before the previous report;
 * - the first report proves it up since its boot;
 * - after the last report the node counts as up until now only while its status would be up
 *   (last report younger than the 80-minute status window), and never longer than that window;
 * - the ratio is covered time within the window over the window's length, where a node created
 *   within the window is only judged from its creation on.
 * Covered time is kept as merged intervals, so a node that never rebooted holds a single one.
 */

export const REPUTATION_WINDOWS = { '24h': 24 * 3600, '7d': 7 * 24 * 3600, '30d': 30 * 24 * 3600 } as const;
export type ReputationWindow = keyof typeof REPUTATION_WINDOWS;
/** Timestamps are whole seconds and the chain accepts a hint 60 s off: a boot moving less than this is the same boot. */
export const BOOT_TOLERANCE_S = 120;
/** Intervals ending this long before the newest report are dropped (the longest window, plus a day). */
const KEEP_S = REPUTATION_WINDOWS['30d'] + 24 * 3600;

export interface Coverage {
  /** Merged [start, end] intervals (unix s), oldest first. */
  intervals: [number, number][];
  last: { timestamp: number; uptime: number } | null;
}

export const emptyCoverage = (): Coverage => ({ intervals: [], last: null });

/** Adds one report (reports arrive in chain order). */
export function addReport(c: Coverage, timestamp: number, uptime: number): void {
  const boot = timestamp - uptime;
  const prev = c.last;
  let start: number;
  if (prev && timestamp < prev.timestamp) return; // out of order: ignored (chain time never goes back)
  if (prev && Math.abs(boot - (prev.timestamp - prev.uptime)) <= BOOT_TOLERANCE_S) start = prev.timestamp;
  else start = prev ? Math.max(boot, prev.timestamp) : boot;
  c.last = { timestamp, uptime };
  const tail = c.intervals[c.intervals.length - 1];
  if (tail && start <= tail[1]) tail[1] = Math.max(tail[1], timestamp);
  else c.intervals.push([start, timestamp]);
  while (c.intervals.length > 1 && c.intervals[0]![1] < timestamp - KEEP_S) c.intervals.shift();
}

/**
 * Uptime ratio (0..1) over the `window` seconds ending at `now`. `created` is when the node was
 * registered; `upWindow` the status window after the last report (80 min).
 */
export function reputation(c: Coverage, window: number, now: number, created: number, upWindow: number): number {
  const from = Math.max(now - window, created);
  const span = now - from;
  if (span <= 0) return 0;
  let covered = 0;
  for (const [s, e] of c.intervals) covered += Math.max(0, Math.min(e, now) - Math.max(s, from));
  if (c.last && now - c.last.timestamp < upWindow) {
    const tailFrom = Math.max(c.last.timestamp, from);
    covered += Math.max(0, now - tailFrom);
  }
  return Math.min(1, covered / span);
}
