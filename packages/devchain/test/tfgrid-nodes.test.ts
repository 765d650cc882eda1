/**
 * TfgridModule nodes through @polkadot/api: registration and its validation, updates (free;
 * Certified → Diy on resource change), uptime reports, public configs, deletion.
 */
import type { ApiPromise } from '@polkadot/api';
import type { KeyringPair } from '@polkadot/keyring/types';
import { stringToHex } from '@polkadot/util';
import { useChain } from './support/contracts';
import {
  councilApprove,
  defaultNode,
  eventData,
  fund,
  GiB,
  pairOf,
  send,
  sendErr,
  sendOk,
  setupFarm,
  setupNode,
  setupTwin,
  type NodeOptions,
} from './support/grid';

jest.setTimeout(120_000);

let api: ApiPromise;
let farmer: KeyringPair;
let farmId: number;
let otherFarmId: number;
const json = (v: unknown): any => (v as { toJSON(): unknown }).toJSON();
const nodeOf = async (id: number): Promise<any> => json(await api.query.tfgridModule.nodes(id));
const free = async (who: string): Promise<bigint> => BigInt(json(await api.query.system.account(who)).data.free);
const nowSecs = (): number => Math.floor(Date.now() / 1000);

/** A fresh node key (ed25519, as real nodes), funded, with a twin. */
async function nodeKey(name: string): Promise<KeyringPair> {
  const pair = pairOf(`//tfgrid-nodes//${name}`, 'ed25519');
  await fund(api, pair.address);
  await setupTwin(api, pair);
  return pair;
}

function createNode(fid: number, o: NodeOptions = {}) {
  const n = { ...defaultNode, ...o };
  return api.tx.tfgridModule.createNode(fid, n.resources, n.location, n.interfaces, n.secureBoot, n.virtualized, n.serialNumber);
}

function updateNode(id: number, fid: number, o: NodeOptions = {}) {
  const n = { ...defaultNode, ...o };
  return api.tx.tfgridModule.updateNode(id, fid, n.resources, n.location, n.interfaces, n.secureBoot, n.virtualized, n.serialNumber);
}

useChain(async (chain) => {
  ({ api } = chain);
  farmer = pairOf('//tfgrid-nodes//farmer');
  await fund(api, farmer.address);
  farmId = await setupFarm(api, farmer, 'node-farm', [{ ip: '185.206.122.33/24', gw: '185.206.122.1' }]);
  otherFarmId = await setupFarm(api, farmer, 'node-farm-2');
});

test("create_node by the node's twin: stored with the default DIY policy, indexed, NodeStored", async () => {
  const n = pairOf('//tfgrid-nodes//first', 'ed25519');
  await fund(api, n.address);
  expect(await sendErr(api, createNode(farmId), n)).toBe('TfgridModule.TwinNotExists');
  const twinId = await setupTwin(api, n);
  expect(await sendErr(api, createNode(999), n)).toBe('TfgridModule.FarmNotExists');
  const r = await sendOk(api, createNode(farmId), n);
  const id = json(await api.query.tfgridModule.nodeID()) as number;
  const stored = await nodeOf(id);
  expect(stored).toMatchObject({
    version: 5,
    id,
    farmId,
    twinId,
    resources: { hru: 0, sru: Number(500n * GiB), cru: 4, mru: Number(8n * GiB) },
    location: {
      city: stringToHex('Ghent'),
      country: stringToHex('Belgium'),
      latitude: stringToHex('51.05'),
      longitude: stringToHex('3.72'),
    },
    publicConfig: null,
    farmingPolicyId: 1,
    interfaces: [{ name: stringToHex('zos'), mac: stringToHex('00:11:22:33:44:55'), ips: [stringToHex('10.2.0.5')] }],
    certification: 'Diy',
    secureBoot: false,
    virtualized: false,
    serialNumber: stringToHex('SN-0001'),
    connectionPrice: 80,
  });
  expect(Math.abs(stored.created - nowSecs())).toBeLessThan(120);
  expect(eventData(r.events, 'tfgridModule.NodeStored')).toEqual([stored]);
  expect(json(await api.query.tfgridModule.nodeIdByTwinID(twinId))).toBe(id);
  expect(json(await api.query.tfgridModule.nodesByFarmID(farmId))).toEqual([id]);
  expect(await sendErr(api, createNode(otherFarmId), n)).toBe('TfgridModule.NodeWithTwinIdExists');
});

test('any twin may register a node in any farm (ownership of the farm is not checked)', async () => {
  const n = await nodeKey('foreign');
  const id = await setupNode(api, n, otherFarmId);
  expect((await nodeOf(id)).farmId).toBe(otherFarmId);
});

test('an HDD-only node (no SSD, at least 100 GiB of HDD) is accepted, as newer runtimes do', async () => {
  const n = await nodeKey('hdd-only');
  const id = await setupNode(api, n, otherFarmId, { resources: { ...defaultNode.resources, sru: 0n, hru: 256n * GiB } });
  expect(BigInt((await nodeOf(id)).resources.hru)).toBe(256n * GiB);
});

test('resources, location, interfaces and serial number are validated', async () => {
  const n = await nodeKey('invalid');
  const cases: [NodeOptions, string][] = [
    [{ resources: { ...defaultNode.resources, sru: 100n * GiB - 1n, hru: 100n * GiB - 1n } }, 'InvalidSRUInput'],
    [{ resources: { ...defaultNode.resources, cru: 0n } }, 'InvalidCRUInput'],
    [{ resources: { ...defaultNode.resources, mru: 2n * GiB - 1n } }, 'InvalidMRUInput'],
    [{ location: { ...defaultNode.location, city: '' } }, 'CityNameTooShort'],
    [{ location: { ...defaultNode.location, city: 'x'.repeat(59) } }, 'CityNameTooLong'],
    [{ location: { ...defaultNode.location, country: 'B' } }, 'CountryNameTooShort'],
    [{ location: { ...defaultNode.location, country: 'x'.repeat(57) } }, 'CountryNameTooLong'],
    [{ location: { ...defaultNode.location, latitude: '' } }, 'LatitudeInputTooShort'],
    [{ location: { ...defaultNode.location, latitude: '90.00001' } }, 'InvalidLatitudeInput'],
    [{ location: { ...defaultNode.location, latitude: 'north' } }, 'InvalidLatitudeInput'],
    [{ location: { ...defaultNode.location, longitude: '-180.5' } }, 'InvalidLongitudeInput'],
    [{ location: { ...defaultNode.location, longitude: '3,72' } }, 'InvalidLongitudeInput'],
    [{ interfaces: [{ name: 'et', mac: '00:11:22:33:44:55', ips: [] }] }, 'InterfaceNameTooShort'],
    [{ interfaces: [{ name: 'e'.repeat(21), mac: '00:11:22:33:44:55', ips: [] }] }, 'InterfaceNameTooLong'],
    [{ interfaces: [{ name: 'ETH0', mac: '00:11:22:33:44:55', ips: [] }] }, 'InvalidInterfaceName'],
    [{ interfaces: [{ name: 'eth0', mac: '00:11:22:33:44', ips: [] }] }, 'InterfaceMacTooShort'],
    [{ interfaces: [{ name: 'eth0', mac: '00:11:22:33:44:55:66', ips: [] }] }, 'InterfaceMacTooLong'],
    [{ interfaces: [{ name: 'eth0', mac: '00:11:22:33:44:5G', ips: [] }] }, 'InvalidMacAddress'],
    [{ interfaces: [{ name: 'eth0', mac: '00:11:22:33:44:55', ips: ['1.2.3'] }] }, 'InterfaceIpTooShort'],
    [{ interfaces: [{ name: 'eth0', mac: '00:11:22:33:44:55', ips: ['1.2.3.256'] }] }, 'InvalidInterfaceIP'],
    [{ interfaces: [{ name: 'eth0', mac: '00:11:22:33:44:55', ips: ['f'.repeat(40)] }] }, 'InterfaceIpTooLong'],
    [{ serialNumber: 's'.repeat(129) }, 'SerialNumberTooLong'],
  ];
  for (const [opts, error] of cases)
    expect([opts, await sendErr(api, createNode(farmId, opts), n)]).toEqual([opts, `TfgridModule.${error}`]);
});

test('"Unknown" coordinates, IPv6 interface IPs and no serial number are accepted', async () => {
  const n = await nodeKey('unknown-location');
  const id = await setupNode(api, n, farmId, {
    location: { city: 'Unknown', country: 'Unknown', latitude: 'Unknown', longitude: 'Unknown' },
    interfaces: [{ name: 'zos', mac: 'aa:bb:cc:dd:ee:ff', ips: ['10.0.0.1', '2a02:1802:5e::223'] }],
    serialNumber: null,
  });
  expect(await nodeOf(id)).toMatchObject({ location: { latitude: stringToHex('Unknown') }, serialNumber: null });
});

describe('update_node', () => {
  let n: KeyringPair;
  let id: number;

  beforeAll(async () => {
    n = await nodeKey('updating');
    id = await setupNode(api, n, farmId);
  });

  test("only by the node's twin; free when it succeeds; emits NodeUpdated", async () => {
    expect(await sendErr(api, updateNode(id, farmId), farmer)).toBe('TfgridModule.NodeUpdateNotAuthorized');
    expect(await sendErr(api, updateNode(9999, farmId), n)).toBe('TfgridModule.NodeNotExists');
    expect(await sendErr(api, updateNode(id, 9999), n)).toBe('TfgridModule.FarmNotExists');
    expect(await sendErr(api, updateNode(id, farmId, { resources: { ...defaultNode.resources, cru: 0n } }), n)).toBe(
      'TfgridModule.InvalidCRUInput',
    );
    const before = await free(n.address);
    const r = await sendOk(api, updateNode(id, farmId, { location: { ...defaultNode.location, city: 'Brussels' }, virtualized: true }), n);
    expect(await free(n.address)).toBe(before);
    expect(eventData(r.events, 'tfgridModule.NodeUpdated')![0]).toMatchObject({
      id,
      virtualized: true,
      location: { city: stringToHex('Brussels') },
    });
    expect(await nodeOf(id)).toMatchObject({ virtualized: true, location: { city: stringToHex('Brussels') } });
  });

  test('moving the node to another farm moves it in NodesByFarmID', async () => {
    await sendOk(api, updateNode(id, otherFarmId), n);
    expect(json(await api.query.tfgridModule.nodesByFarmID(farmId))).not.toContain(id);
    expect(json(await api.query.tfgridModule.nodesByFarmID(otherFarmId))).toContain(id);
    await sendOk(api, updateNode(id, farmId), n);
    expect(json(await api.query.tfgridModule.nodesByFarmID(farmId))).toContain(id);
  });

  test('a Certified node whose resources change (> 1 %) becomes Diy; unchanged resources keep it', async () => {
    await councilApprove(api, api.tx.tfgridModule.setNodeCertification(id, 'Certified'));
    expect((await nodeOf(id)).certification).toBe('Certified');
    const same = await sendOk(api, updateNode(id, farmId, { serialNumber: 'SN-0002' }), n);
    expect(eventData(same.events, 'tfgridModule.NodeCertificationSet')).toBeUndefined();
    expect((await nodeOf(id)).certification).toBe('Certified');
    // Within the 1 % tolerance: still Certified.
    await sendOk(api, updateNode(id, farmId, { resources: { ...defaultNode.resources, sru: 500n * GiB - 4n * GiB } }), n);
    expect((await nodeOf(id)).certification).toBe('Certified');
    const changed = await sendOk(api, updateNode(id, farmId, { resources: { ...defaultNode.resources, mru: 16n * GiB } }), n);
    expect(eventData(changed.events, 'tfgridModule.NodeCertificationSet')).toEqual([id, 'Diy']);
    expect(eventData(changed.events, 'tfgridModule.NodeUpdated')![0]).toMatchObject({ certification: 'Diy' });
    expect((await nodeOf(id)).certification).toBe('Diy');
  });
});

describe('uptime reports', () => {
  let n: KeyringPair;
  let id: number;

  beforeAll(async () => {
    n = await nodeKey('uptime');
    id = await setupNode(api, n, farmId);
  });

  test('report_uptime_v2 is free and emits NodeUptimeReported(node, now, uptime)', async () => {
    const before = await free(n.address);
    const r = await sendOk(api, api.tx.tfgridModule.reportUptimeV2(3600, nowSecs()), n);
    const [nodeId, now, uptime] = eventData(r.events, 'tfgridModule.NodeUptimeReported') as number[];
    expect([nodeId, uptime]).toEqual([id, 3600]);
    const blockTime = json(await (await api.at(r.blockHash)).query.timestamp.now()) as number;
    expect(now).toBe(Math.floor(blockTime / 1000));
    expect(await free(n.address)).toBe(before);
  });

  test("a timestamp hint more than 60 s from the block's time is refused (and pays)", async () => {
    const before = await free(n.address);
    expect(await sendErr(api, api.tx.tfgridModule.reportUptimeV2(3600, nowSecs() - 300), n)).toBe('TfgridModule.InvalidTimestampHint');
    expect(await free(n.address)).toBeLessThan(before);
    expect(await sendErr(api, api.tx.tfgridModule.reportUptimeV2(3600, nowSecs() + 300), n)).toBe('TfgridModule.InvalidTimestampHint');
    expect(await sendErr(api, api.tx.tfgridModule.reportUptimeV2(3600, nowSecs() - 30), n)).toBeUndefined();
  });

  test('report_uptime (v1) uses the block time; only nodes report', async () => {
    const r = await sendOk(api, api.tx.tfgridModule.reportUptime(42), n);
    expect((eventData(r.events, 'tfgridModule.NodeUptimeReported') as number[])[2]).toBe(42);
    expect(await sendErr(api, api.tx.tfgridModule.reportUptimeV2(1, nowSecs()), farmer)).toBe('TfgridModule.NodeNotExists');
    const stranger = pairOf('//tfgrid-nodes//stranger');
    await fund(api, stranger.address);
    expect(await sendErr(api, api.tx.tfgridModule.reportUptime(1), stranger)).toBe('TfgridModule.TwinNotExists');
  });
});

describe('add_node_public_config', () => {
  let n: KeyringPair;
  let id: number;
  const config = {
    ip4: { ip: '185.206.122.50/24', gw: '185.206.122.1' },
    ip6: { ip: '2a02:1802:5e:0:1000::f6/64', gw: '2a02:1802:5e::1' },
    domain: 'node1.gent.grid.tf',
  };

  beforeAll(async () => {
    n = await nodeKey('public-config');
    id = await setupNode(api, n, farmId);
  });

  test("by the farm's twin, stored on the node, NodePublicConfigStored", async () => {
    const r = await sendOk(api, api.tx.tfgridModule.addNodePublicConfig(farmId, id, config), farmer);
    const expected = {
      ip4: { ip: stringToHex(config.ip4.ip), gw: stringToHex(config.ip4.gw) },
      ip6: { ip: stringToHex(config.ip6.ip), gw: stringToHex(config.ip6.gw) },
      domain: stringToHex(config.domain),
    };
    expect(eventData(r.events, 'tfgridModule.NodePublicConfigStored')).toEqual([id, expected]);
    expect((await nodeOf(id)).publicConfig).toEqual(expected);
  });

  test('ip6 and domain are optional; None clears the config', async () => {
    await sendOk(api, api.tx.tfgridModule.addNodePublicConfig(farmId, id, { ip4: config.ip4, ip6: null, domain: null }), farmer);
    expect((await nodeOf(id)).publicConfig).toMatchObject({ ip6: null, domain: null });
    const r = await sendOk(api, api.tx.tfgridModule.addNodePublicConfig(farmId, id, null), farmer);
    expect(eventData(r.events, 'tfgridModule.NodePublicConfigStored')).toEqual([id, null]);
    expect((await nodeOf(id)).publicConfig).toBeNull();
  });

  test('refusals: wrong twin, node of another farm, invalid configs', async () => {
    const add = (fid: number, c: unknown) => api.tx.tfgridModule.addNodePublicConfig(fid, id, c as typeof config);
    expect(await sendErr(api, add(farmId, config), n)).toBe('TfgridModule.CannotUpdateFarmWrongTwin');
    expect(await sendErr(api, add(otherFarmId, config), farmer)).toBe('TfgridModule.NodeUpdateNotAuthorized');
    expect(await sendErr(api, add(9999, config), farmer)).toBe('TfgridModule.FarmNotExists');
    const invalid = [
      { ...config, ip4: { ip: '10.1.2.3/24', gw: '10.1.2.1' } },
      { ...config, ip4: { ip: '185.206.122.50/24', gw: '185.206.99.1' } },
      { ...config, ip6: { ip: 'fd00::5/64', gw: 'fd00::1' } },
      { ...config, ip6: { ip: '2a02:1802:5e:0:1000::f6/64', gw: '2a02:1802:5f::1' } },
      { ...config, domain: 'not a domain' },
    ];
    for (const c of invalid) expect(await sendErr(api, add(farmId, c), farmer)).toBe('TfgridModule.InvalidPublicConfig');
  });
});

test('delete_node_farm: the farmer deletes a node of their farm', async () => {
  const n = await nodeKey('deleted-by-farmer');
  const id = await setupNode(api, n, farmId);
  const twinId = json(await api.query.tfgridModule.twinIdByAccountID(n.address)) as number;
  expect(await sendErr(api, api.tx.tfgridModule.deleteNodeFarm(id), n)).toBe('TfgridModule.FarmerNotAuthorized');
  expect(await sendErr(api, api.tx.tfgridModule.deleteNodeFarm(9999), farmer)).toBe('TfgridModule.NodeNotExists');
  const r = await sendOk(api, api.tx.tfgridModule.deleteNodeFarm(id), farmer);
  expect(eventData(r.events, 'tfgridModule.NodeDeleted')).toEqual([id]);
  expect(await nodeOf(id)).toBeNull();
  expect(json(await api.query.tfgridModule.nodesByFarmID(farmId))).not.toContain(id);
  expect(json(await api.query.tfgridModule.nodeIdByTwinID(twinId))).toBe(0);
  // The twin may register again: a new node id.
  expect(await setupNode(api, n, farmId)).toBeGreaterThan(id);
});

test("delete_node: the node's own twin deletes it", async () => {
  const n = await nodeKey('deleted-by-itself');
  const id = await setupNode(api, n, farmId);
  expect(await sendErr(api, api.tx.tfgridModule.deleteNode(id), farmer)).toBe('TfgridModule.NodeUpdateNotAuthorized');
  const r = await send(api, api.tx.tfgridModule.deleteNode(id), n);
  expect(eventData(r.events, 'tfgridModule.NodeDeleted')).toEqual([id]);
  expect(await nodeOf(id)).toBeNull();
});
