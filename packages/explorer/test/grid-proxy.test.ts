/**
 * Without a chain, over loopback: the explorer as a drop-in for grid-proxy clients.
 * - every query parameter name of grid-proxy's filter types (NodeFilter, FarmFilter,
 *   ContractFilter, TwinFilter, PublicIpFilter, StatsFilter and Limit, listed below as grid-proxy
 *   names them) is accepted on its route and documented in the OpenAPI document;
 * - each filter and route added for grid-proxy, on a random grid written into the store, equals a
 *   plain filter-and-sort written here from grid-proxy's rules (its SQL, read, not copied);
 * - the node fields grid-proxy has (numbers where it has numbers).
 */
import type { FastifyInstance } from 'fastify';
import { GiB } from '@tfgrid/client';
import { key, type Op } from '../src/db';
import {
  buildApp,
  ExplorerDb,
  GridView,
  type BillRecord,
  type ContractRecord,
  type FarmRecord,
  type NodeRecord,
  type TwinRecord,
} from '../src';
import { tempDir } from './support';
import { randomNode, seededRandom } from './random-nodes';

const LIMIT = ['size', 'page', 'ret_count', 'randomize', 'sort_by', 'sort_order', 'balance'];
/** grid-proxy's query parameter names per route (its `schema:` tags). */
const GRID_PROXY_PARAMETERS: Record<string, string[]> = {
  '/nodes': [
    'status',
    'free_mru',
    'free_hru',
    'free_sru',
    'total_mru',
    'total_hru',
    'total_sru',
    'total_cru',
    'country',
    'country_contains',
    'city',
    'city_contains',
    'region',
    'farm_name',
    'farm_name_contains',
    'farm_ids',
    'free_ips',
    'ipv4',
    'ipv6',
    'domain',
    'dedicated',
    'in_dedicated_farm',
    'rentable',
    'owned_by',
    'rented',
    'rented_by',
    'rentable_or_rented_by',
    'available_for',
    'node_id',
    'node_ids',
    'twin_id',
    'certification_type',
    'has_gpu',
    'num_gpu',
    'gpu_device_id',
    'gpu_device_name',
    'gpu_vendor_id',
    'gpu_vendor_name',
    'gpu_available',
    'healthy',
    'price_min',
    'price_max',
    'excluded',
    'has_ipv6',
    'features',
    ...LIMIT,
  ],
  '/farms': [
    'free_ips',
    'total_ips',
    'stellar_address',
    'pricing_policy_id',
    'farm_id',
    'twin_id',
    'name',
    'name_contains',
    'certification_type',
    'dedicated',
    'node_free_mru',
    'node_free_hru',
    'node_free_sru',
    'node_total_cru',
    'node_status',
    'node_rented_by',
    'node_available_for',
    'node_has_gpu',
    'node_has_ipv6',
    'node_certified',
    'node_features',
    'country',
    'region',
    ...LIMIT,
  ],
  '/contracts': [
    'contract_id',
    'twin_id',
    'node_id',
    'type',
    'state',
    'name',
    'number_of_public_ips',
    'deployment_data',
    'deployment_hash',
    'farm_name',
    'farm_id',
    ...LIMIT,
  ],
  '/twins': ['twin_id', 'account_id', 'relay', 'public_key', ...LIMIT],
  '/public_ips': ['farm_ids', 'free', 'ip', 'gateway', ...LIMIT],
  '/stats': ['status', ...LIMIT],
  '/contracts/{id}/bills': LIMIT,
};
GRID_PROXY_PARAMETERS['/gateways'] = GRID_PROXY_PARAMETERS['/nodes']!;

const NOW = Math.floor(Date.now() / 1000);
const rnd = seededRandom(15);
const pick = <T>(xs: readonly T[]): T => xs[rnd(xs.length)]!;

const FARMS = 12;
const NODES = 300;
const CONTRACTS = 90;
const TWINS = 8;
const POLICY = {
  id: 1,
  name: 'default',
  su: { value: 50000, unit: 'Gigabytes' },
  cu: { value: 100000, unit: 'Gigabytes' },
  nu: { value: 15000, unit: 'Gigabytes' },
  ipu: { value: 40000, unit: 'Gigabytes' },
};
const POWERS: NodeRecord['power'][] = [
  { state: 'Up', target: 'Up', downSinceBlock: null, downAt: null },
  { state: 'Up', target: 'Down', downSinceBlock: null, downAt: null },
  { state: 'Down', target: 'Down', downSinceBlock: 1, downAt: NOW - 3 * 3600 },
  { state: 'Down', target: 'Up', downSinceBlock: 1, downAt: NOW - 3 * 86400 },
];
const COUNTRIES = ['Belgium', 'Egypt', 'Germany', 'Brazil', 'Japan', 'Atlantis'];

function farm(id: number): FarmRecord {
  return {
    farmId: id,
    name: id % 3 ? `farm${id}` : `Alpha${id}`,
    twinId: 1 + (id % 5),
    pricingPolicyId: id % 4 === 1 ? 0 : 1,
    certificationType: 'NotCertified',
    dedicated: id % 4 === 0,
    stellarAddress: '',
    publicIps: Array.from({ length: id % 3 }, (_, i) => ({
      ip: `198.18.${id}.${i + 2}/24`,
      gateway: `198.18.${id}.1`,
      contractId: i === 1 ? 1000 + id : 0,
    })),
  };
}

const node = (id: number): NodeRecord =>
  randomNode(rnd, id, {
    now: NOW,
    // Whether it is rented is drawn first.
    rented: rnd(6) === 0,
    farms: FARMS,
    usedBelow: { cru: 3, mruGiB: 4 },
    countries: COUNTRIES,
    cities: 9,
    coordinates: { latitudes: ['51.05', '-33.9', 'unknown', '', '30'], longitudes: ['3.72', '18.4', '', 'east'] },
    publicConfig: { ipv4: '198.18.0.9/24', ipv6: '2001:2::9/64', ipv6OneIn: 3, domainOneIn: 4 },
    lastReportSecondsAgo: [600, 3 * 3600, 3 * 86400],
    power: { pick: POWERS },
    rentedByTwins: 3,
    extraFeeOneIn: 5,
  });

function contract(id: number): ContractRecord {
  const type = pick(['node', 'node', 'rent', 'name'] as const);
  return {
    contractId: id,
    twinId: 1 + rnd(TWINS),
    type,
    state: pick(['Created', 'Created', 'GracePeriod', 'Deleted'] as const),
    nodeId: type === 'name' ? 0 : 1 + rnd(NODES),
    name: type === 'name' ? `name${id}` : '',
    deploymentHash: type === 'node' ? `hash${id}` : '',
    deploymentData: type === 'node' ? `data${id % 4}` : '',
    numberOfPublicIps: type === 'node' ? rnd(2) : 0,
    publicIps: [],
    solutionProviderId: null,
    resources: { cru: 1, mru: GiB, sru: 0, hru: 0 },
    createdAt: NOW - 20_000 - id,
    updatedAt: NOW - 20_000,
    billed: 0,
  };
}

const farms = new Map<number, FarmRecord>();
const nodes = new Map<number, NodeRecord>();
const contracts = new Map<number, ContractRecord>();
const bills: BillRecord[] = [];

const tmp = tempDir();
const db = new ExplorerDb(tmp.dir);
let app: FastifyInstance;
let url = '';

beforeAll(async () => {
  await db.open();
  const ops: Op[] = [];
  const put = (sub: Op['sub'], k: string, value: unknown) => ops.push({ type: 'put', sub, key: k, value });
  put('pricing', key(1), POLICY);
  for (let t = 1; t <= TWINS; t++)
    put('twin', key(t), { twinId: t, accountId: `5Twin${t}`, relay: 'relay.example', publicKey: null } satisfies TwinRecord);
  for (let f = 1; f <= FARMS; f++) farms.set(f, farm(f));
  for (let n = 1; n <= NODES; n++) nodes.set(n, node(n));
  for (let c = 1; c <= CONTRACTS; c++) contracts.set(c, contract(c));
  // Bills: 0 to 3 per contract, an hour or two apart.
  let block = 10;
  for (const c of contracts.values()) {
    let t = c.createdAt;
    for (let i = rnd(4); i > 0; i--) {
      t += 3600 * (1 + rnd(2));
      const b: BillRecord = { contractId: c.contractId, timestamp: t, discountLevel: 'None', amountBilled: 1_000_000 * (1 + rnd(50)) };
      bills.push(b);
      c.billed += b.amountBilled;
      put('bill', key(c.contractId, block++, 0), b);
    }
  }
  for (const f of farms.values()) put('farm', key(f.farmId), f);
  for (const n of nodes.values()) put('node', key(n.nodeId), n);
  for (const c of contracts.values()) put('contract', key(c.contractId), c);
  const cursor = { height: 1, hash: '0x01', timestamp: NOW };
  await db.write(ops, cursor);
  const view = await GridView.load(db);
  app = await buildApp({ db, view });
  url = await app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await app?.close();
  await db.close();
  tmp.remove();
});

async function get<T = unknown>(path: string): Promise<{ status: number; body: T; count: string | null }> {
  const r = await fetch(url + path);
  const text = await r.text();
  return { status: r.status, body: JSON.parse(text) as T, count: r.headers.get('count') };
}
type NodeJson = { nodeId: number; [k: string]: unknown };
const nodeIds = async (q: string) => (await get<NodeJson[]>(`/nodes?size=1000&${q}`)).body.map((n) => n.nodeId);

// ---- grid-proxy's rules, written plainly ----
const UP_S = 80 * 60;
function status(n: NodeRecord): 'up' | 'down' | 'standby' {
  const seen = Math.max(n.lastUptimeReport, n.updatedAt);
  const on = n.power.state === 'Up' && n.power.target === 'Up';
  if (on) return NOW - seen < UP_S ? 'up' : 'down';
  return NOW - Math.max(seen, n.power.downAt ?? 0) < 86400 ? 'standby' : 'down';
}
const farmOf = (n: NodeRecord) => farms.get(n.farmId)!;
const rented = (n: NodeRecord) => n.rentContractId !== 0;
const rentable = (n: NodeRecord) => !rented(n) && (farmOf(n).dedicated || n.activeContracts === 0);
function price(n: NodeRecord, balance = 0): number {
  const [cru, mru, sru, hru] = [n.total.cru, n.total.mru / GiB, n.total.sru / GiB, n.total.hru / GiB];
  const cu = Math.min(Math.max(mru / 4, cru / 2), Math.max(mru / 8, cru), Math.max(mru / 2, cru / 4));
  const su = hru / 1200 + sru / 200;
  const cost =
    ((cu * POLICY.cu.value + su * POLICY.su.value + (n.extraFee ?? 0)) * (n.certificationType === 'Certified' ? 1.25 : 1) * 720) / 1e7;
  const d = balance >= cost * 18 ? 0.6 : balance >= cost * 6 ? 0.4 : balance >= cost * 3 ? 0.3 : balance >= cost * 1.5 ? 0.2 : 0;
  return Math.round((cost - cost * d) * 1000) / 1000;
}
const REGION: Record<string, string> = {
  Belgium: 'Europe',
  Germany: 'Europe',
  Egypt: 'Africa',
  Brazil: 'Americas',
  Japan: 'Asia',
  Atlantis: '',
};
const sortedIds = (list: NodeRecord[]) => list.map((n) => n.nodeId).sort((a, b) => a - b);
const all = () => [...nodes.values()];

test('every grid-proxy query parameter name is accepted on its route and documented', async () => {
  const doc = app.swagger() as unknown as {
    paths: Record<string, { get?: { parameters?: { name: string; in: string; schema: Record<string, unknown> }[] } }>;
  };
  const valueFor = (name: string, s: Record<string, unknown>): string => {
    if (name === 'sort_by') return String(((s.anyOf as { enum: unknown[] }[] | undefined)?.[0]?.enum ?? ['x'])[0]);
    if (s.anyOf) return String((s.anyOf as { enum: unknown[] }[])[0]!.enum[0]);
    if (s.type === 'integer') return String(Math.max(1, Number(s.minimum ?? 1)));
    if (s.type === 'number') return '1.5';
    if (s.type === 'boolean') return 'true';
    if (typeof s.pattern === 'string') return /[A-Za-z]{2,}/.exec(s.pattern)?.[0] ?? '1';
    return 'x';
  };
  let checked = 0;
  for (const [route, names] of Object.entries(GRID_PROXY_PARAMETERS)) {
    const documented = new Map((doc.paths[route]?.get?.parameters ?? []).filter((p) => p.in === 'query').map((p) => [p.name, p.schema]));
    for (const name of names) {
      expect({ route, name, documented: documented.has(name) }).toEqual({ route, name, documented: true });
      const r = await fetch(`${url}${route.replace('{id}', '3')}?${name}=${encodeURIComponent(valueFor(name, documented.get(name)!))}`);
      expect({ route, name, status: r.status === 404 ? 200 : r.status }).toEqual({ route, name, status: 200 });
      await r.arrayBuffer();
      checked++;
    }
  }
  expect(checked).toBeGreaterThan(150);
  // A list-valued status, as grid clients send it.
  expect((await get('/nodes?status=up,standby')).status).toBe(200);
  expect((await get('/farms?node_status=up,down&node_features=zmachine,network')).status).toBe(200);
});

test('node filters grid-proxy has equal a plain filter over the grid', async () => {
  const cases: [string, (n: NodeRecord) => boolean][] = [
    ['status=up', (n) => status(n) === 'up'],
    ['status=standby', (n) => status(n) === 'standby'],
    ['status=up,standby', (n) => status(n) !== 'down'],
    ['status=down', (n) => status(n) === 'down'],
    ['healthy=true', (n) => status(n) === 'up'],
    ['healthy=false', (n) => status(n) !== 'up'],
    ['node_ids=3,7,299,4000', (n) => [3, 7, 299].includes(n.nodeId)],
    ['excluded=1,2,3', (n) => n.nodeId > 3],
    ['region=europe', (n) => REGION[n.location.country] === 'Europe'],
    ['region=Asia&status=up', (n) => REGION[n.location.country] === 'Asia' && status(n) === 'up'],
    ['country_contains=ERM', (n) => n.location.country.toLowerCase().includes('erm')],
    ['city_contains=y 3', (n) => n.location.city.includes('y 3')],
    ['farm_name_contains=alpha', (n) => farmOf(n).name.toLowerCase().includes('alpha')],
    ['owned_by=2', (n) => farmOf(n).twinId === 2],
    ['in_dedicated_farm=true', (n) => farmOf(n).dedicated],
    ['in_dedicated_farm=false', (n) => !farmOf(n).dedicated],
    ['rentable_or_rented_by=2', (n) => rentable(n) || (rented(n) && n.rentedByTwinId === 2)],
    ['available_for=1', (n) => (rented(n) ? n.rentedByTwinId === 1 : !farmOf(n).dedicated && (n.extraFee ?? 0) === 0)],
    ['price_min=20', (n) => price(n) >= 20],
    ['price_max=20', (n) => price(n) <= 20],
    ['price_min=10&price_max=30&balance=1000', (n) => price(n, 1000) >= 10 && price(n, 1000) <= 30],
    ['has_ipv6=true', (n) => n.publicConfig.ipv6 !== ''],
    ['has_gpu=true', () => false],
    ['has_gpu=false', () => false], // grid-proxy: a node without GPU rows never passes a GPU filter
    ['gpu_vendor_name=nvidia', () => false],
    ['num_gpu=0', () => true],
    ['num_gpu=1', () => false],
    ['features=zmachine', () => false],
  ];
  for (const [q, keep] of cases) {
    const want = sortedIds(all().filter(keep));
    const got = (await nodeIds(q)).sort((a, b) => a - b); // the order is checked below
    expect({ q, got }).toEqual({ q, got: want });
    // A filter of the node's own data selects some nodes, not none or all (GPU and feature filters: none has any).
    if (keep.length === 1) expect({ q, some: want.length > 0 && want.length < NODES }).toEqual({ q, some: true });
    const counted = await get(`/nodes?${q}&ret_count=true&size=5`);
    expect({ q, count: counted.count }).toEqual({ q, count: String(want.length) });
  }
});

test('grid-proxy sorts: status (up, standby, down), price_usd, rented first with available_for, randomize', async () => {
  const rank = { up: 0, standby: 1, down: 2 };
  const byStatus = all()
    .sort((a, b) => rank[status(a)] - rank[status(b)] || a.nodeId - b.nodeId)
    .map((n) => n.nodeId);
  expect(await nodeIds('sort_by=status')).toEqual(byStatus);
  const byStatusDesc = all()
    .sort((a, b) => rank[status(b)] - rank[status(a)] || b.nodeId - a.nodeId)
    .map((n) => n.nodeId);
  expect(await nodeIds('sort_by=status&sort_order=desc')).toEqual(byStatusDesc);
  const byPrice = all()
    .sort((a, b) => price(a, 500) - price(b, 500) || a.nodeId - b.nodeId)
    .map((n) => n.nodeId);
  expect(await nodeIds('sort_by=price_usd&balance=500')).toEqual(byPrice);
  for (const [field, k] of [
    ['extra_fee', (n: NodeRecord) => n.extraFee ?? 0],
    ['rent_contract_id', (n: NodeRecord) => n.rentContractId],
    ['dedicated_farm', (n: NodeRecord) => Number(farmOf(n).dedicated)],
    ['rentable', (n: NodeRecord) => Number(rentable(n))],
  ] as const) {
    const want = all()
      .sort((a, b) => k(b) - k(a) || b.nodeId - a.nodeId)
      .map((n) => n.nodeId);
    expect({ field, got: await nodeIds(`sort_by=${field}&sort_order=desc`) }).toEqual({ field, got: want });
  }
  // available_for: the twin's rented nodes first, then the order asked for.
  const avail = all().filter((n) => (rented(n) ? n.rentedByTwinId === 2 : !farmOf(n).dedicated && (n.extraFee ?? 0) === 0));
  const want = avail
    .sort((a, b) => Number(!rented(a)) - Number(!rented(b)) || b.total.cru - a.total.cru || b.nodeId - a.nodeId)
    .map((n) => n.nodeId);
  expect(want.slice(0, 1).every((id) => rented(nodes.get(id)!))).toBe(true);
  expect(await nodeIds('available_for=2&sort_by=total_cru&sort_order=desc')).toEqual(want);
  // randomize: the same nodes as the filter, in some order; the count header too.
  const up = sortedIds(all().filter((n) => status(n) === 'up'));
  const r = await get<NodeJson[]>('/nodes?status=up&randomize=true&size=1000&ret_count=true');
  expect(r.body.map((n) => n.nodeId).sort((a, b) => a - b)).toEqual(up);
  expect(r.count).toBe(String(up.length));
});

test('node fields grid-proxy shows, with its types', async () => {
  for (const id of [1, 2, 3, 50, 299]) {
    const n = nodes.get(id)!;
    const { body } = await get<Record<string, unknown>>(`/nodes/${id}`);
    const coord = (s: string) => (/^[-+]?(\d+\.?\d*|\.\d+)$/.test(s) ? Number(s) : null);
    expect(body).toMatchObject({
      status: status(n),
      healthy: status(n) === 'up',
      extraFee: n.extraFee ?? 0,
      price_usd: price(n),
      num_gpu: 0,
      gpus: [],
      features: [],
      dmi: { bios: { vendor: '', version: '' }, baseboard: { manufacturer: '', product_name: '' }, processor: [], memory: [] },
      speed: { upload: 0, download: 0 },
      location: {
        country: n.location.country,
        region: REGION[n.location.country],
        latitude: coord(n.location.latitude),
        longitude: coord(n.location.longitude),
      },
    });
    const listed = (await get<Record<string, unknown>[]>(`/nodes?node_id=${id}&balance=100000`)).body[0]!;
    expect(listed.price_usd).toBe(price(n, 100000));
  }
  // A node being powered down is not up (grid-proxy: state and target Up).
  const goingDown = all().find((n) => n.power.state === 'Up' && n.power.target === 'Down' && NOW - n.lastUptimeReport < UP_S)!;
  expect((await get<{ status: string }>(`/nodes/${goingDown.nodeId}/status`)).body.status).toBe('standby');
});

test('farm filters on their nodes (node_*, country, region) equal a plain filter', async () => {
  const farmsWith = (keep: (n: NodeRecord) => boolean) =>
    [
      ...new Set(
        all()
          .filter(keep)
          .map((n) => n.farmId),
      ),
    ].sort((a, b) => a - b);
  const free = (n: NodeRecord, r: 'mru' | 'sru' | 'hru') => {
    const reserved =
      r === 'mru'
        ? Math.min(n.total.mru, Math.max(Math.floor(n.total.mru / 10), 2 * GiB))
        : r === 'sru'
          ? Math.min(n.total.sru, 20 * GiB)
          : 0;
    return Math.max(0, n.total[r] - reserved - n.used[r]);
  };
  const cases: [string, (n: NodeRecord) => boolean][] = [
    ['node_status=up', (n) => status(n) === 'up'],
    ['node_status=standby,down', (n) => status(n) !== 'up'],
    ['node_free_mru=' + 40 * GiB, (n) => free(n, 'mru') >= 40 * GiB],
    ['node_free_hru=1', (n) => free(n, 'hru') >= 1],
    ['node_free_sru=' + 600 * GiB, (n) => free(n, 'sru') >= 600 * GiB],
    ['node_total_cru=30', (n) => n.total.cru >= 30],
    ['node_rented_by=2', (n) => n.rentedByTwinId === 2],
    ['node_available_for=3', (n) => (rented(n) ? n.rentedByTwinId === 3 : !farmOf(n).dedicated && (n.extraFee ?? 0) === 0)],
    ['node_certified=true', (n) => n.certificationType === 'Certified'],
    ['node_certified=false', (n) => n.certificationType !== 'Certified'],
    ['node_has_ipv6=true', (n) => n.publicConfig.ipv6 !== ''],
    ['node_has_gpu=true', () => false],
    ['node_features=zdb', () => false],
    ['country=japan', (n) => n.location.country === 'Japan'],
    ['region=Americas&node_status=up', (n) => REGION[n.location.country] === 'Americas' && status(n) === 'up'],
  ];
  for (const [q, keep] of cases) {
    const got = (await get<{ farmId: number }[]>(`/farms?${q}&size=1000`)).body.map((f) => f.farmId);
    const want = farmsWith(keep);
    if (keep.length === 1) expect({ q, some: want.length > 0 }).toEqual({ q, some: true });
    if (q.startsWith('node_available_for')) {
      // grid-proxy: farms with the twin's rented nodes first.
      const first = new Set(
        all()
          .filter((n) => keep(n) && rented(n))
          .map((n) => n.farmId),
      );
      want.sort((a, b) => Number(!first.has(a)) - Number(!first.has(b)) || a - b);
    }
    expect({ q, got }).toEqual({ q, got: want });
  }
  const used = (f: FarmRecord) => f.publicIps.filter((p) => p.contractId !== 0).length;
  const byUsed = [...farms.values()].sort((a, b) => used(a) - used(b) || a.farmId - b.farmId).map((f) => f.farmId);
  expect((await get<{ farmId: number }[]>('/farms?sort_by=used_ips')).body.map((f) => f.farmId)).toEqual(byUsed);
});

test('contracts by deployment_data, farm_name and farm_id; details name the farm; public_ips by gateway', async () => {
  const farmOfContract = (c: ContractRecord) => (c.type === 'name' ? undefined : farms.get(nodes.get(c.nodeId)!.farmId));
  const ids = async (q: string) => (await get<{ contract_id: number }[]>(`/contracts?size=1000&${q}`)).body.map((c) => c.contract_id);
  const list = [...contracts.values()];
  const name = farms.get(4)!.name;
  const cases: [string, (c: ContractRecord) => boolean][] = [
    ['deployment_data=data2', (c) => c.deploymentData === 'data2'],
    [`farm_name=${name.toUpperCase()}`, (c) => farmOfContract(c)?.farmId === 4],
    ['farm_id=3', (c) => farmOfContract(c)?.farmId === 3],
    ['farm_id=3&type=rent', (c) => farmOfContract(c)?.farmId === 3 && c.type === 'rent'],
  ];
  for (const [q, keep] of cases) {
    const want = list.filter(keep).map((c) => c.contractId);
    expect({ q, got: await ids(q) }).toEqual({ q, got: want });
    expect({ q, some: want.length > 0 }).toEqual({ q, some: true });
  }
  for (const c of list.slice(0, 20)) {
    const { body } = await get<{ details: Record<string, unknown> }>(`/contracts/${c.contractId}`);
    const f = farmOfContract(c);
    if (c.type === 'name') expect(body.details).toEqual({ name: c.name });
    else expect(body.details).toMatchObject({ nodeId: c.nodeId, farm_id: f!.farmId, farm_name: f!.name });
  }
  const gw = '198.18.5.1';
  const ips = (await get<{ ip: string; gateway: string }[]>(`/public_ips?gateway=${gw}&size=1000`)).body;
  expect(ips.map((p) => p.ip)).toEqual(farms.get(5)!.publicIps.map((p) => p.ip));
  expect(ips.length).toBeGreaterThan(0);
  const byIp = [...farms.values()].flatMap((f) => f.publicIps.map((p) => p.ip)).sort();
  expect((await get<{ ip: string }[]>('/public_ips?sort_by=ip&size=1000')).body.map((p) => p.ip)).toEqual(byIp);
});

test('stats with a list of statuses; node statistics and GPUs from what the explorer indexes', async () => {
  for (const q of ['up', 'up,standby', 'down,standby,up']) {
    const want = all().filter((n) => q.split(',').includes(status(n)));
    const { body } = await get<Record<string, number>>(`/stats?status=${q}`);
    expect({ q, nodes: body.nodes, cru: body.totalCru }).toEqual({ q, nodes: want.length, cru: want.reduce((s, n) => s + n.total.cru, 0) });
    expect(body.gpus).toBe(0);
    expect(body.dedicatedNodes).toBe(want.filter((n) => farmOf(n).dedicated).length);
  }
  const active = [...contracts.values()].filter((c) => c.state !== 'Deleted');
  expect((await get<Record<string, number>>('/stats')).body.workloads_number).toBe(active.filter((c) => c.type === 'node').length);
  for (const id of [...new Set(active.filter((c) => c.type === 'node').map((c) => c.nodeId))].slice(0, 10)) {
    const n = nodes.get(id)!;
    const mine = active.filter((c) => c.type === 'node' && c.nodeId === id);
    const { body } = await get<Record<string, Record<string, number>>>(`/nodes/${id}/statistics`);
    expect(body).toEqual({
      total: { cru: n.total.cru, mru: n.total.mru, sru: n.total.sru, hru: n.total.hru, ipv4u: farmOf(n).publicIps.length },
      system: {
        cru: 0,
        mru: Math.min(n.total.mru, Math.max(Math.floor(n.total.mru / 10), 2 * GiB)),
        sru: Math.min(n.total.sru, 20 * GiB),
        hru: 0,
        ipv4u: 0,
      },
      used: { ...n.used, ipv4u: mine.reduce((s, c) => s + c.numberOfPublicIps, 0) },
      users: { deployments: mine.length, workloads: mine.length, last_deployment_timestamp: Math.max(...mine.map((c) => c.createdAt)) },
    });
    expect((await get(`/nodes/${id}/gpu`)).body).toEqual([]);
  }
  expect((await get(`/nodes/${NODES + 1}/statistics`)).status).toBe(404);
  expect((await get(`/nodes/${NODES + 1}/gpu`)).status).toBe(404);
});

test('twin consumption from the bills (grid-proxy: last hour from the latest two bills of active contracts)', async () => {
  let checked = 0;
  for (let t = 1; t <= TWINS; t++) {
    const mine = [...contracts.values()].filter((c) => c.twinId === t);
    let lastHour = 0;
    for (const c of mine.filter((x) => x.state !== 'Deleted')) {
      const b = bills.filter((x) => x.contractId === c.contractId).sort((x, y) => y.timestamp - x.timestamp);
      if (b.length === 0) continue;
      lastHour += b[0]!.amountBilled / ((b[0]!.timestamp - (b[1]?.timestamp ?? c.createdAt)) / 3600) / 1e7;
    }
    const overall = bills.filter((b) => mine.some((c) => c.contractId === b.contractId)).reduce((s, b) => s + b.amountBilled, 0) / 1e7;
    const { body } = await get<{ last_hour_consumption: number; overall_consumption: number }>(`/twins/${t}/consumption`);
    expect(body.overall_consumption).toBeCloseTo(overall, 9);
    expect(body.last_hour_consumption).toBeCloseTo(lastHour, 9);
    if (overall > 0) checked++;
  }
  expect(checked).toBeGreaterThan(3);
  expect((await get('/twins/999/consumption')).body).toEqual({ last_hour_consumption: 0, overall_consumption: 0 });
});

test('/version and / answer as grid-proxy does', async () => {
  expect((await get('/version')).body).toEqual({ version: expect.stringMatching(/^\d+\.\d+\.\d+/) });
  const index = (await get<string>('/')).body;
  expect(index).toContain('[/nodes]');
  expect(index).toContain('[/twins/{id}/consumption]');
});
