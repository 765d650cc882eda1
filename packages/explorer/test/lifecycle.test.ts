/**
 * Against a dev chain in-process: every entity appears, changes and disappears as the chain says
 * (twin and farm updates, farm IPs and payout address, council certification and dedication,
 * farming policies, node update, power target, node deletion; node, name and rent contracts with
 * updates, used resources, NRU reports, bills, cancellation and freed IPs), reputation from uptime
 * reports over time, and the live change stream with Last-Event-ID resume.
 */
import type { Devchain } from '@tfgrid/devchain';
import { startChain } from '@tfgrid/testkit';
import type { TfchainClient } from '@tfgrid/client';
import { startExplorer, type Explorer } from '../src';
import { GiB, chainNow, get, nodeInput, synced, tempDir, twinClient } from './support';

jest.setTimeout(120_000);
type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

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

/** A council motion (Alice and Bob are the dev council): propose, two ayes, close. */
async function council(call: ReturnType<TfchainClient['api']['tx']['tfgridModule']['setFarmCertification']>): Promise<void> {
  const len = call.method.encodedLength;
  const proposed = await alice.submit(alice.api.tx.council.propose(2, call, len));
  const ev = proposed.events.find((e) => e.method === 'Proposed')!.data as unknown[];
  const index = Number(ev[1]);
  const hash = String(ev[2]);
  await alice.submit(alice.api.tx.council.vote(hash, index, true));
  await farmer.submit(alice.api.tx.council.vote(hash, index, true));
  const closed = await farmer.submit(alice.api.tx.council.close(hash, index, { refTime: 1_000_000_000, proofSize: 100_000 }, len), {
    wait: 'finalized',
  });
  expect(closed.events.map((e) => e.method)).toContain('Executed');
}

const node = async (id: number) => (await get<Any>(explorer, `/nodes/${id}`)).body;
const ids = async (q: string) => (await get<Any[]>(explorer, q)).body.map((x) => x.nodeId ?? x.contract_id ?? x.farmId);
const sync = () => synced(explorer, alice);

beforeAll(async () => {
  chain = await startChain();
  alice = await twinClient(chain, '//Alice');
  farmer = await twinClient(chain, '//Bob');
  node1 = await twinClient(chain, '0x' + '51'.repeat(32), alice, 'ed25519');
  node2 = await twinClient(chain, '0x' + '52'.repeat(32), alice, 'ed25519');
  farmId = await farmer.farms.create({ name: 'alpha', publicIps: [{ ip: '185.206.122.33/24', gw: '185.206.122.1' }] });
  farm2 = await farmer.farms.create({ name: 'beta' });
  n1 = await node1.nodes.create(nodeInput(farmId));
  n2 = await node2.nodes.create(
    nodeInput(farm2, { location: { city: 'Cairo', country: 'Egypt', latitude: '30.04', longitude: '31.23' } }),
    { wait: 'finalized' },
  );
  explorer = await startExplorer({ chain: chain.url, db: tmp.dir, port: 0, pollMs: 200 });
  await sync();
});

afterAll(async () => {
  await explorer?.stop();
  for (const c of [alice, farmer, node1, node2]) await c?.disconnect();
  await chain?.stop();
  tmp.remove();
});

test('twins, farms, certification, dedication, policies and node updates follow the chain', async () => {
  await alice.twins.update({ relay: 'relay.two.grid.tf' });
  await farmer.farms.rename(farm2, 'gamma');
  await farmer.farms.addIp({ farmId, ip: '185.206.122.34/24', gw: '185.206.122.1' });
  await farmer.farms.setPayoutAddress(farmId, 'GDHJP6TF3UXYXTNEZ2P36J5FH7W4BJJQ4AYYAXC66I2Q2AH5B6O6BCFG');
  await council(alice.api.tx.tfgridModule.setFarmCertification(farmId, 'Gold'));
  await council(alice.api.tx.tfgridModule.setNodeCertification(n1, 'Certified'));
  await council(alice.api.tx.tfgridModule.setFarmDedicated(farm2, true));
  await council(alice.api.tx.tfgridModule.createFarmingPolicy('bench', 1, 2, 3, 4, 95, 0, false, false, 'Diy', 'NotCertified'));
  await sync();
  expect((await node(n1)).certificationType).toBe('Certified');
  expect(await ids('/nodes?certification_type=Certified')).toEqual([n1]);
  // New resources: the chain drops the certification (NodeCertificationSet Diy with NodeUpdated).
  await node1.nodes.update(n1, nodeInput(farmId, { resources: { hru: 0, sru: 600 * GiB, cru: 6, mru: 12 * GiB } }));
  await farmer.nodes.changePowerTarget(n2, 'Down', { wait: 'finalized' });
  await sync();

  expect((await get<Any[]>(explorer, '/twins?twin_id=1')).body[0].relay).toBe('relay.two.grid.tf');
  const f1 = (await get<Any[]>(explorer, `/farms?farm_id=${farmId}`)).body[0];
  expect(f1).toMatchObject({ certificationType: 'Gold', stellarAddress: 'GDHJP6TF3UXYXTNEZ2P36J5FH7W4BJJQ4AYYAXC66I2Q2AH5B6O6BCFG' });
  expect(f1.publicIps.map((p: Any) => p.ip)).toEqual(['185.206.122.33/24', '185.206.122.34/24']);
  expect(await ids('/farms?name=gamma')).toEqual([farm2]);
  expect(await ids('/farms?dedicated=true')).toEqual([farm2]);
  expect(await ids('/farms?certification_type=gold')).toEqual([farmId]);
  expect(await ids('/farms?name_contains=amm')).toEqual([farm2]);
  expect(await ids('/farms?free_ips=2')).toEqual([farmId]);
  expect(await ids('/farms?sort_by=name&sort_order=desc')).toEqual([farm2, farmId]);
  expect((await get<Any[]>(explorer, `/public_ips?farm_ids=${farmId}&free=true`)).body).toHaveLength(2);

  const a = await node(n1);
  expect(a).toMatchObject({
    certificationType: 'Diy',
    total_resources: { cru: 6, sru: 600 * GiB, hru: 0, mru: 12 * GiB },
    farmName: 'alpha',
  });
  const b = await node(n2);
  expect(b).toMatchObject({
    farmName: 'gamma',
    dedicated: true,
    inDedicatedFarm: true,
    rentable: true,
    power: { state: 'Up', target: 'Down' },
  });
  expect(await ids('/nodes?certification_type=Certified')).toEqual([]);
  expect(await ids('/nodes?dedicated=true')).toEqual([n2]);
  expect(await ids('/nodes?farm_name=gamma')).toEqual([n2]);
  expect(await ids('/nodes?free_ips=1')).toEqual([n1]);
  expect(await ids('/nodes?total_cru=6&total_mru=' + 12 * GiB)).toEqual([n1]);
  const farming = await explorer.db.values<Any>('farming');
  expect(farming.find((p) => p.name === 'bench')).toMatchObject({ su: 1, cu: 2, nu: 3, ipv4: 4, minimalUptime: 95 });
});

test('node, name and rent contracts: created, updated, used, reported, billed, cancelled; IPs taken and freed', async () => {
  const c1 = await alice.contracts.createNode({ nodeId: n1, hash: 'b'.repeat(32), data: 'vm1', publicIps: 1 });
  const name = await alice.contracts.createName('lifecycle');
  const rent = await farmer.contracts.createRent({ nodeId: n2 });
  await alice.contracts.updateNode({ id: c1, hash: 'c'.repeat(32), data: 'vm1b' });
  await node1.contracts.reportResources([{ contractId: c1, used: { hru: 0, sru: 700 * GiB, cru: 2, mru: 4 * GiB } }]);
  await node1.contracts.addNruReports([{ contractId: c1, timestamp: await chainNow(alice), window: 3600, nru: 12345 }], {
    wait: 'finalized',
  });
  await sync();

  expect((await get<Any>(explorer, `/contracts/${c1}`)).body).toMatchObject({
    state: 'Created',
    type: 'node',
    details: { deployment_hash: 'c'.repeat(32), deployment_data: 'vm1b', number_of_public_ips: 1 },
  });
  expect((await get<Any>(explorer, `/contracts/${name}`)).body).toMatchObject({ type: 'name', details: { name: 'lifecycle' } });
  expect((await get<Any>(explorer, `/contracts/${rent}`)).body).toMatchObject({ type: 'rent', twin_id: 2, details: { nodeId: n2 } });
  const a = await node(n1);
  // More SSD used than the node has (the chain accepts the report): free stays at zero.
  expect(a.free_resources).toEqual({ cru: 4, sru: 0, hru: 0, mru: 6 * GiB }); // mru: 12 total − 2 reserved − 4 used
  expect(a.used_resources.sru).toBe(700 * GiB);
  expect(await ids('/nodes?free_sru=1')).toEqual([n2]);
  const b = await node(n2);
  expect(b).toMatchObject({ rented: true, rentedByTwinId: 2, rentContractId: rent, rentable: false });
  expect(await ids('/nodes?rented=true')).toEqual([n2]);
  expect(await ids('/nodes?rented_by=2')).toEqual([n2]);
  expect(await ids('/nodes?available_for=1')).toEqual([n1]);
  // grid-proxy's order: the twin's rented nodes first.
  expect(await ids('/nodes?available_for=2')).toEqual([n2, n1]);
  expect(await ids('/nodes?rentable=true')).toEqual([]);
  expect(await ids('/contracts?type=name')).toEqual([name]);
  expect(await ids(`/contracts?node_id=${n1}`)).toEqual([c1]);
  expect(await ids('/contracts?twin_id=1&sort_by=contract_id&sort_order=desc')).toEqual([name, c1]);
  expect(await ids(`/contracts?deployment_hash=${'c'.repeat(32)}`)).toEqual([c1]);
  expect(await ids('/contracts?number_of_public_ips=1')).toEqual([c1]);
  expect(await ids('/contracts?name=lifecycle')).toEqual([name]);
  const nru = await explorer.db.values<Any>('nru');
  expect(nru).toEqual([expect.objectContaining({ contractId: c1, window: 3600, nru: 12345 })]);
  expect((await get<Any[]>(explorer, `/farms?farm_id=${farmId}`)).body[0].publicIps.find((p: Any) => p.contract_id === c1)).toBeDefined();

  // An hour later every contract has been billed.
  await chain.chain.timeTravel({ seconds: 3700 });
  await alice.balances.transfer({ to: farmer.address, amount: 1n }, { wait: 'finalized' });
  await sync();
  for (const id of [c1, name, rent]) {
    const bills = (await get<Any[]>(explorer, `/contracts/${id}/bills`)).body;
    expect(bills.length).toBeGreaterThan(0);
    expect((await get<Any>(explorer, `/contracts/${id}`)).body.total_billed).toBe(bills.reduce((s, x) => s + x.amount_billed, 0));
  }

  await alice.contracts.cancel(c1);
  await alice.contracts.cancel(name);
  await farmer.contracts.cancel(rent, { wait: 'finalized' });
  await sync();
  expect(await ids('/contracts?state=Deleted')).toEqual([c1, name, rent]);
  expect((await node(n1)).used_resources).toEqual({ cru: 0, sru: 0, hru: 0, mru: 0 });
  expect(await node(n2)).toMatchObject({ rented: false, rentContractId: 0, rentedByTwinId: 0 });
  expect((await get<Any[]>(explorer, `/public_ips?farm_ids=${farmId}&free=true`)).body).toHaveLength(2);
  expect((await get<Any>(explorer, '/stats')).body.contracts).toBe(0);
});

test('reputation follows the uptime reports and is filterable and sortable', async () => {
  // A report (booted long before the node was registered), an hour of consistent uptime, another
  // report: up the whole time since registration.
  const t1 = await chainNow(alice);
  await node1.nodes.reportUptime({ uptime: 100_000, timestampHint: t1 });
  await chain.chain.timeTravel({ seconds: 3600 });
  const t2 = await chainNow(alice);
  await node1.nodes.reportUptime({ uptime: 100_000 + (t2 - t1), timestampHint: t2 }, { wait: 'finalized' });
  await sync();
  const r = (await node(n1)).reputation;
  expect(r.last_24h).toBe(1);
  expect(r.last_30d).toBe(1);
  // n2 never reported: nothing proves it up.
  expect((await node(n2)).reputation).toEqual({ last_24h: 0, last_7d: 0, last_30d: 0 });
  expect(await ids('/nodes?min_reputation_24h=0.9')).toEqual([n1]);
  expect(await ids('/nodes?sort_by=reputation_24h&sort_order=desc')).toEqual([n1, n2]);

  // Two silent hours (past the 80-minute window): those hours are not covered.
  await chain.chain.timeTravel({ seconds: 7200 });
  await alice.balances.transfer({ to: farmer.address, amount: 1n }, { wait: 'finalized' });
  await sync();
  const after = (await node(n1)).reputation.last_24h;
  expect(after).toBeGreaterThan(0.2);
  expect(after).toBeLessThan(0.8);
  expect(await ids('/nodes?min_reputation_24h=0.9')).toEqual([]);
  // A reboot: the new counter proves it up since the new boot only.
  const t3 = await chainNow(alice);
  await node1.nodes.reportUptime({ uptime: 600, timestampHint: t3 }, { wait: 'finalized' });
  await sync();
  const rebooted = (await node(n1)).reputation.last_24h;
  expect(rebooted).toBeGreaterThan(after);
  expect(rebooted).toBeLessThan(1);
});

test("the live stream sends each block's changes and resumes after Last-Event-ID", async () => {
  const read = async (headers: Record<string, string>, query: string, until: (events: Any[]) => boolean): Promise<Any[]> => {
    const ac = new AbortController();
    const res = await fetch(`${explorer.url}/events/stream${query}`, { headers, signal: ac.signal });
    expect(res.headers.get('content-type')).toBe('text/event-stream');
    const reader = res.body!.getReader();
    const events: Any[] = [];
    let buf = '';
    while (!until(events)) {
      const { value, done } = await reader.read();
      if (done) break;
      buf += Buffer.from(value).toString();
      let i;
      while ((i = buf.indexOf('\n\n')) >= 0) {
        const frame = buf.slice(0, i);
        buf = buf.slice(i + 2);
        const f = Object.fromEntries(
          frame
            .split('\n')
            .filter((l) => !l.startsWith(':'))
            .map((l) => [l.slice(0, l.indexOf(':')), l.slice(l.indexOf(':') + 2)]),
        );
        if (f.event) events.push({ id: f.id, event: f.event, data: JSON.parse(f.data) });
      }
    }
    ac.abort();
    return events;
  };
  const live = read({}, '?types=node,uptime', (e) => e.some((x) => x.event === 'changes'));
  await new Promise((r) => setTimeout(r, 300));
  await node2.nodes.reportUptime({ uptime: 42, timestampHint: await chainNow(alice) }, { wait: 'finalized' });
  const [first] = (await live).filter((x) => x.event === 'changes');
  expect(Number(first.id)).toBe(first.data.block);
  expect(first.data.changes.map((c: Any) => `${c.type}:${c.action}`).sort()).toEqual(['node:updated', 'uptime:created']);
  expect(first.data.changes.find((c: Any) => c.type === 'node').record).toMatchObject({ nodeId: n2, uptime: 42 });
  // Reconnecting from the block before replays it.
  const replay = await read({ 'last-event-id': String(first.data.block - 1) }, '?types=uptime', (e) => e.length > 0);
  expect(replay[0]).toMatchObject({ id: first.id, event: 'changes' });
  expect(replay[0].data.changes).toHaveLength(1);
  // Too far back: told to reload.
  expect((await read({}, '?last_event_id=0', (e) => e.length > 0))[0].event).toBe('reset');
  expect((await get(explorer, '/events/stream?types=nodes')).status).toBe(400);
});

test('deleting a node removes it', async () => {
  await farmer.submit(farmer.api.tx.tfgridModule.deleteNodeFarm(n2), { wait: 'finalized' });
  await sync();
  expect((await get(explorer, `/nodes/${n2}`)).status).toBe(404);
  expect(await ids('/nodes')).toEqual([n1]);
  expect((await get<Any>(explorer, '/stats')).body.nodes).toBe(1);
});
