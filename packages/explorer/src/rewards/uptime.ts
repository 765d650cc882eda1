/**
 * Uptime in a minting period from a node's `NodeUptimeReported(node, timestamp, uptime)` events,
 * with minting_v3's rules for a node that is not power managed:
 * - the first report in the period credits min(time since the period start, its uptime, 41 min);
 * - a report whose uptime grew by the time since the previous one (± 60 s) credits that growth,
 *   at most 41 min (a healthy node reports every 40 min);
 * - a report whose uptime is at most the time since the previous one is a reboot: it credits its
 *   uptime, at most 41 min, and sets a new boot time;
 * - violations (any one zeroes the reward): uptime grew more than time (`uptime_too_high`); grew,
 *   but too little to be either consistent or a reboot (`uptime_too_low`); a reboot that would have
 *   happened before the previous report (`invalid_reboot`); the boot time (timestamp − uptime) of
 *   consistent reports drifting 120 s or more from the one of the boot (`clock_skew`);
 * - after the period ends, the node's first report within 27 h credits the time up to the end.
 */
import { POST_PERIOD_SECONDS, type Period } from './period';

export const UPTIME_GRACE_SECONDS = 60;
export const REPORT_INTERVAL_SECONDS = 40 * 60;
/** The most one report can credit. */
export const MAX_CREDIT_SECONDS = REPORT_INTERVAL_SECONDS + UPTIME_GRACE_SECONDS;
export const CLOCK_SKEW_SECONDS = 2 * UPTIME_GRACE_SECONDS;
/** Violations listed per node at most (the count is always exact). */
export const MAX_LISTED_VIOLATIONS = 20;

export interface UptimeReport {
  /** The event's timestamp (the block's time), unix s. */
  timestamp: number;
  /** Seconds since the node booted. */
  uptime: number;
  /** Block of the event, when the index holds it. */
  block?: number;
}

export type ViolationKind = 'uptime_too_high' | 'uptime_too_low' | 'invalid_reboot' | 'clock_skew';

export interface Violation {
  kind: ViolationKind;
  message: string;
  /** The earlier report it is judged against (for clock skew: the report that set the boot time). */
  previous: UptimeReport;
  reported: UptimeReport;
}

export interface UptimeMeasure {
  /** Credited seconds of uptime in the period. */
  seconds: number;
  /** Reports within the period. */
  reports: number;
  /** The report after the end that credited the period's last stretch, if any. */
  postPeriodReport: UptimeReport | null;
  reboots: number;
  firstReport: UptimeReport | null;
  lastReport: UptimeReport | null;
  violationCount: number;
  /** In order of detection, the first MAX_LISTED_VIOLATIONS; minting records the first. */
  violations: Violation[];
}

const MESSAGES: Record<ViolationKind, string> = {
  uptime_too_high: 'uptime increased more than time did since the previous report',
  uptime_too_low: 'uptime increased less than time did, and the node did not reboot',
  invalid_reboot: 'the node rebooted before its previous uptime report',
  clock_skew: `the boot time drifted by ${CLOCK_SKEW_SECONDS} s or more between reports of one boot`,
};

/** Reports sorted by time, in and after (27 h) the period; others are ignored. */
export function measureUptime(reports: readonly UptimeReport[], period: Period): UptimeMeasure {
  const m: UptimeMeasure = { seconds: 0, reports: 0, postPeriodReport: null, reboots: 0, firstReport: null, lastReport: null, violationCount: 0, violations: [] };
  let last: UptimeReport | null = null;
  let boot: { time: number; report: UptimeReport } | null = null;
  const violate = (kind: ViolationKind, previous: UptimeReport, reported: UptimeReport): void => {
    m.violationCount++;
    if (m.violations.length < MAX_LISTED_VIOLATIONS) m.violations.push({ kind, message: MESSAGES[kind], previous, reported });
  };
  const skew = (r: UptimeReport): void => {
    if (boot && Math.abs(r.timestamp - r.uptime - boot.time) >= CLOCK_SKEW_SECONDS) violate('clock_skew', boot.report, r);
  };

  for (const r of reports) {
    if (r.timestamp < period.start || r.timestamp > period.end + POST_PERIOD_SECONDS) continue;
    const post = r.timestamp > period.end;
    if (!last) {
      // Minting reads no report from before the period; after it, only nodes already seen count.
      if (post) break;
      m.seconds = Math.min(r.timestamp - period.start, r.uptime, MAX_CREDIT_SECONDS);
      m.reports++;
      m.firstReport = m.lastReport = last = r;
      boot = { time: r.timestamp - r.uptime, report: r };
      continue;
    }
    // After the end, one report closes the period.
    if (post && last.timestamp >= period.end) break;
    if (!post) m.reports++;
    const reportDelta = r.timestamp - last.timestamp;
    const uptimeDelta = r.uptime - last.uptime;
    if (uptimeDelta > reportDelta + UPTIME_GRACE_SECONDS) {
      violate('uptime_too_high', last, r);
      last = r;
      if (!post) m.lastReport = r;
      continue;
    }
    if (Math.abs(uptimeDelta - reportDelta) <= UPTIME_GRACE_SECONDS) {
      skew(r);
      if (uptimeDelta > 0) {
        m.seconds += Math.min(post ? period.end - last.timestamp : uptimeDelta, MAX_CREDIT_SECONDS);
        last = r;
        if (post) m.postPeriodReport = r;
        else m.lastReport = r;
        continue;
      }
    }
    if (r.uptime <= reportDelta) {
      const outside = post ? r.timestamp - period.end : 0;
      if (outside < r.uptime) m.seconds += Math.min(r.uptime - outside, MAX_CREDIT_SECONDS);
      m.reboots++;
      last = r;
      boot = { time: r.timestamp - r.uptime, report: r };
      if (post) m.postPeriodReport = r;
      else m.lastReport = r;
      continue;
    }
    violate(r.uptime > last.uptime ? 'uptime_too_low' : 'invalid_reboot', last, r);
  }
  return m;
}
