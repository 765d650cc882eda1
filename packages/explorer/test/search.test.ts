/**
 * Without a chain: the /nodes planner (candidate sets, sorted indexes walked with early stop,
 * pagination, counts) agrees with a plain filter-and-sort for every filter and sort; the indexes
 * follow updates and deletions; the reputation method; handlers for events the dev chain's
 * runtime no longer emits (FarmDeleted) or that need an empty wallet (grace period).
 */
import { GiB } from '@tfgrid/client';
import { key, type Op } from '../src/db';
import { GridView, type NodeRecord, type FarmRecord, type ContractRecord } from '../src';
import { NODE_SORT, nodePredicate, nodeReputation, searchNodes, type NodesQuery } from '../src/api';
import { addReport, emptyCoverage, nodeStatus, reputation, staticSortKey, type StaticNodeSort } from '../src/view';
import { applyEvent, WriteSet } from '../src/indexer';
import { ExplorerDb } from '../src';
import { tempDir } from './support';
import { hoursBelow, randomNode, randomTotal, seededRandom } from './random-nodes';

const NOW = 1_800_000_000;
const rnd = seededRandom(42);

const node = (id: number): NodeRecord =>
  randomNode(rnd, id, {
    now: NOW,
    // The resources are drawn before the farm.
    total: randomTotal(rnd),
    farms: 40,
    countries: ['Belgium', 'Egypt', 'Germany', 'Brazil'],
    cities: 12,
    usedBelow: { cru: 4, mruGiB: 8, sru300GiB: 3 },
    uptimeBelow: 100_000,
    lastReportSecondsAgo: hoursBelow(6),
    power: { downOneIn: 6 },
    rentOneIn: 8,
  });

function farm(id: number): FarmRecord {
  return {
    farmId: id,
    name: `farm${id}`,
    twinId: id,
    pricingPolicyId: 1,
    certificationType: 'NotCertified',
    dedicated: id % 5 === 0,
    stellarAddress: '',
    publicIps: Array.from({ length: id % 4 }, (_, i) => ({ ip: `10.0.${id}.${i}/24`, gateway: '10.0.0.1', contractId: i === 0 ? 0 : 7 })),
  };
}

const N = 1200;
const view = new GridView();
beforeAll(() => {
  const ops: Op[] = [];
  for (let f = 1; f <= 40; f++) ops.push({ type: 'put', sub: 'farm', key: key(f), value: farm(f) });
  for (let i = 1; i <= N; i++) {
    const n = node(i);
    if (n.rentContractId) n.rentedByTwinId = 1 + rnd(3);
    ops.push({ type: 'put', sub: 'node', key: key(i), value: n });
    // Uptime reports for some nodes: consistent, or a reboot.
    if (i % 3 === 0) {
      ops.push({ type: 'put', sub: 'uptime', key: key(i, NOW - 7200, 0), value: { timestamp: NOW - 7200, uptime: 50_000 } });
      ops.push({ type: 'put', sub: 'uptime', key: key(i, NOW - 600, 0), value: { timestamp: NOW - 600, uptime: i % 2 ? 56_600 : 300 } });
    }
  }
  view.commit(ops, { height: 1, hash: '0x01', timestamp: NOW });
});

/** The reference: every node through the predicate, sorted by the key (ties by id), paged. */
function reference(q: NodesQuery, gateways = false): number[] {
  const keep = nodePredicate(view, q, NOW, gateways);
  const by = (q.sort_by ?? 'node_id') as string;
  const farmDedicated = (n: NodeRecord) => view.farms.get(n.farmId)?.dedicated === true;
  const k =
    by === 'status'
      ? (n: NodeRecord) => ({ up: 0, standby: 1, down: 2 })[nodeStatus(n, NOW)]
      : by === 'dedicated_farm'
        ? (n: NodeRecord) => Number(farmDedicated(n))
        : by === 'rentable'
          ? (n: NodeRecord) => Number(n.rentContractId === 0 && (farmDedicated(n) || n.activeContracts === 0))
          : by === 'price_usd'
            ? () => 0 // no pricing policy in this view: every price is 0
            : by.startsWith('reputation_')
              ? (n: NodeRecord) => nodeReputation(view, n, by.slice(11) as '24h', NOW)
              : staticSortKey(by as StaticNodeSort);
  const dir = q.sort_order === 'desc' ? -1 : 1;
  // grid-proxy: with available_for or rentable_or_rented_by, the (twin's) rented nodes first.
  const first = q.available_for !== undefined || q.rentable_or_rented_by !== undefined;
  const rank = (n: NodeRecord) => (first && n.rentContractId !== 0 ? 0 : 1);
  const all = [...view.nodes.values()].filter(keep).sort((a, b) => {
    const x = k(a);
    const y = k(b);
    return rank(a) - rank(b) || (x < y ? -1 : x > y ? 1 : a.nodeId - b.nodeId) * dir;
  });
  const size = q.size ?? 50;
  const from = ((q.page ?? 1) - 1) * size;
  return all.slice(from, from + size).map((n) => n.nodeId);
}

const FILTERS: NodesQuery[] = [
  {},
  { status: 'up' },
  { status: 'down' },
  { status: 'standby' },
  { free_mru: 20 * GiB },
  { free_sru: 600 * GiB },
  { free_hru: 1 },
  { free_cru: 10 },
  { total_cru: 16, total_mru: 32 * GiB },
  { total_sru: 1000 * GiB, total_hru: 2000 * GiB },
  { country: 'egypt' },
  { city: 'City 3' },
  { country: 'Belgium', city: 'city 5' },
  { farm_ids: '3,7,11' },
  { farm_name: 'farm12' },
  { node_id: 17 },
  { twin_id: 1017 },
  { dedicated: true },
  { rentable: true },
  { rented: true },
  { rented_by: 2 },
  { available_for: 1 },
  { ipv4: true },
  { ipv6: false },
  { domain: true },
  { certification_type: 'certified' },
  { free_ips: 1 },
  { min_reputation_24h: 0.5 },
  { min_reputation_7d: 0.01 },
  { min_reputation_30d: 0.001, status: 'up' },
  { status: 'up', free_mru: 8 * GiB, country: 'Germany' },
];

test('every filter with every sort, both orders, agrees with filter-and-sort', () => {
  for (const f of FILTERS) {
    for (const sort_by of NODE_SORT) {
      for (const sort_order of ['asc', 'desc'] as const) {
        const q = { ...f, sort_by, sort_order, size: 20 } as NodesQuery;
        const got = searchNodes(view, q, NOW, false).items.map((n) => n.nodeId);
        expect({ q, got }).toEqual({ q, got: reference(q) });
      }
    }
  }
});

test('pagination and counts', () => {
  for (const f of [FILTERS[1]!, FILTERS[10]!, FILTERS[13]!, {}]) {
    const all = searchNodes(view, { ...f, size: 1000, ret_count: true } as NodesQuery, NOW, false);
    for (const page of [1, 2, 5]) {
      const q = { ...f, sort_by: 'free_mru', sort_order: 'desc', size: 7, page, ret_count: true } as NodesQuery;
      const r = searchNodes(view, q, NOW, false);
      expect(r.items.map((n) => n.nodeId)).toEqual(reference(q));
      expect(r.count).toBe(all.count);
    }
  }
  const gw = searchNodes(view, { size: 1000 } as NodesQuery, NOW, true).items;
  expect(gw.length).toBeGreaterThan(0);
  expect(gw.every((n) => n.publicConfig.domain !== '')).toBe(true);
});

test('indexes follow updates and deletions', () => {
  const v = new GridView();
  const a = node(1);
  const b = { ...node(2), location: { ...a.location, country: 'Austria' } };
  v.commit(
    [
      { type: 'put', sub: 'node', key: key(1), value: a },
      { type: 'put', sub: 'node', key: key(2), value: b },
    ],
    { height: 1, hash: '0x', timestamp: NOW },
  );
  const sorted = () => searchNodes(v, { sort_by: 'free_mru', sort_order: 'desc' } as NodesQuery, NOW, false).items.map((n) => n.nodeId);
  const before = sorted();
  // Node 1 gets all its memory used: it sorts last by free memory.
  v.commit([{ type: 'put', sub: 'node', key: key(1), value: { ...a, used: { ...a.used, mru: a.total.mru * 2 } } }], {
    height: 2,
    hash: '0x',
    timestamp: NOW,
  });
  expect(sorted()).toEqual([2, 1]);
  expect(searchNodes(v, { country: 'austria' } as NodesQuery, NOW, false).items.map((n) => n.nodeId)).toEqual([2]);
  expect(v.nodes.get(1)!.used.mru).toBe(a.total.mru * 2);
  expect(searchNodes(v, { node_id: 1 } as NodesQuery, NOW, false).items[0]!.used.mru).toBe(a.total.mru * 2);
  v.commit([{ type: 'del', sub: 'node', key: key(2) }], { height: 3, hash: '0x', timestamp: NOW });
  expect(sorted()).toEqual([1]);
  expect(searchNodes(v, { country: 'austria' } as NodesQuery, NOW, false).items).toEqual([]);
  expect(before).toHaveLength(2);
});

test('sparse node ids, and records replaced with or without a new sort key, in the candidate and walk plans', () => {
  const v = new GridView();
  // Ids far apart: the positions by id fall back from a typed array to a map.
  const ids = [3, 4_000_000, 90_000_000, 7];
  const put = (n: NodeRecord, height: number) =>
    v.commit([{ type: 'put', sub: 'node', key: key(n.nodeId), value: n }], { height, hash: '0x', timestamp: NOW });
  ids.forEach((id, i) => put({ ...node(id), farmId: 1, total: { ...node(id).total, cru: 10 + i } }, i + 1));
  const byCru = (q: Partial<NodesQuery>) =>
    searchNodes(v, { farm_ids: '1', sort_by: 'total_cru', ...q } as NodesQuery, NOW, false).items.map((n) => n.nodeId);
  const walk = () => searchNodes(v, { sort_by: 'total_cru', sort_order: 'desc' } as NodesQuery, NOW, false).items;
  expect(byCru({})).toEqual(ids);
  expect(byCru({ sort_order: 'desc' })).toEqual([...ids].reverse());
  expect(byCru({ size: 2, page: 2, ret_count: true })).toEqual(ids.slice(2));
  // Same key, new serial number: both plans return the new record.
  put({ ...v.nodes.get(7)!, serialNumber: 'replaced' }, 10);
  expect(searchNodes(v, { farm_ids: '1', sort_by: 'total_cru', sort_order: 'desc' } as NodesQuery, NOW, false).items[0]!.serialNumber).toBe(
    'replaced',
  );
  expect(walk()[0]!.serialNumber).toBe('replaced');
  // A new key: the positions follow.
  put({ ...v.nodes.get(3)!, total: { ...v.nodes.get(3)!.total, cru: 99 } }, 11);
  expect(byCru({ sort_order: 'desc' })).toEqual([3, 7, 90_000_000, 4_000_000]);
  expect(walk().map((n) => n.nodeId)).toEqual([3, 7, 90_000_000, 4_000_000]);
});

test('reputation: consistent reports cover the time between them, a reboot only since the boot', () => {
  const H = 3600;
  const c = emptyCoverage();
  const t0 = NOW - 10 * H;
  addReport(c, t0, 100); // booted at t0 - 100
  addReport(c, t0 + H, 100 + H); // same boot
  addReport(c, t0 + 2 * H, 100 + 2 * H);
  // 4 silent hours, then a report of a new boot 30 minutes ago.
  addReport(c, t0 + 6.5 * H, 1800);
  expect(c.intervals).toEqual([
    [t0 - 100, t0 + 2 * H],
    [t0 + 6 * H, t0 + 6.5 * H],
  ]);
  const now = t0 + 6.5 * H;
  // Window of 24 h but the node exists since t0 - 100: judged over 6.5 h + 100 s; covered 2 h 100 s + 30 min; the tail is 0.
  expect(reputation(c, 24 * H, now, t0 - 100, 80 * 60)).toBeCloseTo((2 * H + 100 + 1800) / (6.5 * H + 100), 6);
  // 40 minutes later without a report: the tail counts (still within the status window).
  expect(reputation(c, 24 * H, now + 2400, t0 - 100, 80 * 60)).toBeCloseTo((2 * H + 100 + 1800 + 2400) / (6.5 * H + 100 + 2400), 6);
  // 2 h later: the tail does not count.
  expect(reputation(c, 24 * H, now + 2 * H, t0 - 100, 80 * 60)).toBeCloseTo((2 * H + 100 + 1800) / (8.5 * H + 100), 6);
  // A 1-hour window ending at the last report: only the new boot's 30 minutes.
  expect(reputation(c, H, now, 0, 80 * 60)).toBeCloseTo(0.5, 6);
  expect(reputation(emptyCoverage(), H, now, 0, 80 * 60)).toBe(0);
});

test('handlers: FarmDeleted, grace period started and ended', async () => {
  const tmp = tempDir();
  const db = new ExplorerDb(tmp.dir);
  await db.open();
  try {
    const v = new GridView();
    const block = (n: number) => ({ number: n, timestamp: NOW + n * 6 });
    const apply = async (n: number, events: { name: string; data: unknown[] }[]) => {
      const w = new WriteSet(db, v);
      for (const [i, e] of events.entries()) await applyEvent(w, { ...e, eventIndex: i }, block(n));
      const cursor = { height: n, hash: `0x${n}`, timestamp: NOW + n * 6 };
      await db.write(w.ops, cursor);
      v.commit(w.ops, cursor);
    };
    await apply(1, [
      {
        name: 'TfgridModule.FarmStored',
        data: [
          {
            id: 9,
            name: '0x' + Buffer.from('gone').toString('hex'),
            twinId: 1,
            pricingPolicyId: 1,
            certification: 'NotCertified',
            publicIps: [],
            dedicatedFarm: false,
          },
        ],
      },
      {
        name: 'SmartContractModule.ContractCreated',
        data: [
          {
            contractId: 4,
            twinId: 1,
            state: { created: null },
            contractType: { nameContract: { name: '0x6162' } },
            solutionProviderId: null,
          },
        ],
      },
    ]);
    expect(v.farms.get(9)?.name).toBe('gone');
    expect(v.contracts.get(4)).toMatchObject({ type: 'name', name: 'ab', state: 'Created' });
    await apply(2, [{ name: 'SmartContractModule.ContractGracePeriodStarted', data: [4, 0, 1, 2] }]);
    expect((v.contracts.get(4) as ContractRecord).state).toBe('GracePeriod');
    expect(await db.get<ContractRecord>('contract', key(4))).toMatchObject({ state: 'GracePeriod' });
    await apply(3, [
      { name: 'SmartContractModule.ContractGracePeriodEnded', data: [4, 0, 1] },
      { name: 'TfgridModule.FarmDeleted', data: [9] },
    ]);
    expect((v.contracts.get(4) as ContractRecord).state).toBe('Created');
    expect(v.farms.has(9)).toBe(false);
    expect(await db.get('farm', key(9))).toBeUndefined();
    expect(await db.get('farmByName', 'gone')).toBeUndefined();
  } finally {
    await db.close();
    tmp.remove();
  }
});
