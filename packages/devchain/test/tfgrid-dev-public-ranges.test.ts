/**
 * The dev-only exception `genesis.tfgridModule.devPublicRanges`: a chain whose spec lists
 * 198.18.0.0/15 (and a ULA range) accepts node public configs and farm public IPs from them, with
 * every other rule unchanged; the default spec (chain-spec/dev.json) refuses them as TFChain does;
 * both chains have the same metadata, the list sits under its raw key only; bad lists are refused
 * at genesis naming the field.
 */
import { ApiPromise, WsProvider } from '@polkadot/api';
import type { KeyringPair } from '@polkadot/keyring/types';
import { ChainSpecError, DEFAULT_CHAIN_SPEC, loadChainSpec, startDevchain, type ChainSpec, type Devchain } from '../src';
import { DEV_PUBLIC_RANGES_KEY, MAX_DEV_PUBLIC_RANGES } from '../src/pallets/tfgrid';
import { fund, pairOf, sendErr, sendOk, setupFarm, setupNode, setupTwin } from './support/grid';

jest.setTimeout(120_000);

const json = (v: unknown): any => (v as { toJSON(): unknown }).toJSON();

/** dev.json with `devPublicRanges` set (undefined: as it is). */
function specWith(ranges: unknown): ChainSpec {
  const spec = loadChainSpec(DEFAULT_CHAIN_SPEC);
  if (ranges !== undefined) spec.genesis.tfgridModule = { ...(spec.genesis.tfgridModule as object), devPublicRanges: ranges };
  return spec;
}

interface Running {
  node: Devchain;
  api: ApiPromise;
  farmer: KeyringPair;
  farmId: number;
  nodeId: number;
}

async function run(spec: ChainSpec): Promise<Running> {
  const node = await startDevchain({ port: 0, chain: spec });
  const api = await ApiPromise.create({ provider: new WsProvider(node.url), noInitWarn: true, throwOnConnect: true });
  const farmer = pairOf('//dev-ranges//farmer');
  await fund(api, farmer.address);
  const farmId = await setupFarm(api, farmer, 'dev-ranges-farm');
  const n = pairOf('//dev-ranges//node', 'ed25519');
  await fund(api, n.address);
  await setupTwin(api, n);
  const nodeId = await setupNode(api, n, farmId);
  return { node, api, farmer, farmId, nodeId };
}

const BENCH = {
  ip4: { ip: '198.18.7.3/24', gw: '198.18.7.1' },
  ip6: { ip: '2001:2:0:7::3/64', gw: '2001:2:0:7::1' },
  domain: 'gateway1.localgrid.test',
};
const BENCH_IP = { ip: '198.18.7.200/24', gw: '198.18.7.1' };

let plain: Running;
let dev: Running;

beforeAll(async () => {
  plain = await run(specWith(undefined));
  dev = await run(specWith(['198.18.0.0/15', 'fd12:3456::/32']));
});

afterAll(async () => {
  for (const r of [plain, dev]) {
    await r?.api.disconnect();
    await r?.node.stop();
  }
});

test('the default dev chain refuses 198.18.0.0/15 as not public, as TFChain does', async () => {
  const { api, farmer, farmId, nodeId } = plain;
  expect(await sendErr(api, api.tx.tfgridModule.addNodePublicConfig(farmId, nodeId, BENCH), farmer)).toBe(
    'TfgridModule.InvalidPublicConfig',
  );
  expect(await sendErr(api, api.tx.tfgridModule.addFarmIp(farmId, BENCH_IP.ip, BENCH_IP.gw), farmer)).toBe('TfgridModule.InvalidPublicIP');
  expect(await sendErr(api, api.tx.tfgridModule.createFarm('bench-farm', [BENCH_IP]), farmer)).toBe('TfgridModule.InvalidPublicIP');
  // 2001:2::/48 (benchmarking) is public for TFChain's rules: the IPv4 part is what is refused above.
  const withPublicIp4 = { ...BENCH, ip4: { ip: '185.206.122.50/24', gw: '185.206.122.1' } };
  expect(await sendErr(api, api.tx.tfgridModule.addNodePublicConfig(farmId, nodeId, withPublicIp4), farmer)).toBeUndefined();
  expect(json(await api.rpc.state.getStorage(`0x${DEV_PUBLIC_RANGES_KEY}`))).toBeNull();
});

test('a chain listing 198.18.0.0/15 accepts node public configs and farm public IPs from it', async () => {
  const { api, farmer, farmId, nodeId } = dev;
  await sendOk(api, api.tx.tfgridModule.addNodePublicConfig(farmId, nodeId, BENCH), farmer);
  const stored = json(await api.query.tfgridModule.nodes(nodeId)).publicConfig;
  expect(Buffer.from(stored.ip4.ip.slice(2), 'hex').toString()).toBe(BENCH.ip4.ip);
  expect(Buffer.from(stored.ip6.ip.slice(2), 'hex').toString()).toBe(BENCH.ip6.ip);
  expect(Buffer.from(stored.domain.slice(2), 'hex').toString()).toBe(BENCH.domain);
  // A listed IPv6 range counts as public too (a unique-local one here).
  const ula = { ...BENCH, ip6: { ip: 'fd12:3456:0:1::3/64', gw: 'fd12:3456:0:1::1' } };
  expect(await sendErr(api, api.tx.tfgridModule.addNodePublicConfig(farmId, nodeId, ula), farmer)).toBeUndefined();

  await sendOk(api, api.tx.tfgridModule.addFarmIp(farmId, BENCH_IP.ip, BENCH_IP.gw), farmer);
  expect(await sendErr(api, api.tx.tfgridModule.addFarmIp(farmId, BENCH_IP.ip, BENCH_IP.gw), farmer)).toBe('TfgridModule.IpExists');
  await sendOk(api, api.tx.tfgridModule.createFarm('bench-farm', [{ ip: '198.19.1.10/24', gw: '198.19.1.1' }]), farmer);
  const farms = await Promise.all(
    [farmId, farmId + 1].map(async (id) =>
      json(await api.query.tfgridModule.farms(id)).publicIps.map((p: { ip: string }) => Buffer.from(p.ip.slice(2), 'hex').toString()),
    ),
  );
  expect(farms).toEqual([[BENCH_IP.ip], ['198.19.1.10/24']]);
});

test('everything else is unchanged on that chain: other non-public ranges and inconsistent configs are refused', async () => {
  const { api, farmer, farmId, nodeId } = dev;
  const invalidConfigs = [
    { ...BENCH, ip4: { ip: '10.1.2.3/24', gw: '10.1.2.1' } }, // private, not listed
    { ...BENCH, ip4: { ip: '198.18.7.3/24', gw: '198.18.8.1' } }, // gateway outside the network
    { ...BENCH, ip4: { ip: '198.18.7.3/24', gw: '198.18.7.0' } }, // gateway is the network address
    { ...BENCH, ip6: { ip: 'fd00::3/64', gw: 'fd00::1' } }, // ULA outside the listed one
    { ...BENCH, domain: 'not a domain' },
  ];
  for (const c of invalidConfigs)
    expect(await sendErr(api, api.tx.tfgridModule.addNodePublicConfig(farmId, nodeId, c), farmer)).toBe('TfgridModule.InvalidPublicConfig');
  for (const ip of [
    { ip: '192.168.1.10/24', gw: '192.168.1.1' },
    { ip: '198.18.7.201/24', gw: '198.18.6.1' },
    { ip: '198.18.7.202', gw: '198.18.7.1' },
  ]) {
    expect(await sendErr(api, api.tx.tfgridModule.addFarmIp(farmId, ip.ip, ip.gw), farmer)).toBe('TfgridModule.InvalidPublicIP');
  }
});

test('the exception is outside the metadata: same metadata on both chains, the list only under its raw key', async () => {
  expect((await dev.api.rpc.state.getMetadata()).toHex()).toBe((await plain.api.rpc.state.getMetadata()).toHex());
  const raw = json(await dev.api.rpc.state.getStorage(`0x${DEV_PUBLIC_RANGES_KEY}`));
  expect(raw).not.toBeNull();
  expect(Buffer.from(String(raw).slice(2), 'hex').toString('latin1')).toContain('198.18.0.0/15');
});

test('an empty list writes nothing: the genesis of dev.json', async () => {
  const empty = await startDevchain({ port: 0, chain: specWith([]) });
  try {
    expect(empty.chain.genesisHash).toBe(plain.node.chain.genesisHash);
  } finally {
    await empty.stop();
  }
  expect(dev.node.chain.genesisHash).not.toBe(plain.node.chain.genesisHash);
});

test('a bad list is refused at genesis with a ChainSpecError naming the field', async () => {
  const bad: [unknown, RegExp][] = [
    ['198.18.0.0/15', /devPublicRanges must be a list of CIDRs/],
    [
      Array.from({ length: MAX_DEV_PUBLIC_RANGES + 1 }, (_, i) => `198.18.${i}.0/24`),
      new RegExp(`devPublicRanges has ${MAX_DEV_PUBLIC_RANGES + 1} entries; at most ${MAX_DEV_PUBLIC_RANGES}`),
    ],
    [['198.18.0.0'], /devPublicRanges\[0\] \("198\.18\.0\.0"\) is not an IPv4 or IPv6 CIDR/],
    [['198.18.0.0/33'], /devPublicRanges\[0\].*is not an IPv4 or IPv6 CIDR/],
    [['198.18.0.0/15', 'not-a-cidr'], /devPublicRanges\[1\].*is not an IPv4 or IPv6 CIDR/],
    [['198.18.0.1/15'], /devPublicRanges\[0\].*host bits set/],
    [['2001:2::1/48'], /devPublicRanges\[0\].*host bits set/],
    [[42], /devPublicRanges\[0\] \(number\) must be a CIDR string/],
  ];
  for (const [ranges, message] of bad) {
    const started = startDevchain({ port: 0, chain: specWith(ranges) });
    await expect(started).rejects.toThrow(message);
    await expect(started).rejects.toBeInstanceOf(ChainSpecError);
  }
});
