/**
 * The official TFChain client, `@threefold/tfchain_client` 2.9 — unmodified, through its CommonJS
 * build (its ESM build cannot be imported by Node) — drives the dev chain: terms, twins, a farm
 * with public IPs, a node signed by the node's own key, node/name/rent contracts, kvstore and
 * transfers, all read back through its query API.
 */
import { startDevchain, type Devchain } from '../src';

// eslint-disable-next-line @typescript-eslint/no-require-imports
const tfchain = require('@threefold/tfchain_client') as {
  Client: new (o: { url: string; mnemonicOrSecret: string; keypairType?: string }) => TfClient;
};

/** The parts of the official client this test uses (it ships its own types for @polkadot/api 15). */
interface TfClient {
  address: string;
  api: any;
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  applyExtrinsic<T>(ext: unknown, sections?: string[], events?: string[]): Promise<T>;
  termsAndConditions: { accept(o: { documentLink: string; documentHash: string }): Promise<Applicable<void>> };
  twins: {
    create(o: { relay: string; pk: string }): Promise<Applicable<{ id: number }>>;
    update(o: { relay: string; pk: string }): Promise<Applicable<{ id: number }>>;
    getMyTwinId(): Promise<number>;
    get(o: { id: number }): Promise<{ id: number; accountId: string; relay: string; pk: string }>;
  };
  farms: {
    create(o: { name: string; publicIps?: { ip: string; gw: string }[] }): Promise<Applicable<{ id: number }>>;
    addFarmIp(o: { farmId: number; ip: string; gw: string }): Promise<Applicable<unknown>>;
    removeFarmIp(o: { farmId: number; ip: string }): Promise<Applicable<unknown>>;
    get(o: {
      id: number;
    }): Promise<{ id: number; name: string; twinId: number; publicIps: { ip: string; gw: string; contractId?: number }[] }>;
  };
  nodes: {
    get(o: { id: number }): Promise<{ id: number; farmId: number; twinId: number; resources: { cru: number; mru: number; sru: number } }>;
  };
  contracts: {
    createNode(o: {
      nodeId: number;
      hash: string;
      data: string;
      numberOfPublicIps: number;
      solutionProviderId?: number;
    }): Promise<Applicable<{ contractId: number }>>;
    updateNode(o: { id: number; hash: string; data: string }): Promise<Applicable<{ contractId: number }>>;
    createName(o: { name: string }): Promise<Applicable<{ contractId: number }>>;
    createRent(o: { nodeId: number }): Promise<Applicable<{ contractId: number }>>;
    cancel(o: { id: number }): Promise<Applicable<number> | undefined>;
    get(o: { id: number }): Promise<any>;
    getContractIdByActiveRentForNode(o: { nodeId: number }): Promise<number>;
    getContractIdByNodeIdAndHash(o: { nodeId: number; hash: string }): Promise<number>;
    getContractIdByName(o: { name: string }): Promise<number>;
    getActiveContracts(o: { nodeId: number }): Promise<number[]>;
  };
  kvStore: {
    set(o: { key: string; value: string }): Promise<Applicable<string>>;
    get(o: { key: string }): Promise<string>;
    list(): Promise<string[]>;
    delete(o: { key: string }): Promise<Applicable<string>>;
  };
  balances: {
    transfer(o: { address: string; amount: number }): Promise<Applicable<number>>;
    get(o: { address: string }): Promise<{ free: string | number }>;
  };
}
interface Applicable<T> {
  apply(): Promise<T>;
}

jest.setTimeout(180_000);

let node: Devchain;
let user: TfClient;
let farmer: TfClient;
let nodeKey: TfClient;
const clients: TfClient[] = [];

async function client(secret: string, keypairType = 'sr25519'): Promise<TfClient> {
  const c = new tfchain.Client({ url: node.url, mnemonicOrSecret: secret, keypairType });
  await c.connect();
  clients.push(c);
  return c;
}

beforeAll(async () => {
  // The official client narrates every event on the console; keep CI logs readable.
  jest.spyOn(console, 'log').mockImplementation(() => undefined);
  node = await startDevchain({ port: 0 });
  user = await client('//Alice');
  farmer = await client('//Bob');
  // The node's own key is ed25519, as real 3Nodes sign.
  nodeKey = await client('0x' + '17'.repeat(32), 'ed25519');
  await (await user.balances.transfer({ address: nodeKey.address, amount: 100_000_000 })).apply();
});

afterAll(async () => {
  for (const c of clients) await c.disconnect().catch(() => undefined);
  await node?.stop();
});

test('terms, twins and their query API', async () => {
  for (const c of [user, farmer, nodeKey]) {
    await (
      await c.termsAndConditions.accept({ documentLink: 'https://library.threefold.me/info/legal/#/', documentHash: 'abc123' })
    ).apply();
  }
  const twin = await (await user.twins.create({ relay: 'relay.dev.grid.tf', pk: '0x' + 'ab'.repeat(32) })).apply();
  expect(twin.id).toBe(1);
  await (await farmer.twins.create({ relay: 'relay.dev.grid.tf', pk: '' })).apply();
  await (await nodeKey.twins.create({ relay: 'relay.dev.grid.tf', pk: '' })).apply();
  expect(await user.twins.getMyTwinId()).toBe(1);
  const read = await user.twins.get({ id: 1 });
  expect(read.accountId).toBe(user.address);
  expect(read.relay).toBe('relay.dev.grid.tf');
  const updated = await (await user.twins.update({ relay: 'relay.grid.tf', pk: '0x' + 'cd'.repeat(32) })).apply();
  expect(updated.id).toBe(1);
  expect((await user.twins.get({ id: 1 })).relay).toBe('relay.grid.tf');
});

test('a farm with public IPs, managed and read through the client', async () => {
  const farm = await (
    await farmer.farms.create({ name: 'client_farm', publicIps: [{ ip: '185.206.122.33/24', gw: '185.206.122.1' }] })
  ).apply();
  await (await farmer.farms.addFarmIp({ farmId: farm.id, ip: '185.206.122.34/24', gw: '185.206.122.1' })).apply();
  await (await farmer.farms.addFarmIp({ farmId: farm.id, ip: '185.206.122.35/24', gw: '185.206.122.1' })).apply();
  await (await farmer.farms.removeFarmIp({ farmId: farm.id, ip: '185.206.122.35/24' })).apply();
  const read = await farmer.farms.get({ id: farm.id });
  expect(read.name).toBe('client_farm');
  expect(read.publicIps.map((p) => p.ip)).toEqual(['185.206.122.33/24', '185.206.122.34/24']);
});

test('a node signed by its own key, contracts created, updated, canceled and read back', async () => {
  const api = nodeKey.api;
  const create = api.tx.tfgridModule.createNode(
    1,
    { hru: 0, sru: 512n * 1024n ** 3n, cru: 8, mru: 16n * 1024n ** 3n },
    { city: 'Ghent', country: 'Belgium', latitude: '51.05', longitude: '3.72' },
    [{ name: 'zos', mac: '00:11:22:33:44:55', ips: ['10.0.0.2'] }],
    false,
    false,
    'SN-1234',
  );
  await nodeKey.applyExtrinsic(create, ['tfgridModule'], ['NodeStored']);
  const n = await user.nodes.get({ id: 1 });
  expect(n.farmId).toBe(1);
  expect(n.resources.cru).toBe(8);

  const hash = 'a'.repeat(32);
  const c = await (
    await user.contracts.createNode({ nodeId: 1, hash, data: 'deployment', numberOfPublicIps: 1, solutionProviderId: undefined })
  ).apply();
  expect(await user.contracts.getContractIdByNodeIdAndHash({ nodeId: 1, hash })).toBe(c.contractId);
  expect(await user.contracts.getActiveContracts({ nodeId: 1 })).toContain(c.contractId);
  const farm = await farmer.farms.get({ id: 1 });
  expect(farm.publicIps.filter((p) => Number(p.contractId) === c.contractId)).toHaveLength(1);

  const hash2 = 'b'.repeat(32);
  await (await user.contracts.updateNode({ id: c.contractId, hash: hash2, data: 'v2' })).apply();
  const got = await user.contracts.get({ id: c.contractId });
  expect(got.contractType.nodeContract.deploymentHash).toBe(hash2);

  const name = await (await user.contracts.createName({ name: 'clientname' })).apply();
  expect(await user.contracts.getContractIdByName({ name: 'clientname' })).toBe(name.contractId);

  await (await user.contracts.cancel({ id: c.contractId }))!.apply();
  expect(await user.contracts.getActiveContracts({ nodeId: 1 })).not.toContain(c.contractId);
  const freed = await farmer.farms.get({ id: 1 });
  expect(freed.publicIps.every((p) => !p.contractId || Number(p.contractId) === 0)).toBe(true);

  const rent = await (await user.contracts.createRent({ nodeId: 1 })).apply();
  expect(await user.contracts.getContractIdByActiveRentForNode({ nodeId: 1 })).toBe(rent.contractId);
  await (await user.contracts.cancel({ id: rent.contractId }))!.apply();
  await (await user.contracts.cancel({ id: name.contractId }))!.apply();
  expect(await user.contracts.getContractIdByName({ name: 'clientname' })).toBe(0);
});

test('kvstore set, get, list and delete; balance transfer', async () => {
  await (await user.kvStore.set({ key: 'dpl/1/abc', value: 'sealed-bytes' })).apply();
  expect(await user.kvStore.get({ key: 'dpl/1/abc' })).toBe('sealed-bytes');
  expect(await user.kvStore.list()).toContain('dpl/1/abc');
  await (await user.kvStore.delete({ key: 'dpl/1/abc' })).apply();
  expect(await user.kvStore.get({ key: 'dpl/1/abc' })).toBe('');

  const before = BigInt((await user.balances.get({ address: farmer.address })).free);
  await (await user.balances.transfer({ address: farmer.address, amount: 123_456 })).apply();
  expect(BigInt((await user.balances.get({ address: farmer.address })).free)).toBe(before + 123_456n);
});
