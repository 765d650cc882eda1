/**
 * Rewards through the indexer against a dev chain: two nodes registered, the chain moved to the
 * start of the next minting period (`dev_timeTravel`, one block per jump), uptime reports signed by
 * the nodes 40 min apart (one node powered down and woken by its farm), then the chain moved 27 h
 * past the period's end; the explorer indexes it all and `/nodes/:id/rewards` shows the measure and
 * the reason.
 */
import type { Devchain } from '@tfgrid/devchain';
import { startChain } from '@tfgrid/testkit';
import type { TfchainClient } from '@tfgrid/client';
import { startExplorer, type Explorer } from '../src';
import { periodAt, periodIdOf, POST_PERIOD_SECONDS, type Period } from '../src/rewards';
import { GiB, chainNow, get, nodeInput, synced, tempDir, twinClient } from './support';

jest.setTimeout(120_000);
type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let chain: Devchain;
let alice: TfchainClient;
let node1: TfchainClient;
let node2: TfchainClient;
let farmer: TfchainClient;
let explorer: Explorer;
const tmp = tempDir();
let n1: number;
let n2: number;
let P: Period;

/** The chain 2400 s later, in one block. */
const fortyMinutes = () => chain.chain.timeTravel({ seconds: 2400, blocks: 1 });
/** The chain at (a little after) unix time t, in one block (a plain date would build a block per 6 s). */
const travelTo = async (t: number) => chain.chain.timeTravel({ seconds: t - (await chainNow(alice)), blocks: 1 });
const report = async (c: TfchainClient, uptime: number) => c.nodes.reportUptime({ uptime, timestampHint: await chainNow(c) });

beforeAll(async () => {
  chain = await startChain();
  alice = await twinClient(chain, '//Alice');
  farmer = await twinClient(chain, '//Bob');
  node1 = await twinClient(chain, '0x' + '61'.repeat(32), alice, 'ed25519');
  node2 = await twinClient(chain, '0x' + '62'.repeat(32), alice, 'ed25519');
  const farmId = await farmer.farms.create({ name: 'rewards_farm' });
  n1 = await node1.nodes.create(nodeInput(farmId));
  n2 = await node2.nodes.create(nodeInput(farmId), { wait: 'finalized' });
  explorer = await startExplorer({ chain: chain.url, db: tmp.dir, port: 0, pollMs: 200 });
});

afterAll(async () => {
  await explorer?.stop();
  for (const c of [alice, farmer, node1, node2]) await c?.disconnect();
  await chain?.stop();
  tmp.remove();
});

test('uptime reports over a period: measured, a reboot, an invalid reboot, below the SLA', async () => {
  P = periodAt(periodIdOf(await chainNow(alice)) + 1);
  await travelTo(P.start + 1000);
  // Report 1 (each node's first in the period): credited its uptime, less than the 1000 s since the start.
  await report(node1, 500);
  await report(node2, 900);
  // Reports 2-4: +2400 s of uptime each 2400 s: credited 2400 each.
  for (let k = 1; k <= 3; k++) {
    await fortyMinutes();
    await report(node1, 500 + 2400 * k);
    await report(node2, 900 + 2400 * k);
  }
  // The time of node 2's last report (its block is the newest).
  const t3 = await chainNow(alice);
  // Node 1 reboots (uptime 300 ≤ the 2400 s since its last report): credited 300. Then +2400.
  // Node 2 is powered down by its farm (target Down, then its state Down), which asks at once for
  // a boot (target Up); 40 min later it is up again, booted 20 min before its report.
  await fortyMinutes();
  await report(node1, 300);
  await farmer.nodes.changePowerTarget(n2, 'Down');
  await node2.nodes.changePowerState('Down');
  await farmer.nodes.changePowerTarget(n2, 'Up');
  await fortyMinutes();
  await report(node1, 2700);
  await node2.nodes.changePowerState('Up');
  await report(node2, 1200);
  // Then uptime 2500: more than the 2400 s since the last report, less than its 2700: a reboot
  // before the previous report (invalid), credited nothing.
  await fortyMinutes();
  await report(node1, 2500);
  await travelTo(P.end + POST_PERIOD_SECONDS + 60);
  await alice.balances.transfer({ to: node1.address, amount: 1n }, { wait: 'finalized' });
  await synced(explorer, alice);

  // Node 1: 500 + 3 × 2400 + 300 + 2400 = 10,400 s; node 2: 900 + 3 × 2400 = 8,100 s.
  const r1 = (await get<Any>(explorer, `/nodes/${n1}/rewards?period=${P.id}`)).body;
  expect(r1.period).toMatchObject({ id: P.id, start: P.start, end: P.end, complete: true });
  expect(r1.node).toMatchObject({
    resources: { cru: 4, mru: 8 * GiB, sru: 500 * GiB, hru: 0 },
    certification: 'Diy',
    farming_policy_id: 1,
  });
  expect(typeof r1.node.state_at).toBe('number'); // the NodeStored snapshot the indexer wrote
  expect(r1.units).toMatchObject({ cu: 1.75, su: 2 });
  expect(r1.policy).toMatchObject({ id: 1, cu: 2400, su: 1000, nu: 30, ipv4: 5, minimalUptime: 95, default: true, rule: 'scaled' });
  expect(r1.price.tft_musd).toBe(80);
  expect(r1.uptime).toMatchObject({ measured_seconds: 10_400, reports: 7, reboots: 1, sla_met: false });
  expect(r1.violations).toHaveLength(1);
  const v = r1.violations[0];
  expect(v).toMatchObject({ kind: 'invalid_reboot', previous: { uptime: 2700 }, reported: { uptime: 2500 } });
  expect(v.reported.block).toBeGreaterThan(v.previous.block);
  expect(v.reported.timestamp - v.previous.timestamp).toBeGreaterThanOrEqual(2400);
  // 6200 mUSD before the SLA (as in rewards.test.ts), paid nothing.
  expect(r1.reward).toMatchObject({ base_musd: 6200, musd: 0, tft_units: '0' });
  expect(r1.reason).toBe('violation: the node rebooted before its previous uptime report');

  // Node 2: 900 + 3 × 2400 = 8,100 s, then up until it went down and credited its sleep on waking
  // (booted after going down, 20 min after the request, within 24 h): the time from its report 4
  // to its wake-up report. ⌊(8,100 + that) × 1000 / 2,630,880⌋ = 4 ‰.
  const r2 = (await get<Any>(explorer, `/nodes/${n2}/rewards?period=${P.id}`)).body;
  const wake = r2.uptime.last_report;
  expect(wake.uptime).toBe(1200);
  expect(r2.uptime).toMatchObject({
    measured_seconds: 8100 + (wake.timestamp - t3),
    reports: 5,
    ratio: 0.004,
    required_ratio: 0.95,
    power_managed: { shutdowns: 1, wakeups: 1, failed_boots: 0 },
  });
  expect(r2.violations).toEqual([]);
  expect(r2.reason).toBe('uptime 0.4 % is below the required 95.0 %');

  const farm = (await get<Any>(explorer, `/farms/${r1.farm_id}/rewards?period=${P.id}`)).body;
  expect(farm.nodes.map((n: Any) => n.node_id)).toEqual([n1, n2]);
  expect(farm.total).toMatchObject({ musd: 0, nodes: 2, nodes_rewarded: 0 });
});
