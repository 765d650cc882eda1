/**
 * The grid's chain, in process: its spec counts 198.18.0.0/15 public (dev.json does not), the
 * farm's public IP pool is kept exact across runs and subnets, and a data directory whose chain was
 * made with another spec is refused as stale before any agent starts, leaving nothing behind.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connect, type TfchainClient } from '@tfgrid/client';
import { startDevchain, type Devchain } from '@tfgrid/devchain';
import {
  bootstrapDevFarm,
  claimSubnet,
  DEV_FUNDER,
  farmIpPool,
  isLocalGridFarmIp,
  listLinks,
  listNamespaces,
  localChainSpec,
  startLocalGrid,
  syncDevFarmIps,
} from '../src';

jest.setTimeout(120_000);

let dir: string;
let chain: Devchain;
let alice: TfchainClient;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'lgc-'));
  chain = await startDevchain({ port: 0, chain: localChainSpec() });
  alice = await connect({ url: chain.url, secret: DEV_FUNDER });
});

afterAll(async () => {
  await alice?.disconnect();
  await chain?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test("the farm's public IPs: the pool added once, an earlier subnet's free IPs replaced, others kept", async () => {
  const { farmId } = await bootstrapDevFarm(chain.url, 'devfarm', []);
  const ips = async (): Promise<string[]> => (await alice.farms.get(farmId))!.publicIps.map((p) => p.ip).sort();
  await alice.farms.addIp({ farmId, ip: '185.206.122.33/24', gw: '185.206.122.1' });
  await syncDevFarmIps(alice, farmId, farmIpPool(201), isLocalGridFarmIp);
  expect(await ips()).toEqual([...farmIpPool(201).map((p) => p.ip), '185.206.122.33/24'].sort());
  // Again: nothing to do (no duplicate, no IpExists).
  await syncDevFarmIps(alice, farmId, farmIpPool(201), isLocalGridFarmIp);
  expect(await ips()).toHaveLength(11);
  // A run on another subnet: its pool instead of the old one; the farmer's own IP stays.
  await syncDevFarmIps(alice, farmId, farmIpPool(202), isLocalGridFarmIp);
  expect(await ips()).toEqual([...farmIpPool(202).map((p) => p.ip), '185.206.122.33/24'].sort());
  expect((await alice.farms.get(farmId))!.publicIps.find((p) => p.ip === '198.18.202.200/24')).toEqual({
    ip: '198.18.202.200/24',
    gateway: '198.18.202.1',
    contractId: 0,
  });
});

test('a data directory whose chain was made with plain dev.json is refused as stale-data, leaving nothing', async () => {
  const data = path.join(dir, 'old');
  const old = await startDevchain({ port: 0, basePath: path.join(data, 'devchain') });
  await old.stop();
  // A subnet free right now (the first free automatic one), given explicitly so its leftovers can be checked.
  const probe = claimSubnet();
  const subnet = probe.subnet;
  probe.release();
  const start = startLocalGrid({ nodes: 1, dataDir: data, planetary: false, subnet });
  await expect(start).rejects.toMatchObject({
    code: 'stale-data',
    message: expect.stringMatching(/created with another chain spec.*remove .*old to start afresh/),
  });
  expect(listNamespaces().filter((ns) => ns.startsWith(`lg${subnet}-`))).toEqual([]);
  expect(listLinks().filter((l) => l.startsWith(`lg${subnet}`))).toEqual([]);
});
