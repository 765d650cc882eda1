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
 * A node its farm powers down (farmerbot: target Down, then the node's state Down) is credited the
 * time until it went down, and on waking (a report of a boot after it went down, once a boot was
 * requested with target Up) the time it slept, unless it slept more than 24 h or booted more than
 * 30 min after the request (a failed boot; more than one in a period is a violation).
 */
import type { Power } from '@tfgrid/client';
import type { ExplorerUptimeReport } from '../model/answers';
import { POST_PERIOD_SECONDS, type Period } from './period';

export const UPTIME_GRACE_SECONDS = 60;
export const REPORT_INTERVAL_SECONDS = 40 * 60;
/** The most one report can credit. */
export const MAX_CREDIT_SECONDS = REPORT_INTERVAL_SECONDS + UPTIME_GRACE_SECONDS;
export const CLOCK_SKEW_SECONDS = 2 * UPTIME_GRACE_SECONDS;
/** Violations listed per node at most (the count is always exact). */
export const MAX_LISTED_VIOLATIONS = 20;

export const MAX_SLEEP_SECONDS = 24 * 60 * 60;
export const MAX_BOOT_SECONDS = 30 * 60;
export const MAX_FAILED_BOOTS = 1;

/** One uptime report (the explorer's answer type). */
export type UptimeReport = ExplorerUptimeReport;

/** The chain's power states (the client's `Power`). */
export type { Power };
/** A `PowerTargetChanged` (the farm's wish) or `PowerStateChanged` (the node's state) event. */
export interface PowerEvent {
  timestamp: number;
  block?: number;
  target?: Power;
  state?: Power;
}
export interface PowerInput {
  /** Target and state at the period's start, and when the node went down if it was. */
  atStart: { target: Power; state: Power; downAt: number | null };
  /** Events after the start up to 27 h after the end, in order. */
  events: readonly PowerEvent[];
}

export type ViolationKind = 'uptime_too_high' | 'uptime_too_low' | 'invalid_reboot' | 'clock_skew' | 'boot_request_expired';

export interface Violation {
  kind: ViolationKind;
  message: string;
  /** The earlier report it is judged against (for clock skew: the report that set the boot time). */
  previous?: UptimeReport;
  reported?: UptimeReport;
  failed_boots?: number;
}

export interface UptimeMeasure {
  /** Credited seconds of uptime in the period. */
  seconds: number;
  /** Whether minting saw the node up in the period at all (no uptime: no reward). */
  hasUptime: boolean;
  /** Reports within the period. */
  reports: number;
  /** The report after the end that credited the period's last stretch, if any. */
  postPeriodReport: UptimeReport | null;
  reboots: number;
  firstReport: UptimeReport | null;
  lastReport: UptimeReport | null;
  /** Power management by the farm: shutdowns, wake-ups, boots later than requested or never. */
  powerManaged: { shutdowns: number; wakeups: number; failedBoots: number };
  violationCount: number;
  /** In order of detection, the first MAX_LISTED_VIOLATIONS; minting records the first. */
  violations: Violation[];
}

const MESSAGES: Record<ViolationKind, string> = {
  uptime_too_high: 'uptime increased more than time did since the previous report',
  uptime_too_low: 'uptime increased less than time did, and the node did not reboot',
  invalid_reboot: 'the node rebooted before its previous uptime report',
  clock_skew: `the boot time drifted by ${CLOCK_SKEW_SECONDS} s or more between reports of one boot`,
  boot_request_expired: `the node failed more than ${MAX_FAILED_BOOTS} boot request of its farm (not up within ${MAX_BOOT_SECONDS / 60} min)`,
};

type Step = { report: UptimeReport } | { power: PowerEvent };
const timeOf = (s: Step): number => ('report' in s ? s.report.timestamp : s.power.timestamp);
const blockOf = (s: Step): number => ('report' in s ? s.report.block : s.power.block) ?? 0;

/** Reports and power events in time order (in one block: power events first). */
function timeline(reports: readonly UptimeReport[], power: readonly PowerEvent[]): Step[] {
  const steps: Step[] = [...power.map((p) => ({ power: p })), ...reports.map((r) => ({ report: r }))];
  // A stable sort: each list keeps its own order on ties.
  return steps.sort((a, b) => timeOf(a) - timeOf(b) || blockOf(a) - blockOf(b));
}

/** Reports sorted by time, in and after (27 h) the period (others are ignored), and the node's power events. */
export function measureUptime(reports: readonly UptimeReport[], period: Period, power?: PowerInput): UptimeMeasure {
  const m: UptimeMeasure = {
    seconds: 0,
    hasUptime: false,
    reports: 0,
    postPeriodReport: null,
    reboots: 0,
    firstReport: null,
    lastReport: null,
    powerManaged: { shutdowns: 0, wakeups: 0, failedBoots: 0 },
    violationCount: 0,
    violations: [],
  };
  let last: UptimeReport | null = null;
  let boot: { time: number; report: UptimeReport } | null = null;
  let target: Power = power?.atStart.target ?? 'Up';
  let state: Power = power?.atStart.state ?? 'Up';
  /** When the farm's power management took the node down (minting's power_managed). */
  let downAt: number | null = state === 'Down' ? (power?.atStart.downAt ?? period.start) : null;
  /** The first boot request since (minting's power_manage_boot). */
  let bootRequest: number | null = state === 'Down' && target === 'Up' ? period.start : null;
  const violate = (v: Omit<Violation, 'message'>): void => {
    m.violationCount++;
    if (m.violations.length < MAX_LISTED_VIOLATIONS) m.violations.push({ ...v, message: MESSAGES[v.kind] });
  };
  const skew = (r: UptimeReport): void => {
    if (boot && Math.abs(r.timestamp - r.uptime - boot.time) >= CLOCK_SKEW_SECONDS)
      violate({ kind: 'clock_skew', previous: boot.report, reported: r });
  };
  const seen = (r: UptimeReport, post: boolean): void => {
    last = r;
    m.hasUptime = true;
    if (post) m.postPeriodReport = r;
    else {
      m.firstReport ??= r;
      m.lastReport = r;
    }
  };

  for (const step of timeline(reports, power?.events ?? [])) {
    const t = timeOf(step);
    if (t < period.start || t > period.end + POST_PERIOD_SECONDS) continue;
    const post = t > period.end;
    if ('power' in step) {
      const p = step.power;
      if (p.target) {
        if (p.target === 'Up' && state === 'Down' && bootRequest === null) bootRequest = t;
        target = p.target;
      } else if (p.state) {
        if (target === 'Down' && state === 'Up' && p.state === 'Down' && downAt === null) {
          downAt = t;
          m.powerManaged.shutdowns++;
          // Up until it went down; after the period that time belongs to the next one.
          if (!post && last) {
            m.seconds += t - (last as UptimeReport).timestamp;
            last = { timestamp: t, uptime: 0 };
          }
        }
        state = p.state;
      }
      continue;
    }
    const r = step.report;
    if (!post) m.reports++;
    if (downAt !== null || bootRequest !== null) {
      // Powered down by the farm: only a boot it asked for counts.
      if (downAt === null || bootRequest === null) continue;
      const booted = r.timestamp - r.uptime;
      if (post ? last !== null && (last as UptimeReport).timestamp > period.end : booted <= downAt) continue;
      let credit = r.timestamp - downAt <= MAX_SLEEP_SECONDS;
      if (booted - bootRequest > MAX_BOOT_SECONDS) {
        credit = false;
        m.powerManaged.failedBoots++;
      }
      if (credit)
        m.seconds += post
          ? Math.max(0, period.end - Math.max(period.start, downAt))
          : downAt < period.start
            ? r.timestamp - period.start
            : r.timestamp - downAt;
      downAt = bootRequest = null;
      m.powerManaged.wakeups++;
      boot = { time: booted, report: r };
      seen(r, post);
      continue;
    }
    if (!last) {
      // Minting reads no report from before the period; after it, only nodes already seen count.
      if (post) continue;
      m.seconds += Math.min(r.timestamp - period.start, r.uptime, MAX_CREDIT_SECONDS);
      boot = { time: r.timestamp - r.uptime, report: r };
      seen(r, post);
      continue;
    }
    const prev: UptimeReport = last;
    // After the end, one report closes the period.
    if (post && prev.timestamp >= period.end) continue;
    const reportDelta = r.timestamp - prev.timestamp;
    const uptimeDelta = r.uptime - prev.uptime;
    if (uptimeDelta > reportDelta + UPTIME_GRACE_SECONDS) {
      violate({ kind: 'uptime_too_high', previous: prev, reported: r });
      seen(r, post);
      continue;
    }
    if (Math.abs(uptimeDelta - reportDelta) <= UPTIME_GRACE_SECONDS) {
      skew(r);
      if (uptimeDelta > 0) {
        m.seconds += Math.min(post ? period.end - prev.timestamp : uptimeDelta, MAX_CREDIT_SECONDS);
        seen(r, post);
        continue;
      }
    }
    if (r.uptime <= reportDelta) {
      const outside = post ? r.timestamp - period.end : 0;
      if (outside < r.uptime) m.seconds += Math.min(r.uptime - outside, MAX_CREDIT_SECONDS);
      m.reboots++;
      boot = { time: r.timestamp - r.uptime, report: r };
      seen(r, post);
      continue;
    }
    violate({ kind: r.uptime > prev.uptime ? 'uptime_too_low' : 'invalid_reboot', previous: prev, reported: r });
  }
  // A boot asked for within the period and never done fails too (one pending since the start is a dead node's).
  if (bootRequest !== null && bootRequest !== period.start && bootRequest <= period.end) m.powerManaged.failedBoots++;
  if (m.powerManaged.failedBoots > MAX_FAILED_BOOTS) violate({ kind: 'boot_request_expired', failed_boots: m.powerManaged.failedBoots });
  return m;
}
