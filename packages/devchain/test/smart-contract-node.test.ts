/**
 * SmartContractModule node contracts through @polkadot/api: creation with public IPs and its
 * rules, updates, node reports (resources, NRU), cancellation by the owner and the council.
 */
import type { ApiPromise } from '@polkadot/api';
import type { KeyringPair } from '@polkadot/keyring/types';
import { stringToHex, u8aToHex } from '@polkadot/util';
import { councilApprove, councilResultError, eventData, fund, pairOf, send, sendErr, sendOk, setupFarm, setupTwin } from './support/grid';
import {
  addNode,
  billedIn,
  contractOf,
  hashOf,
  json,
  lastContractId,
  setupAccounts,
  setupGrid,
  useChain,
  type Grid,
} from './support/contracts';

jest.setTimeout(120_000);

let api: ApiPromise;
let g: Grid;
let user: KeyringPair;
let userTwin: number;

const tx = () => api.tx.smartContractModule;
const farmIps = async (farmId: number): Promise<{ ip: string; contractId: number }[]> =>
  json(await api.query.tfgridModule.farms(farmId)).publicIps.map((x: any) => ({
    ip: Buffer.from(x.ip.slice(2), 'hex').toString(),
    contractId: x.contractId,
  }));

useChain(async (chain) => {
  ({ api } = chain);
  g = await setupGrid(api, 'scn', 3);
  [{ pair: user, twinId: userTwin }] = await setupAccounts(api, 'scn', 'user');
});

test('create_node_contract stores the contract, reserves public IPs and emits ContractCreated', async () => {
  const hash = hashOf('deployment-1');
  const r = await sendOk(api, tx().createNodeContract(g.nodeId, hash, 'sealed-data', 1, null), user);
  const id = await lastContractId(api);
  const [created] = eventData(r.events, 'smartContractModule.ContractCreated') as any[];
  expect(created).toEqual({
    version: 4,
    state: { created: null },
    contractId: id,
    twinId: userTwin,
    contractType: {
      nodeContract: {
        nodeId: g.nodeId,
        deploymentHash: stringToHex(hash),
        deploymentData: stringToHex('sealed-data'),
        publicIps: 1,
        publicIpsList: [{ ip: stringToHex('185.206.122.10/24'), gateway: stringToHex('185.206.122.1'), contractId: id }],
      },
    },
    solutionProviderId: null,
  });
  expect(await contractOf(api, id)).toEqual(created);
  expect(json(await api.query.smartContractModule.activeNodeContracts(g.nodeId))).toEqual([id]);
  expect(json(await api.query.smartContractModule.contractIDByNodeIDAndHash(g.nodeId, hash))).toBe(id);
  const freq = json(await api.query.smartContractModule.billingFrequency());
  expect(freq).toBe(10);
  expect(json(await api.query.smartContractModule.contractsToBillAt(id % freq))).toContain(id);
  const ps = json(await api.query.smartContractModule.contractPaymentState(id));
  expect(ps).toMatchObject({ standardReserve: 0, additionalReserve: 0, standardOverdraft: 0, additionalOverdraft: 0, cycles: 0 });
  expect(Math.abs(ps.lastUpdatedSeconds - Date.now() / 1000)).toBeLessThan(30);
  const info = json(await api.query.smartContractModule.contractBillingInformationByID(id));
  expect(info).toEqual({ previousNuReported: 0, lastUpdated: ps.lastUpdatedSeconds, amountUnbilled: 0 });
  expect((await farmIps(g.farmId)).map((x) => x.contractId)).toEqual([id, 0, 0]);
});

test('create_node_contract refusals, each with its module error', async () => {
  const nobody = pairOf('//scn//nobody');
  await fund(api, nobody.address);
  expect(await sendErr(api, tx().createNodeContract(g.nodeId, hashOf('x'), '', 0, null), nobody)).toBe('SmartContractModule.TwinNotExists');
  expect(await sendErr(api, tx().createNodeContract(999, hashOf('x'), '', 0, null), user)).toBe('SmartContractModule.NodeNotExists');
  expect(await sendErr(api, tx().createNodeContract(g.nodeId, hashOf('deployment-1'), '', 0, null), user)).toBe(
    'SmartContractModule.ContractIsNotUnique',
  );
  expect(await sendErr(api, tx().createNodeContract(g.nodeId, hashOf('x'), '', 4, null), user)).toBe(
    'SmartContractModule.FarmHasNotEnoughPublicIPs',
  );
  expect(await sendErr(api, tx().createNodeContract(g.nodeId, hashOf('x'), '', 3, null), user)).toBe(
    'SmartContractModule.FarmHasNotEnoughPublicIPsFree',
  );
  expect(await sendErr(api, tx().createNodeContract(g.nodeId, hashOf('x'), '', 0, 99), user)).toBe(
    'SmartContractModule.NoSuchSolutionProvider',
  );
  // Deployment data is bounded to 512 bytes (a longer one does not even decode on the real chain).
  expect(await sendErr(api, tx().createNodeContract(g.nodeId, hashOf('x'), 'd'.repeat(513), 0, null), user)).toBe('Other');
  await sendOk(api, tx().createNodeContract(g.nodeId, hashOf('max-data'), 'd'.repeat(512), 0, null), user);
  // Nothing was left behind by the refusals: the IPs are as before.
  expect((await farmIps(g.farmId)).filter((x) => x.contractId !== 0).length).toBe(1);
});

test('a node in standby (power state or target down) takes no new contract', async () => {
  const n2 = await addNode(api, g.farmId, '//scn//node2');
  await sendOk(api, api.tx.tfgridModule.changePowerState('Down'), n2.pair);
  expect(await sendErr(api, tx().createNodeContract(n2.id, hashOf('s1'), '', 0, null), user)).toBe(
    'SmartContractModule.NodeNotAvailableToDeploy',
  );
  await sendOk(api, api.tx.tfgridModule.changePowerState('Up'), n2.pair);
  await sendOk(api, api.tx.tfgridModule.changePowerTarget(n2.id, 'Down'), g.farmer);
  expect(await sendErr(api, tx().createNodeContract(n2.id, hashOf('s1'), '', 0, null), user)).toBe(
    'SmartContractModule.NodeNotAvailableToDeploy',
  );
  await sendOk(api, api.tx.tfgridModule.changePowerTarget(n2.id, 'Up'), g.farmer);
  await sendOk(api, tx().createNodeContract(n2.id, hashOf('s1'), '', 0, null), user);
});

test('a node of a dedicated farm takes node contracts only under a rent contract', async () => {
  const farmer = pairOf('//scn//dedicated-farmer');
  await fund(api, farmer.address);
  const farmId = await setupFarm(api, farmer, 'scn-dedicated');
  expect(councilResultError(api, await councilApprove(api, api.tx.tfgridModule.setFarmDedicated(farmId, true)))).toBeUndefined();
  const n = await addNode(api, farmId, '//scn//dedicated-node');
  expect(await sendErr(api, tx().createNodeContract(n.id, hashOf('d'), '', 0, null), user)).toBe(
    'SmartContractModule.NodeNotAvailableToDeploy',
  );
  await sendOk(api, tx().createRentContract(n.id, null), user);
  await sendOk(api, tx().createNodeContract(n.id, hashOf('d'), '', 0, null), user);
});

test('update_node_contract: by the owner, moves the hash index; refusals', async () => {
  const hash = hashOf('to-update');
  await sendOk(api, tx().createNodeContract(g.nodeId, hash, 'v1', 0, null), user);
  const id = await lastContractId(api);
  const other = pairOf('//scn//other');
  await fund(api, other.address);
  await setupTwin(api, other);
  expect(await sendErr(api, tx().updateNodeContract(id, hashOf('v2'), 'v2'), other)).toBe(
    'SmartContractModule.TwinNotAuthorizedToUpdateContract',
  );
  expect(await sendErr(api, tx().updateNodeContract(9999, hashOf('v2'), 'v2'), user)).toBe('SmartContractModule.ContractNotExists');
  const r = await sendOk(api, tx().updateNodeContract(id, hashOf('v2'), 'v2'), user);
  const [updated] = eventData(r.events, 'smartContractModule.ContractUpdated') as any[];
  expect(updated.contractType.nodeContract).toMatchObject({ deploymentHash: stringToHex(hashOf('v2')), deploymentData: stringToHex('v2') });
  expect(json(await api.query.smartContractModule.contractIDByNodeIDAndHash(g.nodeId, hashOf('v2')))).toBe(id);
  expect(json(await api.query.smartContractModule.contractIDByNodeIDAndHash(g.nodeId, hash))).toBe(0);
  // The old hash is free again.
  await sendOk(api, tx().createNodeContract(g.nodeId, hash, 'v1', 0, null), user);
  await sendOk(api, tx().createNameContract('scn-update'), user);
  const nameId = await lastContractId(api);
  expect(await sendErr(api, tx().updateNodeContract(nameId, hashOf('v3'), ''), user)).toBe('SmartContractModule.InvalidContractType');
});

test('report_contract_resources: by the hosting node, free; unknown ids skipped; refusals', async () => {
  await sendOk(api, tx().createNodeContract(g.nodeId, hashOf('reported'), '', 0, null), user);
  const id = await lastContractId(api);
  const used = { hru: 0, sru: 10n * 1024n ** 3n, cru: 2, mru: 4n * 1024n ** 3n };
  const r = await sendOk(
    api,
    tx().reportContractResources([
      { contractId: id, used },
      { contractId: 77777, used },
    ]),
    g.nodePair,
  );
  const reported = r.events.filter((e) => e.event.method === 'UpdatedUsedResources').map((e) => json(e.event.data)[0]);
  expect(reported).toEqual([{ contractId: id, used: { hru: 0, sru: 10 * 1024 ** 3, cru: 2, mru: 4 * 1024 ** 3 } }]);
  expect(eventData(r.events, 'transactionPayment.TransactionFeePaid')![1]).toBe(0);
  expect(json(await api.query.smartContractModule.nodeContractResources(id))).toEqual(reported[0]);

  const n3 = await addNode(api, g.farmId, '//scn//node3');
  expect(await sendErr(api, tx().reportContractResources([{ contractId: id, used }]), n3.pair)).toBe(
    'SmartContractModule.NodeNotAuthorizedToComputeReport',
  );
  expect(await sendErr(api, tx().reportContractResources([{ contractId: id, used }]), user)).toBe('SmartContractModule.NodeNotExists');
  const noTwin = pairOf('//scn//no-twin');
  await fund(api, noTwin.address);
  expect(await sendErr(api, tx().reportContractResources([{ contractId: id, used }]), noTwin)).toBe('SmartContractModule.TwinNotExists');
  await sendOk(api, tx().createNameContract('scn-report'), user);
  const nameId = await lastContractId(api);
  expect(await sendErr(api, tx().reportContractResources([{ contractId: nameId, used }]), g.nodePair)).toBe(
    'SmartContractModule.InvalidContractType',
  );
  // A refused report pays its fee.
  const refused = await send(api, tx().reportContractResources([{ contractId: id, used }]), n3.pair);
  expect(eventData(refused.events, 'transactionPayment.TransactionFeePaid')![1]).toBeGreaterThan(0);
});

test('add_nru_reports: nru/1e9 × nu price/3600 × window added to amount_unbilled; older reports ignored', async () => {
  await sendOk(api, tx().createNodeContract(g.nodeId, hashOf('nru'), '', 0, null), user);
  const id = await lastContractId(api);
  const last = json(await api.query.smartContractModule.contractBillingInformationByID(id)).lastUpdated;
  // 2 GB over an hour at nu 15000/h = 30000 units USD; 0.5 GB over 600 s = 0.5 × 15000/3600 × 600 = 1250.
  const r = await sendOk(api, tx().addNruReports([{ contractId: id, timestamp: last + 10, window: 3600, nru: 2_000_000_000 }]), g.nodePair);
  expect(eventData(r.events, 'smartContractModule.NruConsumptionReportReceived')).toEqual([
    { contractId: id, timestamp: last + 10, window: 3600, nru: 2_000_000_000 },
  ]);
  expect(eventData(r.events, 'transactionPayment.TransactionFeePaid')![1]).toBe(0);
  let info = json(await api.query.smartContractModule.contractBillingInformationByID(id));
  expect(info).toMatchObject({ lastUpdated: last + 10, amountUnbilled: 30_000 });
  // (If the block that carries a report bills the contract first, the unbilled amount restarts from 0.)
  const second = await sendOk(
    api,
    tx().addNruReports([
      { contractId: id, timestamp: last + 20, window: 600, nru: 500_000_000 },
      { contractId: 88888, timestamp: 0, window: 1, nru: 1 },
    ]),
    g.nodePair,
  );
  let expected = ((await billedIn(api, second.blockHash, id)) ? 0 : 30_000) + 1_250;
  info = json(await api.query.smartContractModule.contractBillingInformationByID(id));
  expect(info).toMatchObject({ lastUpdated: last + 20, amountUnbilled: expected });
  // Older than the last one counted: ignored (still acknowledged by the event).
  const old = await sendOk(api, tx().addNruReports([{ contractId: id, timestamp: last + 15, window: 600, nru: 500_000_000 }]), g.nodePair);
  expect(eventData(old.events, 'smartContractModule.NruConsumptionReportReceived')).toBeDefined();
  if (await billedIn(api, old.blockHash, id)) expected = 0;
  expect(json(await api.query.smartContractModule.contractBillingInformationByID(id)).amountUnbilled).toBe(expected);
  const n4 = await addNode(api, g.farmId, '//scn//node4');
  expect(await sendErr(api, tx().addNruReports([{ contractId: id, timestamp: last + 30, window: 1, nru: 1 }]), n4.pair)).toBe(
    'SmartContractModule.NodeNotAuthorizedToComputeReport',
  );
  expect(await sendErr(api, tx().addNruReports([]), user)).toBe('SmartContractModule.NodeNotExists');
});

test('cancel_contract: by the owner; bills, frees the IPs, removes every index; refusals', async () => {
  const hash = hashOf('to-cancel');
  await sendOk(api, tx().createNodeContract(g.nodeId, hash, '', 2, null), user);
  const id = await lastContractId(api);
  expect((await farmIps(g.farmId)).map((x) => x.contractId)).toEqual([1, id, id]);
  const other = pairOf('//scn//other');
  expect(await sendErr(api, tx().cancelContract(id), other)).toBe('SmartContractModule.TwinNotAuthorizedToCancelContract');
  expect(await sendErr(api, tx().cancelContract(99999), user)).toBe('SmartContractModule.ContractNotExists');
  const r = await sendOk(api, tx().cancelContract(id), user);
  const [freed] = eventData(r.events, 'smartContractModule.IPsFreed') as any[];
  expect(freed).toBe(id);
  const [, ips] = eventData(r.events, 'smartContractModule.IPsFreed') as any[];
  expect(ips).toEqual([
    { ip: stringToHex('185.206.122.11/24'), gateway: stringToHex('185.206.122.1'), contractId: 0 },
    { ip: stringToHex('185.206.122.12/24'), gateway: stringToHex('185.206.122.1'), contractId: 0 },
  ]);
  expect(eventData(r.events, 'smartContractModule.NodeContractCanceled')).toEqual([id, g.nodeId, userTwin]);
  // What was due for the seconds it lived is billed (its IPs), then paid out on deletion.
  expect(eventData(r.events, 'smartContractModule.ContractBilled')).toBeDefined();
  expect(await contractOf(api, id)).toBeNull();
  expect(json(await api.query.smartContractModule.contractPaymentState(id))).toBeNull();
  expect(json(await api.query.smartContractModule.activeNodeContracts(g.nodeId))).not.toContain(id);
  expect(json(await api.query.smartContractModule.contractIDByNodeIDAndHash(g.nodeId, hash))).toBe(0);
  expect(json(await api.query.smartContractModule.contractsToBillAt(id % 10))).not.toContain(id);
  expect((await farmIps(g.farmId)).map((x) => x.contractId)).toEqual([1, 0, 0]);
  // The same deployment can be contracted again.
  await sendOk(api, tx().createNodeContract(g.nodeId, hash, '', 0, null), user);
});

test('cancel_contract_collective: only through the council', async () => {
  await sendOk(api, tx().createNodeContract(g.nodeId, hashOf('collective'), '', 1, null), user);
  const id = await lastContractId(api);
  expect(await sendErr(api, tx().cancelContractCollective(id), pairOf('//Alice'))).toBe('BadOrigin');
  const r = await councilApprove(api, tx().cancelContractCollective(id));
  expect(councilResultError(api, r)).toBeUndefined();
  expect(eventData(r.events, 'smartContractModule.NodeContractCanceled')).toEqual([id, g.nodeId, userTwin]);
  expect(await contractOf(api, id)).toBeNull();
  expect(councilResultError(api, await councilApprove(api, tx().cancelContractCollective(id)))).toBe(
    'SmartContractModule.ContractNotExists',
  );
});

test('the deployment hash is the 32 ASCII bytes of an MD5 hex digest', async () => {
  const hash = hashOf('ascii');
  await sendOk(api, tx().createNodeContract(g.nodeId, hash, '', 0, null), user);
  const contract = await contractOf(api, await lastContractId(api));
  expect(contract.contractType.nodeContract.deploymentHash).toBe(u8aToHex(new TextEncoder().encode(hash)));
});

test('deleting a node cancels its contracts (the runtime wires TfgridModule to SmartContractModule)', async () => {
  const other = await setupGrid(api, 'scdel', 1);
  await sendOk(api, tx().createNodeContract(other.nodeId, hashOf('on-deleted-node'), '', 1, null), user);
  const id = await lastContractId(api);
  const r = await sendOk(api, api.tx.tfgridModule.deleteNodeFarm(other.nodeId), other.farmer);
  expect(eventData(r.events, 'smartContractModule.NodeContractCanceled')).toEqual([id, other.nodeId, userTwin]);
  expect(eventData(r.events, 'tfgridModule.NodeDeleted')).toEqual([other.nodeId]);
  expect(await contractOf(api, id)).toBeNull();
  expect(json(await api.query.smartContractModule.activeNodeContracts(other.nodeId))).toEqual([]);
  expect((await farmIps(other.farmId)).map((x) => x.contractId)).toEqual([0]);
});
