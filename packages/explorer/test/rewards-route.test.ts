/**
 * The rewards routes over a store built by the indexer's own handlers (no chain, rewards-fixture.ts:
 * twin, farm, farming policies, nodes, ~2,200 uptime reports, a node update after the period),
 * then `/nodes/:id/rewards` and `/farms/:id/rewards` over HTTP. Expected figures: rewards.test.ts.
 */
import type { FastifyInstance } from 'fastify';
import { GiB } from '@tfgrid/client';
import { buildApp, type ExplorerDb, type GridView } from '../src';
import { periodIdOf } from '../src/rewards';
import { FIXTURE_PERIOD as P, buildRewardsStore } from './rewards-fixture';
import { tempDir } from './support';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const tmp = tempDir();
let db: ExplorerDb;
let view: GridView;
let app: FastifyInstance;
let url = '';

const get = async (path: string): Promise<{ status: number; body: Any }> => {
  const r = await fetch(url + path);
  return { status: r.status, body: (await r.json()) as Any };
};

beforeAll(async () => {
  ({ db, view } = await buildRewardsStore(tmp.dir));
  app = await buildApp({ db, view });
  url = await app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await app?.close();
  await db?.close();
  tmp.remove();
});

test('a node up the whole period: 6200 mUSD, 77.5 TFT, its inputs alongside', async () => {
  const { status, body } = await get('/nodes/7/rewards?period=100');
  expect(status).toBe(200);
  expect(body.period).toMatchObject({ id: 100, start: P.start, end: P.end, complete: true });
  expect(body.node).toMatchObject({
    resources: { cru: 4, mru: 8 * GiB, sru: 500 * GiB, hru: 0 },
    certification: 'Diy',
    farming_policy_id: 1,
    state_at: P.start - 100,
  });
  expect(body.units).toMatchObject({ cu: 1.75, su: 2, nu: 0 });
  expect(body.policy).toMatchObject({ id: 1, name: 'diy', cu: 2400, su: 1000, rule: 'scaled' });
  expect(body.uptime).toMatchObject({
    measured_seconds: 2_630_880,
    ratio: 1,
    sla_met: true,
    reports: 1096,
    post_period_report: { timestamp: P.start + 2400 * 1097, block: 1099 },
  });
  expect(body.reward).toMatchObject({ musd: 6200, tft_units: '775000000', tft: 77.5 });
  expect(body.reason).toBeNull();
  // The current record has 16 cores now.
  expect(view.nodes.get(7)!.total.cru).toBe(16);
});

test('a node with an invalid reboot: the reports that caused it, with their blocks, and no reward', async () => {
  const { body } = await get('/nodes/8/rewards?period=100');
  expect(body.violations).toEqual([
    {
      kind: 'invalid_reboot',
      message: 'the node rebooted before its previous uptime report',
      previous: { timestamp: P.start + 2400 * 499, uptime: 1_000_000 + 2400 * 499, block: 501 },
      reported: { timestamp: P.start + 2400 * 500, uptime: 5000, block: 502 },
    },
  ]);
  expect(body.reward.musd).toBe(0);
  expect(body.reason).toBe('violation: the node rebooted before its previous uptime report');
});

test('a node virtualized for a while within the period earns nothing, though its last state is not', async () => {
  const { body } = await get('/nodes/9/rewards?period=100');
  expect(body.node).toMatchObject({ virtualized: true, state_at: P.start + 2400 * 400 });
  expect(body.uptime.sla_met).toBe(true);
  expect(body.reason).toBe('the node runs virtualized (Zero-OS in a VM) and earns nothing');
});

test("a farm's reward: the sum and each node's", async () => {
  const { status, body } = await get('/farms/3/rewards?period=100');
  expect(status).toBe(200);
  expect(body).toMatchObject({
    farm_id: 3,
    farm_name: 'alpha',
    period: { id: 100 },
    total: { musd: 6200, usd: 6.2, tft_units: '775000000', tft: 77.5, nodes: 2, nodes_rewarded: 1 },
  });
  expect(body.nodes.map((n: Any) => [n.node_id, n.reward.musd])).toEqual([
    [7, 6200],
    [8, 0],
  ]);
});

test('default period, periods without data, and refusals', async () => {
  const now = Math.max(Math.floor(Date.now() / 1000), view.chainTime);
  expect((await get('/nodes/7/rewards')).body.period.id).toBe(periodIdOf(now) - 1);
  const periods = (await get('/rewards/periods')).body;
  expect(periods.current.id).toBe(periodIdOf(periods.now));
  expect(periods.last_ended.id).toBe(periods.current.id - 1);
  expect(periods.recent.map((p: Any) => p.id)).toEqual(Array.from({ length: 12 }, (_, i) => periods.current.id - i));
  expect(periods.recent[1]).toEqual({ id: periods.current.id - 1, start: periods.current.start - 2_630_880, end: periods.current.start });
  const before = await get('/nodes/7/rewards?period=98');
  expect(before.body).toMatchObject({ reward: { musd: 0 }, reason: 'the node registered after the period ended' });
  expect((await get('/nodes/7/rewards?period=102')).body.reason).toBe(
    'no uptime report in the period (so far: the index does not reach 27 h past the period end yet)',
  );
  expect(await get('/nodes/99/rewards')).toEqual({ status: 404, body: { error: 'node 99 not found' } });
  expect(await get('/farms/99/rewards')).toEqual({ status: 404, body: { error: 'farm 99 not found' } });
  expect((await get('/nodes/7/rewards?period=3001')).status).toBe(400);
  expect((await get('/nodes/7/rewards?period=1.5')).body.error).toMatch(/period/);
  expect((await get('/farms/3/rewards?colour=red')).body).toEqual({ error: "unknown querystring parameter 'colour'" });
});
