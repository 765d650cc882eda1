/**
 * Farming rewards on hand-computed periods (no chain): the computation on fixture inputs.
 *
 * Fixture node: 4 cores, 8 GiB memory, 500 GiB SSD, no HDD, connection price 80 mUSD per TFT.
 *   CU = min(4 × 2, (8 − 1) / 4, 500 / 50) = min(8, 1.75, 10) = 1.75
 *   SU = 0 / 1200 + 500 / 250 = 2
 * DIY policy 1 (cu 2400, su 1000 mUSD): 1.75 × 2400 + 2 × 1000 = 4200 + 2000 = 6200 mUSD;
 *   in TFT: 6200 × 10⁷ / 80 = 775,000,000 units = 77.5 TFT.
 * Certified policy 2 (cu 3000, su 1250): 1.75 × 3000 + 2 × 1250 = 5250 + 2500 = 7750 mUSD.
 *
 * Period 100: start 1,522,501,000 + 100 × 2,630,880 = 1,785,589,000; 2,630,880 s long.
 * Reports k = 1..1096 at start + 2400·k (1096 × 2400 = 2,630,400 ≤ the period), each with the
 * uptime grown by 2400 s: each credits 2400 s (the first: min(2400 since the start, its uptime,
 * 2460)). Report 1097 comes 1920 s after the end and credits the last 480 s. Full: 2,630,880 s.
 */
import { computeReward, type RewardPolicy, type NodeState, type RewardInput } from '../src/rewards';
import { periodAt, periodIdOf, PERIOD_SECONDS } from '../src/rewards';
import { measureUptime, type PowerEvent, type UptimeReport } from '../src/rewards';
import { cloudUnitsPermill, GiB } from '@tfgrid/client';

const P = periodAt(100);
const BOOTED = 1_000_000;

const node = (over: Partial<NodeState> = {}): NodeState => ({
  nodeId: 7,
  farmId: 3,
  twinId: 9,
  total: { cru: 4, mru: 8 * GiB, sru: 500 * GiB, hru: 0 },
  certificationType: 'Diy',
  farmingPolicyId: 1,
  connectionPrice: 80,
  virtualized: false,
  at: P.start - 100,
  ...over,
});
const policy = (over: Partial<RewardPolicy> = {}): RewardPolicy => ({
  id: 1,
  name: 'diy',
  cu: 2400,
  su: 1000,
  nu: 30,
  ipv4: 5,
  minimalUptime: 95,
  default: true,
  immutable: false,
  ...over,
});
const CERTIFIED_POLICY = policy({ id: 2, name: 'certified', cu: 3000, su: 1250, nu: 38, ipv4: 6 });

/** Reports k of `ks` at start + 2400·k, uptime BOOTED + 2400·k (one boot). */
const report = (k: number, uptime = BOOTED + 2400 * k): UptimeReport => ({ timestamp: P.start + 2400 * k, uptime });
const range = (a: number, b: number): number[] => Array.from({ length: b - a + 1 }, (_, i) => a + i);
const full = (): UptimeReport[] => range(1, 1097).map((k) => report(k));

const input = (reports: UptimeReport[], over: Partial<RewardInput> = {}): RewardInput => ({
  period: P,
  node: node(),
  policy: policy(),
  reports,
  usage: { nruBytes: 0, publicIpSeconds: 0, nruReports: 0 },
  twin: { relay: 'relay.dev.grid.tf', publicKey: null },
  indexedUntil: P.end + 30 * 3600,
  ...over,
});

test('periods: the origin and length of minting_v3', () => {
  expect(PERIOD_SECONDS).toBe(2_630_880);
  expect(P).toEqual({ id: 100, start: 1_785_589_000, end: 1_788_219_880 });
  expect(periodIdOf(P.start)).toBe(100);
  expect(periodIdOf(P.end - 1)).toBe(100);
  expect(periodIdOf(P.end)).toBe(101);
});

test('cloud units of the fixture node, in millionths', () => {
  expect(cloudUnitsPermill(node().total)).toEqual({ cu: 1_750_000n, su: 2_000_000n, nu: 0n });
  // HDD node: 2 cores, 16 GiB, 100 GiB SSD, 12,000 GiB HDD → CU min(4, 3.75, 2) = 2; SU 12000/1200 + 100/250 = 10.4
  expect(cloudUnitsPermill({ cru: 2, mru: 16 * GiB, sru: 100 * GiB, hru: 12_000 * GiB }, 5 * GiB)).toEqual({
    cu: 2_000_000n,
    su: 10_400_000n,
    nu: 5_000_000n,
  });
});

test('a DIY node up the whole period: the full reward', () => {
  const r = computeReward(input(full()));
  expect(r.uptime).toMatchObject({ measured_seconds: 2_630_880, ratio: 1, required_ratio: 0.95, sla_met: true, reports: 1096, reboots: 0 });
  expect(r.uptime.post_period_report).toEqual(report(1097));
  expect(r.units).toMatchObject({ cu: 1.75, su: 2, nu: 0 });
  expect(r.policy).toMatchObject({ id: 1, rule: 'scaled', cu: 2400, su: 1000 });
  expect(r.price).toEqual({ tft_musd: 80, source: 'connection_price' });
  expect(r.reward).toEqual({
    base_musd: 6200,
    certified_bonus: false,
    uptime_scale: 1,
    musd: 6200,
    usd: 6.2,
    tft_units: '775000000',
    tft: 77.5,
  });
  expect(r.reason).toBeNull();
  expect(r.period.complete).toBe(true);
});

test('a DIY node meeting the SLA with a silent day: reward scaled by uptime', () => {
  // Reports 101..136 missing: report 137 comes 37 × 2400 s after report 100 and credits at most
  // 2460. Credited: 2400 × (100 + 959) + 2460 + 480 (after the end) = 2,541,600 + 2,940 = 2,544,540 s.
  // Ratio ⌊2,544,540 × 1000 / 2,630,880⌋ = 967 ‰ ≥ 950. Reward 6200 × 967 / 1000 = 5995.4 → 5995 mUSD;
  // TFT 775,000,000 × 967 / 1000 = 749,425,000 units.
  const reports = full().filter((_, i) => i + 1 <= 100 || i + 1 >= 137);
  const r = computeReward(input(reports));
  expect(r.uptime).toMatchObject({ measured_seconds: 2_544_540, ratio: 0.967, sla_met: true, reports: 1060 });
  expect(r.reward).toMatchObject({ base_musd: 6200, uptime_scale: 0.967, musd: 5995, tft_units: '749425000', tft: 74.9425 });
  expect(r.reason).toBeNull();
});

test('a DIY node below the SLA: no reward, and why', () => {
  // Reports 101..200 missing: 2400 × (100 + 895) + 2460 + 480 = 2,390,940 s; ⌊2,390,940,000 / 2,630,880⌋ = 908 ‰ < 950.
  const reports = full().filter((_, i) => i + 1 <= 100 || i + 1 >= 201);
  const r = computeReward(input(reports));
  expect(r.uptime).toMatchObject({ measured_seconds: 2_390_940, ratio: 0.908, required_ratio: 0.95, sla_met: false });
  expect(r.reward).toMatchObject({ base_musd: 6200, musd: 0, tft_units: '0' });
  expect(r.reason).toBe('uptime 90.8 % is below the required 95.0 %');
});

test('a certified node needs 98 %: 96.7 % earns nothing, the full period earns policy 2 rates', () => {
  const certified = node({ certificationType: 'Certified', farmingPolicyId: 2 });
  const gap = computeReward(
    input(
      full().filter((_, i) => i + 1 <= 100 || i + 1 >= 137),
      { node: certified, policy: CERTIFIED_POLICY },
    ),
  );
  expect(gap.uptime).toMatchObject({ ratio: 0.967, required_ratio: 0.98, sla_met: false });
  expect(gap.reward.musd).toBe(0);
  expect(gap.reason).toBe('uptime 96.7 % is below the required 98.0 %');
  // Full uptime: 7750 mUSD; 7750 × 10⁷ / 80 = 968,750,000 units = 96.875 TFT.
  const up = computeReward(input(full(), { node: certified, policy: CERTIFIED_POLICY }));
  expect(up.reward).toEqual({
    base_musd: 7750,
    certified_bonus: false,
    uptime_scale: 1,
    musd: 7750,
    usd: 7.75,
    tft_units: '968750000',
    tft: 96.875,
  });
  // A certified node on policy 1 gets 25 % more: 6200 × 5 / 4 = 7750 mUSD.
  const onDiy = computeReward(input(full(), { node: node({ certificationType: 'Certified' }) }));
  expect(onDiy.reward).toMatchObject({ base_musd: 7750, certified_bonus: true, musd: 7750 });
});

test('a reboot violation: a report whose reboot would precede the previous report zeroes the reward', () => {
  // Report 500 says uptime 5000: more than the 2400 s since report 499 (so not a reboot within the
  // gap), less than report 499's uptime (so not the same boot): invalid reboot. It credits nothing
  // and report 501 is judged against report 499: 4800 s later, +4800 uptime, credited 2460.
  // Measured: 2,630,880 − 2400 + 60 = 2,628,540 s, reward 0 all the same.
  const reports = full().map((r, i) => (i + 1 === 500 ? report(500, 5000) : r));
  const r = computeReward(input(reports));
  expect(r.uptime.measured_seconds).toBe(2_628_540);
  expect(r.violation_count).toBe(1);
  expect(r.violations).toEqual([
    {
      kind: 'invalid_reboot',
      message: 'the node rebooted before its previous uptime report',
      previous: report(499),
      reported: report(500, 5000),
    },
  ]);
  expect(r.reward).toMatchObject({ base_musd: 6200, musd: 0, tft: 0 });
  expect(r.reason).toBe('violation: the node rebooted before its previous uptime report');
});

test('a legitimate reboot is no violation: it credits its uptime', () => {
  // Report 500 says uptime 1200 (≤ 2400 s since report 499): booted 1200 s before, credited 1200.
  // Then reports of the new boot every 2400 s. Measured 2,630,880 − 1200 = 2,629,680 s;
  // ⌊2,629,680,000 / 2,630,880⌋ = 999 ‰; 6200 × 999 / 1000 = 6193.8 → 6193 mUSD; 775,000,000 × 0.999 = 774,225,000 units.
  const reports = full().map((r, i) => (i + 1 >= 500 ? report(i + 1, 1200 + 2400 * (i + 1 - 500)) : r));
  const r = computeReward(input(reports));
  expect(r.uptime).toMatchObject({ measured_seconds: 2_629_680, reboots: 1, ratio: 0.999 });
  expect(r.violations).toEqual([]);
  expect(r.reward).toMatchObject({ musd: 6193, tft_units: '774225000' });
});

test('clock skew: the boot time drifting 120 s from the boot report is a violation', () => {
  // Uptime grows 2350 s per 2400 s (within the 60 s grace each time): boot time drifts 50 s per
  // report, 150 s at report 4 → violation against report 1 (which set the boot time).
  const reports = range(1, 1097).map((k) => report(k, BOOTED + 2350 * k));
  const m = measureUptime(reports, P);
  expect(m.violations[0]).toMatchObject({ kind: 'clock_skew', previous: report(1, BOOTED + 2350), reported: report(4, BOOTED + 2350 * 4) });
  expect(computeReward(input(reports)).reason).toMatch(/^violation: the boot time drifted/);
});

test('uptime growing faster than time is a violation', () => {
  const reports = full().map((r, i) => (i + 1 === 10 ? report(10, BOOTED + 2400 * 10 + 100) : r));
  expect(measureUptime(reports, P).violations[0]).toMatchObject({ kind: 'uptime_too_high', reported: { timestamp: P.start + 24_000 } });
});

test('other zero rewards: no report, virtualized, twin without relay, no price; usage and threshold policies', () => {
  expect(computeReward(input([])).reason).toBe('no uptime report in the period');
  expect(computeReward(input(full(), { node: node({ virtualized: true }) })).reason).toBe(
    'the node runs virtualized (Zero-OS in a VM) and earns nothing',
  );
  expect(computeReward(input(full(), { twin: { relay: null, publicKey: null } })).reason).toBe('violation: the node twin has no relay set');
  expect(computeReward(input(full(), { node: node({ connectionPrice: 0 }) })).reason).toBe(
    'the node has no connection price (TFT price at registration)',
  );
  // 10 GiB of public traffic (NU 10 × 30 = 300) and one public IP for 720 h (2,592,000 s × 5 / 3600 = 3600):
  // 6200 + 300 + 3600 = 10,100 mUSD.
  const used = computeReward(input(full(), { usage: { nruBytes: 10 * GiB, publicIpSeconds: 2_592_000, nruReports: 720 } }));
  expect(used.units).toMatchObject({ nu: 10, public_ip_hours: 720 });
  expect(used.reward.musd).toBe(10_100);
  // A custom policy (id 5, minimal uptime 90 %): 96.7 % passes, the reward is whole (not scaled).
  const custom = computeReward(
    input(
      full().filter((_, i) => i + 1 <= 100 || i + 1 >= 137),
      { node: node({ farmingPolicyId: 5 }), policy: policy({ id: 5, default: false, minimalUptime: 90 }) },
    ),
  );
  expect(custom.policy?.rule).toBe('threshold');
  expect(custom.reward).toMatchObject({ musd: 6200, uptime_scale: 1 });
  // A period not over yet (the 27 h after it not indexed): not complete, and a zero says so.
  expect(computeReward(input(full(), { indexedUntil: P.end })).period.complete).toBe(false);
  expect(computeReward(input(full().slice(0, 500), { indexedUntil: P.start + 2400 * 500 })).reason).toBe(
    'uptime 45.6 % is below the required 95.0 % (so far: the index does not reach 27 h past the period end yet)',
  );
});

/**
 * Farmerbot sleep: after report 100 (start + 240,000) the farm sets target Down (+10 s) and the
 * node goes down (+20 s, downAt = start + 240,020: the 20 s since report 100 are credited). A report
 * of the old boot 10 s later is ignored. The farm asks for a boot `sleep` seconds after downAt;
 * the node boots `bootDelay` s after that and reports at report slot `wake`, then every 2400 s.
 */
function sleepTrace(sleep: number, bootDelay: number, wake: number): { reports: UptimeReport[]; power: PowerEvent[] } {
  const downAt = P.start + 240_020;
  const booted = downAt + sleep + bootDelay;
  const woke = (k: number): UptimeReport => report(k, P.start + 2400 * k - booted);
  return {
    reports: [...range(1, 100).map((k) => report(k)), { timestamp: downAt + 10, uptime: BOOTED + 240_030 }, ...range(wake, 1097).map(woke)],
    power: [
      { timestamp: downAt - 10, target: 'Down' },
      { timestamp: downAt, state: 'Down' },
      { timestamp: downAt + sleep, target: 'Up' },
      { timestamp: booted + 60, state: 'Up' },
    ],
  };
}
const UP = { target: 'Up' as const, state: 'Up' as const, downAt: null };

test('a node the farm powers down (farmerbot) and wakes within 30 min is credited its sleep', () => {
  // Sleep 36,000 s, boot 300 s after the request, first report at slot 116 (start + 278,400):
  // booted after going down; 278,400 − 240,020 = 38,380 s credited (≤ 24 h). Credited:
  // 240,000 + 20 + 38,380 + 980 × 2400 (slots 117..1096) + 480 = 2,630,880 s: the whole period.
  const { reports, power } = sleepTrace(36_000, 300, 116);
  const r = computeReward(input(reports, { power: { atStart: UP, events: power } }));
  expect(r.uptime).toMatchObject({
    measured_seconds: 2_630_880,
    ratio: 1,
    reports: 1082,
    power_managed: { shutdowns: 1, wakeups: 1, failed_boots: 0 },
  });
  expect(r.reward.musd).toBe(6200);
  // Without the power events the same reports are a node down for 10 h (and a reboot).
  expect(computeReward(input(reports)).uptime.measured_seconds).toBeLessThan(2_630_880 - 30_000);
});

test('a sleep over 24 h is not credited; booting late twice is a violation', () => {
  // Sleep 108,000 s: woke at slot 146 (start + 350,400), 110,380 s after going down > 24 h: nothing
  // credited. 240,000 + 20 + 950 × 2400 + 480 = 2,520,500 s → ⌊2,520,500,000 / 2,630,880⌋ = 958 ‰;
  // 6200 × 958 / 1000 = 5939.6 → 5939 mUSD.
  const long = sleepTrace(108_000, 300, 146);
  const r = computeReward(input(long.reports, { power: { atStart: UP, events: long.power } }));
  expect(r.uptime).toMatchObject({ measured_seconds: 2_520_500, ratio: 0.958, power_managed: { wakeups: 1, failed_boots: 0 } });
  expect(r.reward.musd).toBe(5939);
  // Two sleeps each booted 2000 s (> 30 min) after the request: no credit for either, 2 failed boots.
  const first = sleepTrace(36_000, 2000, 117);
  const shift = 2400 * 300;
  const second = sleepTrace(36_000, 2000, 117);
  const reports = [
    ...first.reports.filter((x) => x.timestamp < P.start + 2400 * 150),
    ...second.reports.filter((x) => x.timestamp > P.start + 2400 * 100).map((x) => ({ timestamp: x.timestamp + shift, uptime: x.uptime })),
  ];
  const events = [...first.power, ...second.power.map((e) => ({ ...e, timestamp: e.timestamp + shift }))];
  const v = computeReward(input(reports, { power: { atStart: UP, events } }));
  expect(v.uptime.power_managed).toEqual({ shutdowns: 2, wakeups: 2, failed_boots: 2 });
  expect(v.violations).toContainEqual({
    kind: 'boot_request_expired',
    message: 'the node failed more than 1 boot request of its farm (not up within 30 min)',
    failed_boots: 2,
  });
  expect(v.reward.musd).toBe(0);
});
