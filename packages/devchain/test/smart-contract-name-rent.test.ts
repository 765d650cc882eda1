/**
 * SmartContractModule name and rent contracts, and dedicated nodes (extra fee), through
 * @polkadot/api: creation rules, the renter's exclusivity, cancellation.
 */
import type { ApiPromise } from '@polkadot/api';
import type { KeyringPair } from '@polkadot/keyring/types';
import { stringToHex } from '@polkadot/util';
import { eventData, fund, pairOf, sendErr, sendOk } from './support/grid';
import { addNode, contractOf, hashOf, json, lastContractId, setupAccounts, setupGrid, useChain, type Grid } from './support/contracts';

jest.setTimeout(120_000);

let api: ApiPromise;
let g: Grid;
let user: KeyringPair;
let userTwin: number;
let other: KeyringPair;

const tx = () => api.tx.smartContractModule;

useChain(async (chain) => {
  ({ api } = chain);
  g = await setupGrid(api, 'scr');
  [{ pair: user, twinId: userTwin }, { pair: other }] = await setupAccounts(api, 'scr', 'user', 'other');
});

describe('name contracts', () => {
  test('create_name_contract registers a unique name; cancel releases it', async () => {
    const r = await sendOk(api, tx().createNameContract('my-name_1'), user);
    const id = await lastContractId(api);
    const [created] = eventData(r.events, 'smartContractModule.ContractCreated') as any[];
    expect(created).toEqual({
      version: 4,
      state: { created: null },
      contractId: id,
      twinId: userTwin,
      contractType: { nameContract: { name: stringToHex('my-name_1') } },
      solutionProviderId: null,
    });
    expect(json(await api.query.smartContractModule.contractIDByNameRegistration('my-name_1'))).toBe(id);
    expect(await sendErr(api, tx().createNameContract('my-name_1'), other)).toBe('SmartContractModule.NameExists');
    expect(await sendErr(api, tx().cancelContract(id), other)).toBe('SmartContractModule.TwinNotAuthorizedToCancelContract');
    const cancel = await sendOk(api, tx().cancelContract(id), user);
    expect(eventData(cancel.events, 'smartContractModule.NameContractCanceled')).toEqual([id]);
    expect(await contractOf(api, id)).toBeNull();
    expect(json(await api.query.smartContractModule.contractIDByNameRegistration('my-name_1'))).toBe(0);
    await sendOk(api, tx().createNameContract('my-name_1'), other);
  });

  test('names are 3 to 64 bytes of [a-z0-9_-], and need a twin', async () => {
    expect(await sendErr(api, tx().createNameContract('ab'), user)).toBe('SmartContractModule.NameContractNameTooShort');
    expect(await sendErr(api, tx().createNameContract('a'.repeat(65)), user)).toBe('SmartContractModule.NameContractNameTooLong');
    expect(await sendErr(api, tx().createNameContract('Upper'), user)).toBe('SmartContractModule.NameNotValid');
    expect(await sendErr(api, tx().createNameContract('a.b.c'), user)).toBe('SmartContractModule.NameNotValid');
    const nobody = pairOf('//scr//nobody');
    await fund(api, nobody.address);
    expect(await sendErr(api, tx().createNameContract('fine-name'), nobody)).toBe('SmartContractModule.TwinNotExists');
    await sendOk(api, tx().createNameContract('abc'), user);
    await sendOk(api, tx().createNameContract('z'.repeat(64)), user);
  });
});

describe('rent contracts', () => {
  test('create_rent_contract: one per node, stored in ActiveRentContractForNode', async () => {
    const n = await addNode(api, g.farmId, '//scr//rented');
    const r = await sendOk(api, tx().createRentContract(n.id, null), user);
    const id = await lastContractId(api);
    const [created] = eventData(r.events, 'smartContractModule.ContractCreated') as any[];
    expect(created).toMatchObject({
      contractId: id,
      twinId: userTwin,
      state: { created: null },
      contractType: { rentContract: { nodeId: n.id } },
    });
    expect(json(await api.query.smartContractModule.activeRentContractForNode(n.id))).toBe(id);
    expect(await sendErr(api, tx().createRentContract(n.id, null), other)).toBe('SmartContractModule.NodeHasRentContract');
    expect(await sendErr(api, tx().createRentContract(999, null), user)).toBe('SmartContractModule.NodeNotExists');

    // Only the renter deploys on a rented node.
    expect(await sendErr(api, tx().createNodeContract(n.id, hashOf('r1'), '', 0, null), other)).toBe(
      'SmartContractModule.NodeNotAvailableToDeploy',
    );
    await sendOk(api, tx().createNodeContract(n.id, hashOf('r1'), '', 0, null), user);
    const nc = await lastContractId(api);

    // The rent contract cannot go while node contracts remain on the node.
    expect(await sendErr(api, tx().cancelContract(id), user)).toBe('SmartContractModule.NodeHasActiveContracts');
    await sendOk(api, tx().cancelContract(nc), user);
    const cancel = await sendOk(api, tx().cancelContract(id), user);
    expect(eventData(cancel.events, 'smartContractModule.RentContractCanceled')).toEqual([id]);
    expect(json(await api.query.smartContractModule.activeRentContractForNode(n.id))).toBeNull();
    expect(await contractOf(api, id)).toBeNull();
  });

  test('a node with node contracts cannot be rented (farm not dedicated); a node in standby can', async () => {
    await sendOk(api, tx().createNodeContract(g.nodeId, hashOf('busy'), '', 0, null), other);
    expect(await sendErr(api, tx().createRentContract(g.nodeId, null), user)).toBe('SmartContractModule.NodeNotAvailableToDeploy');
    const sleeping = await addNode(api, g.farmId, '//scr//sleeping');
    await sendOk(api, api.tx.tfgridModule.changePowerState('Down'), sleeping.pair);
    await sendOk(api, tx().createRentContract(sleeping.id, null), user);
    const nobody = pairOf('//scr//nobody');
    const free = await addNode(api, g.farmId, '//scr//free');
    expect(await sendErr(api, tx().createRentContract(free.id, null), nobody)).toBe('SmartContractModule.TwinNotExists');
  });
});

describe('dedicated nodes', () => {
  test('set_dedicated_node_extra_fee: by the farmer, on a node without contracts; makes the node dedicated', async () => {
    const n = await addNode(api, g.farmId, '//scr//dedicated');
    expect(await sendErr(api, tx().setDedicatedNodeExtraFee(n.id, 5000), user)).toBe('SmartContractModule.UnauthorizedToSetExtraFee');
    expect(await sendErr(api, tx().setDedicatedNodeExtraFee(999, 5000), g.farmer)).toBe('SmartContractModule.NodeNotExists');
    expect(await sendErr(api, tx().setDedicatedNodeExtraFee(g.nodeId, 5000), g.farmer)).toBe('SmartContractModule.NodeHasActiveContracts');
    const nobody = pairOf('//scr//nobody');
    expect(await sendErr(api, tx().setDedicatedNodeExtraFee(n.id, 5000), nobody)).toBe('SmartContractModule.TwinNotExists');
    const r = await sendOk(api, tx().setDedicatedNodeExtraFee(n.id, 5000), g.farmer);
    expect(eventData(r.events, 'smartContractModule.NodeExtraFeeSet')).toEqual([n.id, 5000]);
    expect(json(await api.query.smartContractModule.dedicatedNodesExtraFee(n.id))).toBe(5000);
    // Dedicated: node contracts only under a rent contract.
    expect(await sendErr(api, tx().createNodeContract(n.id, hashOf('ded'), '', 0, null), user)).toBe(
      'SmartContractModule.NodeNotAvailableToDeploy',
    );
    await sendOk(api, tx().createRentContract(n.id, null), user);
    await sendOk(api, tx().createNodeContract(n.id, hashOf('ded'), '', 0, null), user);
    // Rented: the fee cannot change any more.
    expect(await sendErr(api, tx().setDedicatedNodeExtraFee(n.id, 1), g.farmer)).toBe('SmartContractModule.NodeHasActiveContracts');
  });
});
