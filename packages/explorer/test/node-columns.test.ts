/**
 * The nodes' typed-array columns (view/node-columns.ts) and the /nodes check over them
 * (nodePrefilter): the columns follow records replaced and deleted, ids too sparse for them are
 * left to the record's check, and the check over the columns refuses only nodes the predicate
 * refuses, so searches agree with the predicate over every node.
 */
import { GiB } from '@tfgrid/client';
import { key } from '../src/db';
import { GridView, type NodeRecord } from '../src';
import { nodePredicate, nodePrefilter, searchNodes, type NodesQuery } from '../src/api';
import { COVERED } from '../src/view';
import { hoursBelow, randomNode, randomTotal, seededRandom } from './random-nodes';

const NOW = 1_800_000_000;
const rnd = seededRandom(7);

const node = (id: number): NodeRecord =>
  randomNode(rnd, id, {
    now: NOW,
    // The resources are drawn before the farm.
    total: randomTotal(rnd),
    farms: 12,
    countries: ['Belgium', 'Egypt', 'Germany'],
    cities: 5,
    usedBelow: { cru: 4, mruGiB: 8, sru300GiB: 3 },
    uptimeBelow: 100_000,
    lastReportSecondsAgo: hoursBelow(30),
    power: { downOneIn: 5, upTargetDownOneIn: 8 },
    rentOneIn: 6,
  });

const QUERIES: NodesQuery[] = [
  { status: 'up' },
  { status: 'standby,down' },
  { healthy: true },
  { healthy: false, status: 'up' },
  { free_mru: 20 * GiB, free_sru: 1 },
  { total_cru: 16, total_hru: 2000 * GiB },
  { country: 'egypt', city: 'city 2' },
  { country: 'Nowhere' },
  { certification_type: 'CERTIFIED', ipv4: true },
  { farm_ids: '3,5' },
  { farm_ids: '1,2,3,4,5,6,7,8,9,10' },
  { rented: false, rentable: true },
  { rented: true, rentable: true },
  { ipv6: true, has_ipv6: false },
  { domain: true, status: 'up', free_cru: 4 },
  { twin_id: 1003, status: 'up' },
];

function put(v: GridView, n: NodeRecord, height: number): void {
  v.commit([{ type: 'put', sub: 'node', key: key(n.nodeId), value: n }], { height, hash: '0x', timestamp: NOW });
}

/** Every node's answer: the columns refuse only what the predicate refuses, and searches agree with the predicate. */
function agrees(v: GridView, gateways = false): void {
  for (const q of QUERIES) {
    const keep = nodePredicate(v, q, NOW, gateways);
    const pre = nodePrefilter(v, q, NOW, gateways);
    const expected = [...v.nodes.values()]
      .filter(keep)
      .map((n) => n.nodeId)
      .sort((a, b) => a - b);
    for (const n of v.nodes.values())
      if (pre !== undefined && pre(n.nodeId) === 0) expect({ q, id: n.nodeId, kept: keep(n) }).toEqual({ q, id: n.nodeId, kept: false });
    const got = searchNodes(v, { ...q, size: 1000 }, NOW, gateways).items.map((n) => n.nodeId);
    expect({ q, got }).toEqual({ q, got: expected });
  }
}

test('the check over the columns refuses only what the predicate refuses, for every query', () => {
  const v = new GridView();
  for (let id = 1; id <= 300; id++) put(v, node(id), id);
  agrees(v);
  agrees(v, true);
});

test('the columns follow records replaced and deleted', () => {
  const v = new GridView();
  for (let id = 1; id <= 20; id++) put(v, node(id), id);
  const c = v.nodeIndex.columns;
  const n5 = v.nodes.get(5)!;
  // Replaced: a new country, all memory used, powered down.
  put(
    v,
    {
      ...n5,
      location: { ...n5.location, country: 'Austria' },
      used: { ...n5.used, mru: n5.total.mru },
      power: { state: 'Down', target: 'Down', downSinceBlock: 1, downAt: NOW - 60 },
    },
    30,
  );
  expect(c.freeMru[5]).toBe(0);
  const ids = (q: NodesQuery) => searchNodes(v, { ...q, size: 1000 }, NOW, false).items.map((n) => n.nodeId);
  expect(ids({ country: 'austria' })).toEqual([5]);
  expect(ids({ country: n5.location.country })).not.toContain(5);
  expect(ids({ status: 'standby', country: 'Austria' })).toEqual([5]);
  expect(ids({ free_mru: 1, country: 'Austria' })).toEqual([]);
  agrees(v);
  // Deleted: no longer covered, nor found.
  v.commit([{ type: 'del', sub: 'node', key: key(5) }], { height: 31, hash: '0x', timestamp: NOW });
  expect(c.flags[5]! & COVERED).toBe(0);
  expect(ids({ country: 'austria' })).toEqual([]);
  agrees(v);
});

test('ids too sparse for the columns are checked on the record, and covered when written once the ids are dense enough', () => {
  const v = new GridView();
  const far = 50_000;
  put(v, { ...node(far), location: { ...node(far).location, country: 'Chile' } }, 1);
  for (let id = 1; id <= 10; id++) put(v, node(id), id + 1);
  const c = v.nodeIndex.columns;
  expect(c.capacity).toBeLessThanOrEqual(far);
  // Chile is a name no covered node has: the node not covered is still found.
  expect(nodePrefilter(v, { country: 'chile' }, NOW, false)!(far)).toBe(2);
  expect(searchNodes(v, { country: 'Chile' }, NOW, false).items.map((n) => n.nodeId)).toEqual([far]);
  agrees(v);
  // Enough nodes that the id is dense enough: its next write grows the columns to cover it.
  for (let id = 11; id <= 30_000; id++) put(v, node(id), id + 1);
  expect(c.capacity).toBeLessThanOrEqual(far);
  put(v, { ...v.nodes.get(far)!, uptime: 1 }, 40_000);
  expect(c.capacity).toBeGreaterThan(far);
  expect(c.flags[far]! & COVERED).toBe(COVERED);
  expect(nodePrefilter(v, { country: 'chile' }, NOW, false)!(far)).toBe(1);
  expect(searchNodes(v, { country: 'Chile' }, NOW, false).items.map((n) => n.nodeId)).toEqual([far]);
});
