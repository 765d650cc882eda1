/**
 * TfgridModule through @polkadot/api: power state and target, node certification and
 * certifiers, pricing and farming policies, policy limits attached to farms, connection price,
 * ZOS and storage versions — the council's calls and their refusals.
 */
import type { ApiPromise, WsProvider } from '@polkadot/api';
import type { KeyringPair } from '@polkadot/keyring/types';
import { stringToHex } from '@polkadot/util';
import { useChain } from './support/contracts';
import {
  councilApprove,
  councilResultError,
  defaultNode,
  eventData,
  fund,
  GiB,
  pairOf,
  sendErr,
  sendOk,
  setStorage,
  setupFarm,
  setupNode,
} from './support/grid';

jest.setTimeout(120_000);

let provider: WsProvider;
let api: ApiPromise;
let farmer: KeyringPair;
let farmId: number;
const json = (v: unknown): any => (v as { toJSON(): unknown }).toJSON();
const nodeOf = async (id: number): Promise<any> => json(await api.query.tfgridModule.nodes(id));
const free = async (who: string): Promise<bigint> => BigInt(json(await api.query.system.account(who)).data.free);
const policy = { value: 1, unit: 'Gigabytes' };

let nodeCount = 0;
async function newNode(fid = farmId, opts = {}): Promise<{ pair: KeyringPair; id: number }> {
  const pair = pairOf(`//tfgrid-policies//node-${++nodeCount}`, 'ed25519');
  await fund(api, pair.address);
  return { pair, id: await setupNode(api, pair, fid, opts) };
}

useChain(async (chain) => {
  ({ provider, api } = chain);
  farmer = pairOf('//tfgrid-policies//farmer');
  await fund(api, farmer.address);
  farmId = await setupFarm(api, farmer, 'policy-farm');
});

describe('power', () => {
  test('change_power_state by the node: free, stores Down(block), events only on change', async () => {
    const { pair, id } = await newNode();
    expect(json(await api.query.tfgridModule.nodePower(id))).toEqual({ state: { up: null }, target: 'Up' });
    const before = await free(pair.address);
    const up = await sendOk(api, api.tx.tfgridModule.changePowerState('Up'), pair);
    expect(eventData(up.events, 'tfgridModule.PowerStateChanged')).toBeUndefined();
    const down = await sendOk(api, api.tx.tfgridModule.changePowerState('Down'), pair);
    const block = (await api.rpc.chain.getHeader(down.blockHash)).number.toNumber();
    expect(eventData(down.events, 'tfgridModule.PowerStateChanged')).toEqual([farmId, id, { down: block }]);
    expect(json(await api.query.tfgridModule.nodePower(id))).toEqual({ state: { down: block }, target: 'Up' });
    const back = await sendOk(api, api.tx.tfgridModule.changePowerState('Up'), pair);
    expect(eventData(back.events, 'tfgridModule.PowerStateChanged')).toEqual([farmId, id, { up: null }]);
    expect(await free(pair.address)).toBe(before);
    expect(await sendErr(api, api.tx.tfgridModule.changePowerState('Down'), farmer)).toBe('TfgridModule.NodeNotExists');
  });

  test('change_power_target only by the farmer; Down refused while the node has contracts', async () => {
    const { pair, id } = await newNode();
    expect(await sendErr(api, api.tx.tfgridModule.changePowerTarget(id, 'Down'), pair)).toBe(
      'TfgridModule.UnauthorizedToChangePowerTarget',
    );
    expect(await sendErr(api, api.tx.tfgridModule.changePowerTarget(9999, 'Down'), farmer)).toBe('TfgridModule.NodeNotExists');
    const r = await sendOk(api, api.tx.tfgridModule.changePowerTarget(id, 'Down'), farmer);
    expect(eventData(r.events, 'tfgridModule.PowerTargetChanged')).toEqual([farmId, id, 'Down']);
    expect(json(await api.query.tfgridModule.nodePower(id))).toEqual({ state: { up: null }, target: 'Down' });
    await sendOk(api, api.tx.tfgridModule.changePowerTarget(id, 'Up'), farmer);

    // A node contract on the node (as SmartContractModule records it).
    const nodeContracts = api.query.smartContractModule.activeNodeContracts.key(id);
    await setStorage(provider, [[nodeContracts, api.createType('Vec<u64>', [5]).toHex()]]);
    expect(await sendErr(api, api.tx.tfgridModule.changePowerTarget(id, 'Down'), farmer)).toBe('TfgridModule.NodeHasActiveContracts');
    expect(await sendErr(api, api.tx.tfgridModule.changePowerTarget(id, 'Up'), farmer)).toBeUndefined();
    // A rent contract on the node.
    const rent = api.query.smartContractModule.activeRentContractForNode.key(id);
    await setStorage(provider, [
      [nodeContracts, null],
      [rent, api.createType('u64', 9).toHex()],
    ]);
    expect(await sendErr(api, api.tx.tfgridModule.changePowerTarget(id, 'Down'), farmer)).toBe('TfgridModule.NodeHasActiveContracts');
    await setStorage(provider, [[rent, null]]);
    expect(await sendErr(api, api.tx.tfgridModule.changePowerTarget(id, 'Down'), farmer)).toBeUndefined();
  });
});

describe('node certification', () => {
  const certifier = pairOf('//tfgrid-policies//certifier');

  beforeAll(() => fund(api, certifier.address));

  test('set_node_certification by the council; a node on a default policy gets the Certified one', async () => {
    const { id } = await newNode();
    expect((await nodeOf(id)).farmingPolicyId).toBe(1);
    expect(await sendErr(api, api.tx.tfgridModule.setNodeCertification(id, 'Certified'), farmer)).toBe(
      'TfgridModule.NotAllowedToCertifyNode',
    );
    const r = await councilApprove(api, api.tx.tfgridModule.setNodeCertification(id, 'Certified'));
    expect(eventData(r.events, 'tfgridModule.NodeCertificationSet')).toEqual([id, 'Certified']);
    expect(eventData(r.events, 'tfgridModule.NodeUpdated')![0]).toMatchObject({ id, certification: 'Certified', farmingPolicyId: 2 });
    expect(await nodeOf(id)).toMatchObject({ certification: 'Certified', farmingPolicyId: 2 });
    const missing = await councilApprove(api, api.tx.tfgridModule.setNodeCertification(9999, 'Certified'));
    expect(councilResultError(api, missing)).toBe('TfgridModule.NodeNotExists');
  });

  test('add_node_certifier / remove_node_certifier (council); a certifier may certify nodes', async () => {
    const { id } = await newNode();
    expect(await sendErr(api, api.tx.tfgridModule.addNodeCertifier(certifier.address), certifier)).toBe('BadOrigin');
    const added = await councilApprove(api, api.tx.tfgridModule.addNodeCertifier(certifier.address));
    expect(eventData(added.events, 'tfgridModule.NodeCertifierAdded')).toEqual([certifier.address]);
    expect(json(await api.query.tfgridModule.allowedNodeCertifiers())).toEqual([certifier.address]);
    const again = await councilApprove(api, api.tx.tfgridModule.addNodeCertifier(certifier.address));
    expect(councilResultError(api, again)).toBe('TfgridModule.AlreadyCertifier');

    const r = await sendOk(api, api.tx.tfgridModule.setNodeCertification(id, 'Certified'), certifier);
    expect(eventData(r.events, 'tfgridModule.NodeCertificationSet')).toEqual([id, 'Certified']);
    await sendOk(api, api.tx.tfgridModule.setNodeCertification(id, 'Diy'), certifier);
    expect(await nodeOf(id)).toMatchObject({ certification: 'Diy', farmingPolicyId: 1 });

    const removed = await councilApprove(api, api.tx.tfgridModule.removeNodeCertifier(certifier.address));
    expect(eventData(removed.events, 'tfgridModule.NodeCertifierRemoved')).toEqual([certifier.address]);
    expect(json(await api.query.tfgridModule.allowedNodeCertifiers())).toEqual([]);
    const notOne = await councilApprove(api, api.tx.tfgridModule.removeNodeCertifier(certifier.address));
    expect(councilResultError(api, notOne)).toBe('TfgridModule.NotCertifier');
    expect(await sendErr(api, api.tx.tfgridModule.setNodeCertification(id, 'Certified'), certifier)).toBe(
      'TfgridModule.NotAllowedToCertifyNode',
    );
  });
});

describe('pricing policies', () => {
  const eve = pairOf('//Eve').address;
  const ferdie = pairOf('//Ferdie').address;
  const create = (name: string) =>
    api.tx.tfgridModule.createPricingPolicy(name, policy, policy, policy, policy, policy, policy, eve, ferdie, 25);

  test('create_pricing_policy (council): next id, PricingPolicyStored, unique names', async () => {
    expect(await sendErr(api, create('premium'), farmer)).toBe('BadOrigin');
    const r = await councilApprove(api, create('premium'));
    expect(eventData(r.events, 'tfgridModule.PricingPolicyStored')![0]).toMatchObject({
      version: 2,
      id: 2,
      name: stringToHex('premium'),
      discountForDedicationNodes: 25,
    });
    expect(json(await api.query.tfgridModule.pricingPolicyID())).toBe(2);
    expect(json(await api.query.tfgridModule.pricingPolicyIdByName(stringToHex('premium')))).toBe(2);
    expect(json(await api.query.tfgridModule.pricingPolicies(2))).toMatchObject({
      su: { value: 1, unit: 'Gigabytes' },
      foundationAccount: eve,
    });
    expect(councilResultError(api, await councilApprove(api, create('premium')))).toBe('TfgridModule.PricingPolicyExists');
  });

  test('update_pricing_policy (council): renames and reprices; refuses unknown ids and taken names', async () => {
    const update = (id: number, name: string, value: number) =>
      api.tx.tfgridModule.updatePricingPolicy(
        id,
        name,
        { value, unit: 'Gigabytes' },
        policy,
        policy,
        policy,
        policy,
        policy,
        eve,
        ferdie,
        10,
      );
    expect(councilResultError(api, await councilApprove(api, update(77, 'x', 1)))).toBe('TfgridModule.PricingPolicyNotExists');
    await councilApprove(api, create('other-policy'));
    expect(councilResultError(api, await councilApprove(api, update(2, 'other-policy', 1)))).toBe(
      'TfgridModule.PricingPolicyWithDifferentIdExists',
    );
    const r = await councilApprove(api, update(2, 'premium-2', 9));
    expect(eventData(r.events, 'tfgridModule.PricingPolicyStored')![0]).toMatchObject({
      id: 2,
      name: stringToHex('premium-2'),
      su: { value: 9 },
    });
    expect(json(await api.query.tfgridModule.pricingPolicyIdByName(stringToHex('premium')))).toBe(0);
    expect(json(await api.query.tfgridModule.pricingPolicyIdByName(stringToHex('premium-2')))).toBe(2);
  });
});

describe('farming policies', () => {
  const create = (name: string, end = 0, def = false, nodeCert = 'Diy', farmCert = 'NotCertified') =>
    api.tx.tfgridModule.createFarmingPolicy(name, 11, 22, 33, 44, 90, end, false, def, nodeCert, farmCert);

  test('create_farming_policy / update_farming_policy (council)', async () => {
    expect(await sendErr(api, create('special'), farmer)).toBe('BadOrigin');
    const r = await councilApprove(api, create('special'));
    const block = (await api.rpc.chain.getHeader(r.blockHash)).number.toNumber();
    const stored = eventData(r.events, 'tfgridModule.FarmingPolicyStored')![0];
    expect(stored).toEqual({
      version: 2,
      id: 3,
      name: stringToHex('special'),
      cu: 22,
      su: 11,
      nu: 33,
      ipv4: 44,
      minimalUptime: 90,
      policyCreated: block,
      policyEnd: 0,
      immutable: false,
      default: false,
      nodeCertification: 'Diy',
      farmCertification: 'NotCertified',
    });
    expect(json(await api.query.tfgridModule.farmingPolicyID())).toBe(3);
    expect(json(await api.query.tfgridModule.farmingPoliciesMap(3))).toEqual(stored);

    const update = (id: number) => api.tx.tfgridModule.updateFarmingPolicy(id, 'special-2', 1, 2, 3, 4, 80, 0, false, 'Diy', 'Gold');
    expect(councilResultError(api, await councilApprove(api, update(99)))).toBe('TfgridModule.FarmingPolicyNotExists');
    const u = await councilApprove(api, update(3));
    expect(eventData(u.events, 'tfgridModule.FarmingPolicyUpdated')![0]).toMatchObject({
      id: 3,
      name: stringToHex('special-2'),
      su: 1,
      cu: 2,
      farmCertification: 'Gold',
      policyCreated: block,
    });
  });

  test('attach_policy_to_farm: the farm takes the policy and its certification; nodes consume the limits', async () => {
    // Policy 3 now has farm certification Gold (updated above).
    const fid = await setupFarm(api, farmer, 'limited-farm');
    const { id: existing } = await newNode(fid);
    const limits = { farmingPolicyId: 3, cu: null, su: null, end: null, nodeCount: 2, nodeCertification: false };
    expect(await sendErr(api, api.tx.tfgridModule.attachPolicyToFarm(fid, limits), farmer)).toBe('BadOrigin');
    const r = await councilApprove(api, api.tx.tfgridModule.attachPolicyToFarm(fid, limits));
    expect(eventData(r.events, 'tfgridModule.FarmingPolicySet')).toEqual([fid, limits]);
    // The existing node (on a default policy) is re-assigned, consuming one node of the limit.
    expect((await nodeOf(existing)).farmingPolicyId).toBe(3);
    const farm = json(await api.query.tfgridModule.farms(fid));
    expect(farm).toMatchObject({ certification: 'Gold', farmingPolicyLimits: { farmingPolicyId: 3, nodeCount: 1 } });

    const { id: second } = await newNode(fid);
    expect((await nodeOf(second)).farmingPolicyId).toBe(3);
    expect(json(await api.query.tfgridModule.farms(fid)).farmingPolicyLimits.nodeCount).toBe(0);
    // Limit reached: the next node gets the best default policy.
    const { id: third } = await newNode(fid);
    expect((await nodeOf(third)).farmingPolicyId).toBe(1);
  });

  test('cu and su limits: a node above the remaining units falls back to a default policy', async () => {
    const fid = await setupFarm(api, farmer, 'cu-limited-farm');
    // 4 cores, 8 GiB, 500 GiB SSD: CU = 2 × (min(cru·2GiB·1000, (mru−1)·GiB·1000/4, sru·1000/50) / GiB / 1000) = 16;
    // SU = (sru·1000/250) / GiB / 1000 = 2.
    const limits = { farmingPolicyId: 3, cu: 20, su: 100, end: null, nodeCount: null, nodeCertification: false };
    await councilApprove(api, api.tx.tfgridModule.attachPolicyToFarm(fid, limits));
    const { id: a } = await newNode(fid);
    expect((await nodeOf(a)).farmingPolicyId).toBe(3);
    expect(json(await api.query.tfgridModule.farms(fid)).farmingPolicyLimits).toMatchObject({ cu: 4, su: 98 });
    const { id: b } = await newNode(fid, { resources: { ...defaultNode.resources, sru: 1000n * GiB } });
    expect((await nodeOf(b)).farmingPolicyId).toBe(1);
  });

  test('a limit requiring certified nodes gives other nodes a default policy', async () => {
    const fid = await setupFarm(api, farmer, 'certified-only-farm');
    const limits = { farmingPolicyId: 3, cu: null, su: null, end: null, nodeCount: null, nodeCertification: true };
    await councilApprove(api, api.tx.tfgridModule.attachPolicyToFarm(fid, limits));
    const { id } = await newNode(fid);
    expect((await nodeOf(id)).farmingPolicyId).toBe(1);
  });

  test('an expired policy cannot be attached', async () => {
    await councilApprove(api, create('short-lived', 1));
    const id = json(await api.query.tfgridModule.farmingPolicyID()) as number;
    const limits = { farmingPolicyId: id, cu: null, su: null, end: null, nodeCount: null, nodeCertification: false };
    const r = await councilApprove(api, api.tx.tfgridModule.attachPolicyToFarm(farmId, limits));
    expect(councilResultError(api, r)).toBe('TfgridModule.FarmingPolicyExpired');
  });
});

describe('chain-wide settings (council)', () => {
  test('set_connection_price applies to nodes registered afterwards', async () => {
    expect(await sendErr(api, api.tx.tfgridModule.setConnectionPrice(120), farmer)).toBe('BadOrigin');
    const r = await councilApprove(api, api.tx.tfgridModule.setConnectionPrice(120));
    expect(eventData(r.events, 'tfgridModule.ConnectionPriceSet')).toEqual([120]);
    expect(json(await api.query.tfgridModule.connectionPrice())).toBe(120);
    const { id } = await newNode();
    expect((await nodeOf(id)).connectionPrice).toBe(120);
  });

  test('set_zos_version refuses the current version', async () => {
    const r = await councilApprove(api, api.tx.tfgridModule.setZosVersion('v3.10.1'));
    expect(eventData(r.events, 'tfgridModule.ZosVersionUpdated')).toEqual([stringToHex('v3.10.1')]);
    expect(json(await api.query.tfgridModule.zosVersion())).toBe(stringToHex('v3.10.1'));
    expect(councilResultError(api, await councilApprove(api, api.tx.tfgridModule.setZosVersion('v3.10.1')))).toBe(
      'TfgridModule.InvalidZosVersion',
    );
  });

  test('set_storage_version', async () => {
    expect(await sendErr(api, api.tx.tfgridModule.setStorageVersion('V16Struct'), farmer)).toBe('BadOrigin');
    await councilApprove(api, api.tx.tfgridModule.setStorageVersion('V16Struct'));
    expect((await api.query.tfgridModule.palletVersion()).toString()).toBe('V16Struct');
  });
});
