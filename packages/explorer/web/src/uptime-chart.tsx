/**
 * A node's uptime reports as an SVG chart: each report's uptime counter (time since boot) against
 * the time it was reported, so steady growth is a rising line and a reboot a drop to zero.
 */
import { date, duration } from './format';
import type { UptimeReport } from './types';

const W = 720;
const H = 200;
const PAD = { left: 56, right: 12, top: 12, bottom: 28 };

/** The reports within [from, to] (unix s), drawn over that span. */
export function UptimeChart({ reports: all, from, to }: { reports: UptimeReport[]; from: number; to: number }) {
  const reports = all.filter((r) => r.timestamp >= from && r.timestamp <= to);
  if (reports.length === 0) return <p class="empty">No uptime report in this window.</p>;
  const t0 = Math.min(from, reports[0]!.timestamp);
  const t1 = Math.max(to, reports[reports.length - 1]!.timestamp, t0 + 60);
  const maxUp = Math.max(60, ...reports.map((r) => r.uptime));
  const x = (t: number) => PAD.left + ((t - t0) / (t1 - t0)) * (W - PAD.left - PAD.right);
  const y = (u: number) => H - PAD.bottom - (u / maxUp) * (H - PAD.top - PAD.bottom);
  // A new boot starts a new segment: the line drops to the boot time, not across it.
  const segments: string[] = [];
  let d = '';
  let prev: UptimeReport | undefined;
  for (const r of reports) {
    const reboot = prev !== undefined && r.uptime < prev.uptime;
    if (!prev || reboot) {
      if (d) segments.push(d);
      const boot = Math.max(t0, r.timestamp - r.uptime);
      d = `M${x(boot).toFixed(1)},${y(Math.max(0, r.uptime - (r.timestamp - boot))).toFixed(1)} L${x(r.timestamp).toFixed(1)},${y(r.uptime).toFixed(1)}`;
    } else d += ` L${x(r.timestamp).toFixed(1)},${y(r.uptime).toFixed(1)}`;
    prev = r;
  }
  segments.push(d);
  const reboots = reports.filter((r, i) => i > 0 && r.uptime < reports[i - 1]!.uptime).length;
  const summary = `${reports.length} uptime reports from ${date(t0)} to ${date(reports[reports.length - 1]!.timestamp)}, ${reboots} reboot${reboots === 1 ? '' : 's'}, longest uptime ${duration(maxUp)}`;
  return (
    <figure class="chart">
      <svg viewBox={`0 0 ${W} ${H}`} role="img" aria-label={`Uptime chart: ${summary}`}>
        <line class="axis" x1={PAD.left} y1={H - PAD.bottom} x2={W - PAD.right} y2={H - PAD.bottom} />
        <line class="axis" x1={PAD.left} y1={PAD.top} x2={PAD.left} y2={H - PAD.bottom} />
        <text class="tick" x={PAD.left - 6} y={PAD.top + 4} text-anchor="end">
          {duration(maxUp)}
        </text>
        <text class="tick" x={PAD.left - 6} y={H - PAD.bottom} text-anchor="end">
          0
        </text>
        <text class="tick" x={PAD.left} y={H - 8}>
          {date(t0)}
        </text>
        <text class="tick" x={W - PAD.right} y={H - 8} text-anchor="end">
          {date(t1)}
        </text>
        {segments.map((s, i) => (
          <path key={i} class="uptime-line" d={s} />
        ))}
        {reports.length <= 400 &&
          reports.map((r) => <circle key={`${r.timestamp}-${r.block}`} class="report" cx={x(r.timestamp)} cy={y(r.uptime)} r={3} />)}
      </svg>
      <figcaption>{summary}</figcaption>
    </figure>
  );
}
