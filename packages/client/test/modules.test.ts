/**
 * Every module against a real dev chain over a socket: a farmer registers twin, farm (with public
 * IPs) and node; the node reports; a deployer creates, updates and cancels contracts; kvstore,
 * balances, policies and price are read back, also at an earlier block.
 */
import type { Devchain } from '@tfgrid/devchain';
import { startChain, TERMS } from '@tfgrid/testkit';
import { connect, ChainError, TFT, type TfchainClient, type NodeInput } from '../src';

jest.setTimeout(60_000);

let chain: Devchain;
let alice: TfchainClient;
let farmer: TfchainClient;
let node: TfchainClient;
const GiB = 1024 ** 3;
const nodeInput = (farmId: number): NodeInput => ({
  farmId,
  resources: { hru: 0, sru: 500 * GiB, cru: 4, mru: 8 * GiB },
  location: { city: 'Ghent', country: 'Belgium', latitude: '51.05', longitude: '3.72' },
  interfaces: [{ name: 'zos', mac: '00:11:22:33:44:55', ips: ['10.2.0.5'] }],
  serialNumber: 'SN-0001',
});
let farmId: number;
let nodeId: number;

beforeAll(async () => {
  chain = await startChain();
  alice = await connect({ url: chain.url, secret: '//Alice' });
  farmer = await connect({ url: chain.url, secret: '//Bob' });
  // A node signs with its own ed25519 key from a hex seed.
  node = await connect({ url: chain.url, secret: '0x' + '42'.repeat(32), keyType: 'ed25519' });
  await alice.balances.transfer({ to: node.address, amount: 100n * TFT });
});

afterAll(async () => {
  for (const c of [alice, farmer, node]) await c?.disconnect();
  await chain?.stop();
});

test('twins: terms, create, update, read; a second twin is a ChainError', async () => {
  for (const c of [alice, farmer, node]) await c.twins.acceptTerms(TERMS);
  expect(await alice.twins.termsAccepted(alice.address)).toEqual([TERMS]);
  const id = await alice.twins.create({ relay: 'relay.dev.grid.tf', pk: '0x' + 'ab'.repeat(32) });
  expect(id).toBe(1);
  await farmer.twins.create({ relay: 'relay.dev.grid.tf' });
  await node.twins.create();
  await alice.twins.update({ relay: 'relay.grid.tf', pk: '0x' + 'cd'.repeat(32) });
  expect(await alice.twins.get(id)).toEqual({ id, accountId: alice.address, relay: 'relay.grid.tf', pk: '0x' + 'cd'.repeat(32) });
  expect(await alice.twins.idOf(farmer.address)).toBe(2);
  expect(await alice.twins.get(999)).toBeUndefined();
  const err = await alice.twins.create().catch((e: unknown) => e);
  expect(err).toBeInstanceOf(ChainError);
  expect((err as ChainError).fullName).toBe('TfgridModule.TwinWithPubkeyExists');
});

test('farms: create with public IPs, add and remove an IP, read by id and name', async () => {
  farmId = await farmer.farms.create({ name: 'client_farm', publicIps: [{ ip: '185.206.122.33/24', gw: '185.206.122.1' }] });
  await farmer.farms.addIp({ farmId, ip: '185.206.122.34/24', gw: '185.206.122.1' });
  await farmer.farms.addIp({ farmId, ip: '185.206.122.35/24', gw: '185.206.122.1' });
  await farmer.farms.removeIp({ farmId, ip: '185.206.122.35/24' });
  const farm = await alice.farms.get(farmId);
  expect(farm).toMatchObject({
    id: farmId,
    name: 'client_farm',
    twinId: 2,
    pricingPolicyId: 1,
    certification: 'NotCertified',
    dedicated: false,
  });
  expect(farm!.publicIps).toEqual([
    { ip: '185.206.122.33/24', gateway: '185.206.122.1', contractId: 0 },
    { ip: '185.206.122.34/24', gateway: '185.206.122.1', contractId: 0 },
  ]);
  expect(await alice.farms.idByName('client_farm')).toBe(farmId);
  expect(await alice.farms.idByName('nope')).toBeUndefined();
  expect((await alice.farms.ofTwin(2)).map((f) => f.id)).toEqual([farmId]);
  expect(await alice.farms.ofTwin(999)).toEqual([]);
});

test('nodes: register, update, uptime, public config, power state and target', async () => {
  nodeId = await node.nodes.create(nodeInput(farmId));
  expect(await alice.farms.nodeIds(farmId)).toEqual([nodeId]);
  const before = await alice.nodes.get(nodeId);
  expect(before).toMatchObject({
    id: nodeId,
    farmId,
    twinId: 3,
    resources: { cru: 4, mru: 8 * GiB, sru: 500 * GiB, hru: 0 },
    certification: 'Diy',
    serialNumber: 'SN-0001',
    publicConfig: null,
  });
  expect(before!.interfaces).toEqual([{ name: 'zos', mac: '00:11:22:33:44:55', ips: ['10.2.0.5'] }]);
  await node.nodes.update(nodeId, { ...nodeInput(farmId), resources: { hru: 0, sru: 500 * GiB, cru: 8, mru: 16 * GiB } });
  expect((await alice.nodes.get(nodeId))!.resources.cru).toBe(8);
  expect(await alice.nodes.idByTwin(3)).toBe(nodeId);

  const uptime = await node.submit(node.api.tx.tfgridModule.reportUptimeV2(100, Math.floor(Date.now() / 1000)));
  expect(uptime.events.map((e) => `${e.section}.${e.method}`)).toContain('tfgridModule.NodeUptimeReported');
  await node.nodes.reportUptime({ uptime: 200 });

  const config = { ip4: { ip: '185.206.122.50/24', gw: '185.206.122.1' }, ip6: null, domain: 'node.example.com' };
  await farmer.nodes.setPublicConfig({ farmId, nodeId, config });
  expect((await alice.nodes.get(nodeId))!.publicConfig).toEqual(config);

  expect(await alice.nodes.power(nodeId)).toEqual({ state: 'Up', target: 'Up' });
  await node.nodes.changePowerState('Down');
  await farmer.nodes.changePowerTarget(nodeId, 'Down');
  const down = await alice.nodes.power(nodeId);
  expect(down).toMatchObject({ state: 'Down', target: 'Down' });
  expect(down.downSince).toBeGreaterThan(0);
  await node.nodes.changePowerState('Up');
  await farmer.nodes.changePowerTarget(nodeId, 'Up');
  expect(await alice.nodes.power(nodeId)).toEqual({ state: 'Up', target: 'Up' });
});

test('contracts: node, name and rent contracts; reports; billing info; cancel', async () => {
  const hash = 'a'.repeat(32);
  const id = await alice.contracts.createNode({ nodeId, hash, data: 'deployment', publicIps: 1 });
  const c = await alice.contracts.get(id);
  expect(c).toMatchObject({ id, twinId: 1, state: 'Created', solutionProviderId: null });
  expect(c!.type).toEqual({
    kind: 'node',
    nodeId,
    deploymentHash: hash,
    deploymentData: 'deployment',
    publicIps: 1,
    publicIpsList: [{ ip: '185.206.122.33/24', gateway: '185.206.122.1', contractId: id }],
  });
  expect(await alice.contracts.idByNodeAndHash(nodeId, hash)).toBe(id);
  expect(await alice.contracts.activeForNode(nodeId)).toEqual([id]);
  await alice.contracts.updateNode({ id, hash: 'b'.repeat(32), data: 'v2' });
  expect((await alice.contracts.get(id))!.type).toMatchObject({ deploymentHash: 'b'.repeat(32), deploymentData: 'v2' });

  const used = { hru: 0, sru: 10 * GiB, cru: 1, mru: 2 * GiB };
  await node.contracts.reportResources([{ contractId: id, used }]);
  expect(await alice.contracts.resources(id)).toEqual(used);
  const chainNow = Number((await alice.api.query.timestamp.now()).toPrimitive()) / 1000;
  await node.contracts.addNruReports([{ contractId: id, timestamp: Math.ceil(chainNow) + 1, window: 3600, nru: 5 * GiB }]);
  const billing = await alice.contracts.billingInfo(id);
  expect(billing.amountUnbilled).toBeGreaterThan(0n);
  expect(billing.lastUpdated).toBeGreaterThan(0);

  const name = await alice.contracts.createName('myname');
  expect((await alice.contracts.get(name))!.type).toEqual({ kind: 'name', name: 'myname' });
  expect(await alice.contracts.idByName('myname')).toBe(name);

  await alice.contracts.cancel(id);
  expect(await alice.contracts.get(id)).toBeUndefined();
  expect(await alice.contracts.activeForNode(nodeId)).toEqual([]);
  const rent = await farmer.contracts.createRent({ nodeId });
  expect(await alice.contracts.activeRentForNode(nodeId)).toBe(rent);
  expect((await alice.contracts.get(rent))!.type).toEqual({ kind: 'rent', nodeId });
  await farmer.contracts.cancel(rent);
  await alice.contracts.cancel(name);
  expect(await alice.contracts.activeRentForNode(nodeId)).toBeUndefined();
});

test('kvstore: set, get, list, delete; deleting a missing key names the error', async () => {
  await alice.kvstore.set('b', 'two');
  await alice.kvstore.set('a', 'one');
  expect(await alice.kvstore.get('a')).toBe('one');
  expect(await farmer.kvstore.get('a', { account: alice.address })).toBe('one');
  expect(await alice.kvstore.list()).toEqual([
    { key: 'a', value: 'one' },
    { key: 'b', value: 'two' },
  ]);
  await alice.kvstore.delete('a');
  expect(await alice.kvstore.get('a')).toBeUndefined();
  await expect(alice.kvstore.delete('a')).rejects.toMatchObject({ pallet: 'TFKVStore', error: 'NoValueStored' });
});

test('balances: transfer and read, also at an earlier block; fee estimate', async () => {
  const dave = await connect({ url: chain.url, secret: '//Dave' });
  try {
    const before = await alice.balances.get(dave.address);
    const r = await alice.balances.transfer({ to: dave.address, amount: 5n * TFT }, { wait: 'finalized' });
    expect((await alice.balances.get(dave.address)).free).toBe(before.free + 5n * TFT);
    // An indexer reads state as of a block: just before the transfer's block.
    const parent = (await alice.api.rpc.chain.getHeader(r.blockHash!)).parentHash.toHex();
    expect((await alice.balances.get(dave.address, { at: parent })).free).toBe(before.free);
    const fee = await alice.estimateFee(alice.api.tx.balances.transferKeepAlive(dave.address, 1n));
    expect(fee).toBeGreaterThan(0n);
  } finally {
    await dave.disconnect();
  }
});

test('policies and TFT price', async () => {
  const pricing = await alice.policies.pricing(1);
  expect(pricing).toMatchObject({ id: 1, su: { unit: expect.any(String) } });
  expect(await alice.policies.pricing(99)).toBeUndefined();
  const farming = await alice.policies.listFarming();
  expect(farming.map((f) => [f.id, f.cu, f.su, f.nu, f.ipv4, f.minimalUptime])).toEqual([
    [1, 2400, 1000, 30, 5, 95],
    [2, 3000, 1250, 38, 6, 95],
  ]);
  expect((await alice.policies.farming(2))!.nodeCertification).toBe('Certified');
  const p = await alice.price.get();
  expect(p.min).toBe(10);
  expect(p.max).toBe(1000);
});

test("batch: utility.batchAll is all or nothing, with the failing call's error", async () => {
  const api = alice.api;
  const ok = await alice.batch([api.tx.tfkvStore.set('x', '1'), api.tx.tfkvStore.set('y', '2')]);
  expect(ok.events.filter((e) => e.method === 'EntrySet')).toHaveLength(2);
  await expect(alice.batch([api.tx.tfkvStore.set('z', '1'), api.tx.tfkvStore.delete('missing')])).rejects.toMatchObject({
    pallet: 'TFKVStore',
    error: 'NoValueStored',
  });
  expect(await alice.kvstore.get('z')).toBeUndefined();
});
