/**
 * Without a chain: the list routes' response cache answers repeated queries from memory, and a
 * committed block that changes the data is reflected by the very next identical query (never an
 * answer older than the last committed block). No timing assertions.
 */
import type { FastifyInstance } from 'fastify';
import { key } from '../src/db';
import { buildApp, ExplorerDb, GridView, type FarmRecord, type NodeRecord } from '../src';
import { responseCacheOf } from '../src/api';
import { tempDir } from './support';

const GiB = 1024 ** 3;
const NOW = Math.floor(Date.now() / 1000);

function node(id: number, mruUsed: number): NodeRecord {
  return {
    nodeId: id,
    farmId: 1,
    twinId: 100 + id,
    gridVersion: 1,
    total: { cru: 8, mru: 64 * GiB, sru: 1000 * GiB, hru: 0 },
    used: { cru: 0, mru: mruUsed * GiB, sru: 0, hru: 0 },
    location: { country: 'Belgium', city: 'Ghent', latitude: '0', longitude: '0' },
    publicConfig: { ipv4: '', gw4: '', ipv6: '', gw6: '', domain: '' },
    interfaces: [],
    created: NOW - 86400,
    farmingPolicyId: 1,
    certificationType: 'Diy',
    secureBoot: false,
    virtualized: false,
    serialNumber: '',
    connectionPrice: 80,
    uptime: 1000,
    lastUptimeReport: NOW - 60,
    updatedAt: NOW - 3600,
    power: { state: 'Up', target: 'Up', downSinceBlock: null, downAt: null },
    activeContracts: 0,
    rentContractId: 0,
    rentedByTwinId: 0,
    deleted: false,
  };
}
const farm = (name: string): FarmRecord => ({
  farmId: 1,
  name,
  twinId: 1,
  pricingPolicyId: 1,
  certificationType: 'NotCertified',
  dedicated: false,
  stellarAddress: '',
  publicIps: [],
});

const tmp = tempDir();
const db = new ExplorerDb(tmp.dir);
const view = new GridView();
let app: FastifyInstance;
let url = '';
let height = 0;
const commit = (ops: Parameters<GridView['commit']>[0]) => view.commit(ops, { height: ++height, hash: `0x${height}`, timestamp: NOW });

async function get(
  path: string,
): Promise<{ body: { nodeId?: number; name?: string; free_resources?: { mru: number }; farmName?: string }[]; count: string | null }> {
  const r = await fetch(url + path);
  expect(r.status).toBe(200);
  return { body: (await r.json()) as never, count: r.headers.get('count') };
}

beforeAll(async () => {
  await db.open();
  commit([
    { type: 'put', sub: 'farm', key: key(1), value: farm('alpha') },
    ...[1, 2, 3].map((i) => ({ type: 'put' as const, sub: 'node' as const, key: key(i), value: node(i, i) })),
  ]);
  app = await buildApp({ db, view });
  url = await app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await app.close();
  await db.close();
  tmp.remove();
});

test('a repeated query is a cache hit; a committed node update is reflected by the next identical query', async () => {
  const q = '/nodes?status=up&sort_by=free_mru&sort_order=desc&ret_count=true';
  const first = await get(q);
  expect(first.body.map((n) => n.nodeId)).toEqual([1, 2, 3]);
  expect(first.count).toBe('3');
  // The same query with its parameters reordered shares the entry and answers the same bytes, headers included.
  const again = await get('/nodes?ret_count=true&sort_order=desc&sort_by=free_mru&status=up');
  expect(again).toEqual(first);

  // Block: node 3 frees its memory, node 1 uses more: the order flips at once.
  commit([
    { type: 'put', sub: 'node', key: key(3), value: node(3, 0) },
    { type: 'put', sub: 'node', key: key(1), value: node(1, 10) },
  ]);
  const after = await get(q);
  expect(after.body.map((n) => n.nodeId)).toEqual([3, 2, 1]);
  expect(after.body[0]!.free_resources!.mru).toBe(64 * GiB - Math.floor((64 * GiB) / 10)); // less the node's reserved 10 %

  // Block: a node deleted: gone from the next answer and from the count.
  commit([{ type: 'del', sub: 'node', key: key(2) }]);
  const deleted = await get(q);
  expect(deleted.body.map((n) => n.nodeId)).toEqual([3, 1]);
  expect(deleted.count).toBe('2');
});

test('a farm rename is reflected at once by /farms and by the nodes listing it', async () => {
  expect((await get('/farms')).body.map((f) => f.name)).toEqual(['alpha']);
  expect((await get('/nodes')).body.map((n) => n.farmName)).toEqual(['alpha', 'alpha']);
  commit([{ type: 'put', sub: 'farm', key: key(1), value: farm('beta') }]);
  expect((await get('/farms')).body.map((f) => f.name)).toEqual(['beta']);
  expect((await get('/nodes')).body.map((n) => n.farmName)).toEqual(['beta', 'beta']);
});

test('repeated queries are answered from the cache (reordered parameters included)', async () => {
  const cache = responseCacheOf(app)!;
  const hits = cache.hits;
  // Up to five tries: two requests straddling a second boundary are (rightly) a miss.
  for (let i = 0; i < 5 && cache.hits === hits; i++) {
    const a = await get('/nodes?sort_by=node_id&size=10');
    const b = await get('/nodes?size=10&sort_by=node_id');
    expect(b).toEqual(a);
  }
  expect(cache.hits).toBeGreaterThan(hits);
});

test('turned off, nothing is cached', async () => {
  const c = await buildApp({ db, view, responseCache: false });
  expect(responseCacheOf(c)).toBeUndefined();
  await c.close();
});
