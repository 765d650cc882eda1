/**
 * Against a dev chain in-process: entities appear and change as the chain says (twin, farm with
 * IPs, node, uptime → status, power, contracts and their state, used resources, bills), node
 * filters, sorting and pagination, 400s, OpenAPI, metrics, and a restart that resumes.
 */
import type { Devchain } from '@tfgrid/devchain';
import { startChain } from '@tfgrid/testkit';
import type { TfchainClient } from '@tfgrid/client';
import { startExplorer, type Explorer } from '../src';
import { GiB, chainNow, get, nodeInput, synced, tempDir, twinClient } from './support';

jest.setTimeout(120_000);

let chain: Devchain;
let alice: TfchainClient;
let farmer: TfchainClient;
let node1: TfchainClient;
let node2: TfchainClient;
let explorer: Explorer;
const tmp = tempDir();
let farmId: number;
let farm2: number;
let n1: number;
let n2: number;
let contractId: number;

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

beforeAll(async () => {
  chain = await startChain();
  alice = await twinClient(chain, '//Alice');
  farmer = await twinClient(chain, '//Bob');
  node1 = await twinClient(chain, '0x' + '41'.repeat(32), alice, 'ed25519');
  node2 = await twinClient(chain, '0x' + '42'.repeat(32), alice, 'ed25519');
  farmId = await farmer.farms.create({ name: 'farm_one', publicIps: [{ ip: '185.206.122.33/24', gw: '185.206.122.1' }] });
  farm2 = await farmer.farms.create({ name: 'farm_two' });
  n1 = await node1.nodes.create(nodeInput(farmId));
  n2 = await node2.nodes.create(
    nodeInput(farm2, {
      resources: { hru: 2000 * GiB, sru: 100 * GiB, cru: 8, mru: 32 * GiB },
      location: { city: 'Cairo', country: 'Egypt', latitude: '30.04', longitude: '31.23' },
    }),
    { wait: 'finalized' },
  );
  explorer = await startExplorer({ chain: chain.url, db: tmp.dir, port: 0, pollMs: 200 });
  await synced(explorer, alice);
});

afterAll(async () => {
  await explorer?.stop();
  for (const c of [alice, farmer, node1, node2]) await c?.disconnect();
  await chain?.stop();
  tmp.remove();
});

test('twins, farms with public IPs and nodes appear as the chain says', async () => {
  const twins = await get<Any[]>(explorer, '/twins');
  expect(twins.status).toBe(200);
  expect(twins.body.map((t) => t.accountId)).toEqual([alice.address, farmer.address, node1.address, node2.address]);
  expect(twins.body[0]).toEqual({ twinId: 1, accountId: alice.address, relay: 'relay.dev.grid.tf', publicKey: '' });

  const farms = await get<Any[]>(explorer, '/farms?name=farm_one');
  expect(farms.body).toHaveLength(1);
  expect(farms.body[0]).toMatchObject({
    farmId,
    name: 'farm_one',
    twinId: 2,
    pricingPolicyId: 1,
    certificationType: 'NotCertified',
    dedicated: false,
  });
  expect(farms.body[0].publicIps).toEqual([
    { id: `${farmId}-185.206.122.33/24`, ip: '185.206.122.33/24', farm_id: farmId, contract_id: 0, gateway: '185.206.122.1' },
  ]);

  const node = await get<Any>(explorer, `/nodes/${n1}`);
  expect(node.status).toBe(200);
  expect(node.body).toMatchObject({
    nodeId: n1,
    farmId,
    farmName: 'farm_one',
    twinId: 3,
    country: 'Belgium',
    city: 'Ghent',
    total_resources: { cru: 4, sru: 500 * GiB, hru: 0, mru: 8 * GiB },
    used_resources: { cru: 0, sru: 0, hru: 0, mru: 0 },
    location: { country: 'Belgium', city: 'Ghent', region: 'Europe', latitude: 51.05, longitude: 3.72 },
    publicConfig: { ipv4: '', gw4: '', ipv6: '', gw6: '', domain: '' },
    status: 'up',
    certificationType: 'Diy',
    serialNumber: 'SN-0001',
    power: { state: 'Up', target: 'Up' },
    rented: false,
    rentable: true,
  });
  expect(node.body.interfaces).toEqual([{ name: 'zos', mac: '00:11:22:33:44:55', ips: '10.2.0.5' }]);
  expect((await get(explorer, '/nodes/999')).status).toBe(404);
});

test('public config, uptime reports and power change the node; status follows time', async () => {
  await farmer.nodes.setPublicConfig({
    farmId,
    nodeId: n1,
    config: { ip4: { ip: '185.206.122.40/24', gw: '185.206.122.1' }, ip6: null, domain: 'gw.example.com' },
  });
  await node1.nodes.reportUptime({ uptime: 1234, timestampHint: await chainNow(alice) }, { wait: 'finalized' });
  await synced(explorer, alice);
  const n = (await get<Any>(explorer, `/nodes/${n1}`)).body;
  expect(n.publicConfig).toEqual({ ipv4: '185.206.122.40/24', gw4: '185.206.122.1', ipv6: '', gw6: '', domain: 'gw.example.com' });
  expect(n.uptime).toBe(1234);
  expect((await get<Any[]>(explorer, '/gateways')).body.map((g) => g.nodeId)).toEqual([n1]);

  // 2 hours later with no report: down.
  await chain.chain.timeTravel({ seconds: 2 * 3600 });
  await alice.balances.transfer({ to: farmer.address, amount: 1n }, { wait: 'finalized' });
  await synced(explorer, alice);
  expect((await get(explorer, `/nodes/${n1}/status`)).body).toEqual({ status: 'down' });
  // A report brings it up again.
  await node1.nodes.reportUptime({ uptime: 60, timestampHint: await chainNow(alice) }, { wait: 'finalized' });
  await synced(explorer, alice);
  expect((await get(explorer, `/nodes/${n1}/status`)).body).toEqual({ status: 'up' });
  expect((await get<Any[]>(explorer, '/nodes?status=up')).body.map((x) => x.nodeId)).toEqual([n1]);
  // Powered down: standby.
  await node2.nodes.changePowerState('Down', { wait: 'finalized' });
  await synced(explorer, alice);
  const s2 = (await get<Any>(explorer, `/nodes/${n2}`)).body;
  expect(s2.status).toBe('standby');
  expect(s2.power).toEqual({ state: 'Down', target: 'Up' });
});

test('a contract appears with its IP, used resources, bills; cancelling ends it', async () => {
  contractId = await alice.contracts.createNode({ nodeId: n1, hash: 'a'.repeat(32), data: 'vm', publicIps: 1 });
  await node1.contracts.reportResources([{ contractId, used: { hru: 0, sru: 10 * GiB, cru: 1, mru: 2 * GiB } }], { wait: 'finalized' });
  await synced(explorer, alice);
  const c = await get<Any>(explorer, `/contracts/${contractId}`);
  expect(c.body).toMatchObject({
    contract_id: contractId,
    twin_id: 1,
    state: 'Created',
    type: 'node',
    details: { nodeId: n1, deployment_hash: 'a'.repeat(32), deployment_data: 'vm', number_of_public_ips: 1 },
    resources_used: { hru: 0, sru: 10 * GiB, cru: 1, mru: 2 * GiB },
  });
  const n = (await get<Any>(explorer, `/nodes/${n1}`)).body;
  expect(n.used_resources).toEqual({ hru: 0, sru: 10 * GiB, cru: 1, mru: 2 * GiB });
  expect(n.free_resources.mru).toBe(4 * GiB); // 8 total − 2 reserved (max(10 %, 2 GiB), as the node keeps) − 2 used
  expect(n.num_contracts).toBe(1);
  expect(n.rentable).toBe(false);
  expect((await get<Any[]>(explorer, `/farms?farm_id=${farmId}`)).body[0].publicIps[0].contract_id).toBe(contractId);
  expect((await get<Any[]>(explorer, '/nodes?free_mru=' + 7 * GiB)).body.map((x) => x.nodeId)).toEqual([n2]);

  // Billing runs a block later in the devchain's hourly cycle: travel an hour and wait for a bill.
  await chain.chain.timeTravel({ seconds: 3700 });
  await alice.balances.transfer({ to: farmer.address, amount: 1n }, { wait: 'finalized' });
  await synced(explorer, alice);
  const bills = (await get<Any[]>(explorer, `/contracts/${contractId}/bills`)).body;
  expect(bills.length).toBeGreaterThan(0);
  expect(bills[0]).toMatchObject({ contract_id: contractId });
  expect(bills[0].amount_billed).toBeGreaterThan(0);

  await alice.contracts.cancel(contractId, { wait: 'finalized' });
  await synced(explorer, alice);
  expect((await get<Any>(explorer, `/contracts/${contractId}`)).body.state).toBe('Deleted');
  const after = (await get<Any>(explorer, `/nodes/${n1}`)).body;
  expect(after.used_resources).toEqual({ hru: 0, sru: 0, cru: 0, mru: 0 });
  expect(after.num_contracts).toBe(0);
  expect((await get<Any[]>(explorer, `/farms?farm_id=${farmId}`)).body[0].publicIps[0].contract_id).toBe(0);
  expect((await get<Any[]>(explorer, '/contracts?state=Deleted')).body.map((x) => x.contract_id)).toEqual([contractId]);
  expect((await get<Any[]>(explorer, '/contracts?state=Created')).body).toEqual([]);
});

test('node filters, sorting and pagination', async () => {
  const ids = async (q: string) => (await get<Any[]>(explorer, '/nodes' + q)).body.map((x) => x.nodeId);
  expect(await ids('')).toEqual([n1, n2]);
  expect(await ids('?country=egypt')).toEqual([n2]);
  expect(await ids('?city=Ghent')).toEqual([n1]);
  expect(await ids(`?farm_ids=${farm2}`)).toEqual([n2]);
  expect(await ids(`?farm_ids=${farmId},${farm2}`)).toEqual([n1, n2]);
  expect(await ids('?total_cru=8')).toEqual([n2]);
  expect(await ids(`?free_hru=${1000 * GiB}`)).toEqual([n2]);
  expect(await ids(`?free_sru=${200 * GiB}`)).toEqual([n1]);
  expect(await ids('?twin_id=4')).toEqual([n2]);
  expect(await ids('?ipv4=true')).toEqual([n1]);
  expect(await ids('?domain=false')).toEqual([n2]);
  expect(await ids('?dedicated=false&rented=false')).toEqual([n1, n2]);
  expect(await ids('?status=standby')).toEqual([n2]);
  expect(await ids('?sort_by=total_cru&sort_order=desc')).toEqual([n2, n1]);
  expect(await ids('?sort_by=city')).toEqual([n2, n1]);
  const p = await get<Any[]>(explorer, '/nodes?size=1&page=2&ret_count=true');
  expect(p.body.map((x) => x.nodeId)).toEqual([n2]);
  expect(p.headers.count).toBe('2');
  expect(p.headers.pages).toBe('2');
});

test('unknown or malformed parameters and oversized pages get a 400 naming them', async () => {
  const bad = async (q: string) => {
    const r = await get<{ error: string }>(explorer, q);
    expect(r.status).toBe(400);
    return r.body.error;
  };
  expect(await bad('/nodes?colour=blue')).toMatch(/colour/);
  expect(await bad('/nodes?status=sideways')).toMatch(/status/);
  expect(await bad('/nodes?free_mru=lots')).toMatch(/free_mru/);
  expect(await bad('/nodes?farm_ids=1,x')).toMatch(/farm_ids/);
  expect(await bad('/nodes?size=5000')).toMatch(/size.*1000/);
  expect(await bad('/farms?nmae=x')).toMatch(/nmae/);
  expect(await bad('/contracts?state=Gone')).toMatch(/state/);
  expect(await bad('/nodes/abc')).toMatch(/id/);
  expect(await bad('/nodes?min_reputation_24h=2')).toMatch(/min_reputation_24h/);
  expect(await bad('/nodes?sort_by=colour')).toMatch(/sort_by/);
  expect(await bad('/nodes?sort_order=up')).toMatch(/sort_order/);
  expect(await bad('/nodes?page=0')).toMatch(/page/);
  expect(await bad('/gateways?rented=maybe')).toMatch(/rented/);
  expect(await bad('/contracts?size=1001')).toMatch(/size.*1000/);
  expect(await bad('/twins?twin_id=-1')).toMatch(/twin_id/);
  expect(await bad('/public_ips?free=perhaps')).toMatch(/free/);
  expect(await bad('/stats?status=sideways')).toMatch(/status/);
  expect(await bad('/events/stream?types=nodes')).toMatch(/types/);
});

test('stats, ping, health, metrics and the OpenAPI document', async () => {
  const stats = (await get<Any>(explorer, '/stats')).body;
  expect(stats).toMatchObject({
    nodes: 2,
    farms: 2,
    countries: 2,
    twins: 4,
    contracts: 0,
    publicIps: 1,
    gateways: 1,
    totalCru: 12,
    nodesDistribution: { Belgium: 1, Egypt: 1 },
  });
  expect((await get(explorer, '/ping')).body).toEqual({ ping: 'pong' });
  const health = await get<Any>(explorer, '/health');
  expect(health.status).toBe(200);
  expect(health.body.status).toBe('ok');
  expect(health.body.indexer.lag).toBeLessThanOrEqual(1);
  const metrics = await get<string>(explorer, '/metrics');
  expect(metrics.body).toMatch(/explorer_indexed_height \d+/);
  expect(metrics.body).toMatch(/explorer_chain_finalized_height \d+/);
  expect(metrics.body).toMatch(/explorer_indexer_lag_blocks \d+/);
  expect(metrics.body).toMatch(/explorer_indexed_blocks_per_second [\d.]+/);
  expect(metrics.body).toMatch(/explorer_indexed_events_per_second [\d.]+/);
  expect(metrics.body).toMatch(/explorer_indexed_events_total \d+/);
  expect(metrics.body).toMatch(/explorer_http_request_duration_seconds_count\{method="GET",route="\/nodes",status="200"\} \d+/);
  // Grid gauges agree with the API at scrape time.
  const gauge = (name: string, labels: string): number =>
    Number(new RegExp(`^${name}\\{${labels}\\} (\\S+)$`, 'm').exec(metrics.body)?.[1] ?? NaN);
  const upStats = (await get<Any>(explorer, '/stats?status=up')).body;
  expect(gauge('explorer_nodes', 'status="up"')).toBe(upStats.nodes);
  expect(
    gauge('explorer_nodes', 'status="up"') + gauge('explorer_nodes', 'status="standby"') + gauge('explorer_nodes', 'status="down"'),
  ).toBe(stats.nodes);
  expect(gauge('explorer_capacity_total', 'resource="cru"')).toBe(upStats.totalCru);
  expect(gauge('explorer_capacity_used', 'resource="cru"')).toBeGreaterThanOrEqual(0);
  expect(metrics.body).toMatch(/^explorer_node_uptime_report_age_seconds\{node_id="\d+",farm_id="\d+"\} \d+/m);
  const doc = (await get<Any>(explorer, '/swagger/json')).body;
  for (const p of [
    '/nodes',
    '/nodes/{id}',
    '/nodes/{id}/status',
    '/gateways',
    '/gateways/{id}',
    '/farms',
    '/twins',
    '/contracts',
    '/contracts/{id}',
    '/contracts/{id}/bills',
    '/public_ips',
    '/stats',
    '/ping',
    '/health',
    '/metrics',
    '/events/stream',
  ]) {
    expect(doc.paths[p]?.get).toBeDefined();
  }
  const params = (p: string) => doc.paths[p].get.parameters.map((x: Any) => x.name);
  const NODE_PARAMS = [
    'page',
    'size',
    'ret_count',
    'sort_by',
    'sort_order',
    'status',
    'free_cru',
    'free_mru',
    'free_sru',
    'free_hru',
    'total_cru',
    'total_mru',
    'total_sru',
    'total_hru',
    'country',
    'city',
    'farm_ids',
    'farm_name',
    'node_id',
    'twin_id',
    'dedicated',
    'rentable',
    'rented',
    'rented_by',
    'available_for',
    'ipv4',
    'ipv6',
    'domain',
    'certification_type',
    'free_ips',
    'min_reputation_24h',
    'min_reputation_7d',
    'min_reputation_30d',
    // grid-proxy's (grid-proxy.test.ts checks each against its NodeFilter and Limit)
    'randomize',
    'balance',
    'country_contains',
    'city_contains',
    'region',
    'farm_name_contains',
    'in_dedicated_farm',
    'owned_by',
    'rentable_or_rented_by',
    'node_ids',
    'excluded',
    'healthy',
    'has_ipv6',
    'has_gpu',
    'num_gpu',
    'gpu_device_id',
    'gpu_device_name',
    'gpu_vendor_id',
    'gpu_vendor_name',
    'gpu_available',
    'price_min',
    'price_max',
    'features',
  ];
  expect(params('/nodes').sort()).toEqual([...NODE_PARAMS].sort());
  expect(params('/gateways').sort()).toEqual([...NODE_PARAMS].sort());
  expect(params('/farms')).toEqual(
    expect.arrayContaining([
      'farm_id',
      'farm_ids',
      'name',
      'name_contains',
      'twin_id',
      'pricing_policy_id',
      'certification_type',
      'dedicated',
      'free_ips',
      'total_ips',
      'stellar_address',
      'page',
      'size',
    ]),
  );
  expect(params('/contracts')).toEqual(
    expect.arrayContaining([
      'contract_id',
      'twin_id',
      'node_id',
      'type',
      'state',
      'name',
      'deployment_hash',
      'number_of_public_ips',
      'sort_by',
    ]),
  );
  expect(params('/twins')).toEqual(expect.arrayContaining(['twin_id', 'account_id', 'relay', 'public_key']));
  expect(params('/public_ips')).toEqual(expect.arrayContaining(['farm_ids', 'ip', 'free']));
  expect(params('/stats')).toEqual(expect.arrayContaining(['status', 'page', 'size']));
  expect(params('/events/stream')).toEqual(expect.arrayContaining(['types', 'last_event_id', 'last-event-id']));
  for (const p of [
    '/nodes/{id}',
    '/nodes/{id}/status',
    '/nodes/{id}/statistics',
    '/nodes/{id}/gpu',
    '/contracts/{id}',
    '/twins/{id}/consumption',
  ])
    expect(params(p)).toEqual(['id']);
  // Bills take grid-proxy's Limit.
  expect(params('/contracts/{id}/bills')).toEqual(expect.arrayContaining(['id', 'page', 'size', 'ret_count']));
  const ui = await get<string>(explorer, '/swagger');
  expect(ui.status).toBe(200);
  expect(ui.body).toContain('SwaggerUIBundle');
  expect((await get<string>(explorer, '/swagger/static/swagger-ui-bundle.js')).status).toBe(200);
});

test('genesis policies are imported; a restart resumes after the cursor with nothing doubled', async () => {
  expect((await explorer.db.values<Any>('pricing')).map((p) => p.id)).toEqual([1]);
  expect((await explorer.db.values<Any>('farming')).length).toBeGreaterThanOrEqual(2);
  const before = await explorer.db.cursor();
  const snapshot = JSON.stringify(
    await Promise.all(['twin', 'farm', 'node', 'contract', 'bill', 'uptime'].map((s) => explorer.db.values(s as 'twin'))),
  );
  await explorer.stop();
  // The chain moves on while the explorer is down.
  await node2.nodes.reportUptime({ uptime: 99, timestampHint: await chainNow(alice) }, { wait: 'finalized' });
  explorer = await startExplorer({ chain: chain.url, db: tmp.dir, port: 0, pollMs: 200 });
  await synced(explorer, alice);
  const after = await explorer.db.cursor();
  expect(after!.height).toBeGreaterThan(before!.height);
  const uptimes = await explorer.db.values<Any>('uptime');
  expect(uptimes.filter((u) => u.uptime === 99)).toHaveLength(1);
  expect((await get<Any>(explorer, `/nodes/${n2}`)).body.uptime).toBe(99);
  // Everything else is as before (no record doubled or lost).
  const again = JSON.parse(
    JSON.stringify(await Promise.all(['twin', 'farm', 'contract', 'bill'].map((s) => explorer.db.values(s as 'twin')))),
  );
  const old = JSON.parse(snapshot) as unknown[][];
  expect(again).toEqual([old[0], old[1], old[3], old[4]]);
});
