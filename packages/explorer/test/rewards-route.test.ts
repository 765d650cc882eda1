/**
 * The rewards routes over a store built by the indexer's own handlers (no chain): chain events
 * (twin, farm, farming policies, nodes, ~2,200 uptime reports, a node update after the period)
 * applied by `applyEvent`, one batch with its cursor per block as the indexer writes them, then
 * `/nodes/:id/rewards` and `/farms/:id/rewards` over HTTP. Expected figures: rewards.test.ts.
 */
import type { FastifyInstance } from 'fastify';
import { buildApp, ExplorerDb, GridView } from '../src';
import { applyEvent } from '../src/indexer/handlers';
import { WriteSet } from '../src/indexer/writeset';
import { periodAt, periodIdOf, POST_PERIOD_SECONDS } from '../src/rewards/period';
import { tempDir } from './support';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const GiB = 1024 ** 3;
const P = periodAt(100);
const tmp = tempDir();
const db = new ExplorerDb(tmp.dir);
const view = new GridView();
let app: FastifyInstance;
let url = '';
let height = 0;

/** One block: its events applied through the handlers, written with the cursor, then shown. */
async function block(timestamp: number, events: [string, unknown[]][]): Promise<void> {
  const w = new WriteSet(db, view);
  const ctx = { number: ++height, timestamp };
  for (const [i, [name, data]] of events.entries()) await applyEvent(w, { name, data, eventIndex: i }, ctx);
  const cursor = { height, hash: `0x${height.toString(16)}`, timestamp };
  await db.write(w.ops, cursor);
  view.commit(w.ops, cursor);
}

const nodeJson = (id: number, over: Any = {}): Any => ({
  version: 2, id, farmId: 3, twinId: 9 + id,
  resources: { hru: 0, sru: 500 * GiB, cru: 4, mru: 8 * GiB },
  location: { city: 'Ghent', country: 'Belgium', latitude: '51.05', longitude: '3.72' },
  publicConfig: null, interfaces: [], created: P.start - 100, farmingPolicyId: 1, certification: 'Diy',
  secureBoot: false, virtualized: false, serialNumber: 'SN', connectionPrice: 80, ...over,
});
const policyJson = (id: number, name: string, cu: number, su: number, kind: string): Any => ({
  version: 1, id, name, cu, su, nu: 30, ipv4: 5, minimalUptime: 95, policyCreated: 0, policyEnd: 0, immutable: false, default: true, nodeCertification: kind, farmCertification: 'NotCertified',
});
const twinJson = (id: number): Any => ({ id, accountId: `5Account${id}`, relay: 'relay.dev.grid.tf', entities: [], pk: null });
const get = async (path: string): Promise<{ status: number; body: Any }> => {
  const r = await fetch(url + path);
  return { status: r.status, body: (await r.json()) as Any };
};

beforeAll(async () => {
  await db.open();
  await block(P.start - 200, [
    ['TfgridModule.FarmingPolicyStored', [policyJson(1, 'diy', 2400, 1000, 'Diy')]],
    ['TfgridModule.FarmingPolicyStored', [policyJson(2, 'certified', 3000, 1250, 'Certified')]],
    ['TfgridModule.TwinStored', [twinJson(9)]],
    ['TfgridModule.TwinStored', [twinJson(16)]],
    ['TfgridModule.TwinStored', [twinJson(17)]],
    ['TfgridModule.FarmStored', [{ id: 3, name: 'alpha', twinId: 9, pricingPolicyId: 1, certification: 'NotCertified', dedicatedFarm: false, publicIps: [] }]],
  ]);
  await block(P.start - 100, [
    ['TfgridModule.NodeStored', [nodeJson(7)]],
    ['TfgridModule.NodeStored', [nodeJson(8)]],
  ]);
  // Node 7 up all period (a report every 2400 s, one boot); node 8 alike but its report 500 an invalid reboot.
  for (let k = 1; k <= 1097; k++) {
    const t = P.start + 2400 * k;
    await block(t, [
      ['TfgridModule.NodeUptimeReported', [7, t, 1_000_000 + 2400 * k]],
      ['TfgridModule.NodeUptimeReported', [8, t, k === 500 ? 5000 : 1_000_000 + 2400 * k]],
    ]);
  }
  // After the period node 7 gets more cores: its reward for period 100 still counts 4.
  await block(P.end + 10_000, [['TfgridModule.NodeUpdated', [nodeJson(7, { resources: { hru: 0, sru: 500 * GiB, cru: 16, mru: 8 * GiB } })]]]);
  await block(P.end + POST_PERIOD_SECONDS + 60, []);
  app = await buildApp({ db, view });
  url = await app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await app?.close();
  await db.close();
  tmp.remove();
});

test('a node up the whole period: 6200 mUSD, 77.5 TFT, its inputs alongside', async () => {
  const { status, body } = await get('/nodes/7/rewards?period=100');
  expect(status).toBe(200);
  expect(body.period).toMatchObject({ id: 100, start: P.start, end: P.end, complete: true });
  expect(body.node).toMatchObject({ resources: { cru: 4, mru: 8 * GiB, sru: 500 * GiB, hru: 0 }, certification: 'Diy', farming_policy_id: 1, state_at: P.start - 100 });
  expect(body.units).toMatchObject({ cu: 1.75, su: 2, nu: 0 });
  expect(body.policy).toMatchObject({ id: 1, name: 'diy', cu: 2400, su: 1000, rule: 'scaled' });
  expect(body.uptime).toMatchObject({ measured_seconds: 2_630_880, ratio: 1, sla_met: true, reports: 1096, post_period_report: { timestamp: P.start + 2400 * 1097, block: 1099 } });
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

test("a farm's reward: the sum and each node's", async () => {
  const { status, body } = await get('/farms/3/rewards?period=100');
  expect(status).toBe(200);
  expect(body).toMatchObject({ farm_id: 3, farm_name: 'alpha', period: { id: 100 }, total: { musd: 6200, usd: 6.2, tft_units: '775000000', tft: 77.5, nodes: 2, nodes_rewarded: 1 } });
  expect(body.nodes.map((n: Any) => [n.node_id, n.reward.musd])).toEqual([[7, 6200], [8, 0]]);
});

test('default period, periods without data, and refusals', async () => {
  const now = Math.max(Math.floor(Date.now() / 1000), view.chainTime);
  expect((await get('/nodes/7/rewards')).body.period.id).toBe(periodIdOf(now) - 1);
  const before = await get('/nodes/7/rewards?period=98');
  expect(before.body).toMatchObject({ reward: { musd: 0 }, reason: 'the node registered after the period ended' });
  expect((await get('/nodes/7/rewards?period=102')).body.reason).toBe('no uptime report in the period');
  expect(await get('/nodes/99/rewards')).toEqual({ status: 404, body: { error: 'node 99 not found' } });
  expect(await get('/farms/99/rewards')).toEqual({ status: 404, body: { error: 'farm 99 not found' } });
  expect((await get('/nodes/7/rewards?period=10001')).status).toBe(400);
  expect((await get('/nodes/7/rewards?period=1.5')).body.error).toMatch(/period/);
  expect((await get('/farms/3/rewards?colour=red')).body).toEqual({ error: "unknown querystring parameter 'colour'" });
});
