/**
 * The chain vocabulary's decoders on chain JSON as @polkadot/api's toJSON gives it (no chain):
 * Bytes as hex, integers above 52 bits as hex, Option None as null, enums with and without data,
 * and the two argument forms contract events come in.
 */
import {
  decodeContract,
  decodeEvent,
  decodeFarmingPolicyLimit,
  decodeNode,
  decodeNodePower,
  decodePricingPolicy,
  decodeTwin,
  type TfchainEvent,
} from '../src';

const hex = (s: string): string => '0x' + Buffer.from(s, 'utf8').toString('hex');

const nodeJson = {
  version: 2,
  id: 7,
  farmId: 1,
  twinId: 9,
  resources: { hru: 0, sru: '0x00000000000000000020000000000000', cru: 4, mru: 8 * 1024 ** 3 },
  location: { city: hex('Zürich'), country: hex('Switzerland'), latitude: hex('47.37'), longitude: hex('8.54') },
  publicConfig: { ip4: { ip: hex('185.206.122.33/24'), gw: hex('185.206.122.1') }, ip6: null, domain: null },
  created: 1_700_000_000,
  farmingPolicyId: 1,
  interfaces: [{ name: hex('zos'), mac: hex('00:11:22:33:44:55'), ips: [hex('10.2.0.5')] }],
  certification: 'Diy',
  secureBoot: false,
  virtualized: true,
  serialNumber: null,
  connectionPrice: 80,
};

test('a node: text from hex (UTF-8), integers above 52 bits, None as null', () => {
  expect(decodeNode(nodeJson)).toEqual({
    version: 2,
    id: 7,
    farmId: 1,
    twinId: 9,
    resources: { cru: 4, sru: 2 ** 53, hru: 0, mru: 8 * 1024 ** 3 },
    location: { city: 'Zürich', country: 'Switzerland', latitude: '47.37', longitude: '8.54' },
    publicConfig: { ip4: { ip: '185.206.122.33/24', gw: '185.206.122.1' }, ip6: null, domain: null },
    created: 1_700_000_000,
    farmingPolicyId: 1,
    interfaces: [{ name: 'zos', mac: '00:11:22:33:44:55', ips: ['10.2.0.5'] }],
    certification: 'Diy',
    secureBoot: false,
    virtualized: true,
    serialNumber: null,
    connectionPrice: 80,
  });
});

test('contracts of each kind, with the state enum and its data', () => {
  const node = decodeContract({
    contractId: 3,
    twinId: 2,
    state: { gracePeriod: 120 },
    solutionProviderId: null,
    contractType: {
      nodeContract: {
        nodeId: 7,
        deploymentHash: hex('a'.repeat(32)),
        deploymentData: hex('vm'),
        publicIps: 1,
        publicIpsList: [{ ip: hex('185.206.122.33/24'), gateway: hex('185.206.122.1'), contractId: 3 }],
      },
    },
  });
  expect(node).toEqual({
    id: 3,
    twinId: 2,
    state: 'GracePeriod',
    gracePeriodSince: 120,
    solutionProviderId: null,
    type: {
      kind: 'node',
      nodeId: 7,
      deploymentHash: 'a'.repeat(32),
      deploymentData: 'vm',
      publicIps: 1,
      publicIpsList: [{ ip: '185.206.122.33/24', gateway: '185.206.122.1', contractId: 3 }],
    },
  });
  expect(
    decodeContract({
      contractId: 4,
      twinId: 2,
      state: { deleted: 'CanceledByUser' },
      solutionProviderId: 1,
      contractType: { nameContract: { name: hex('web') } },
    }),
  ).toEqual({
    id: 4,
    twinId: 2,
    state: 'Deleted',
    deletedCause: 'CanceledByUser',
    solutionProviderId: 1,
    type: { kind: 'name', name: 'web' },
  });
  expect(
    decodeContract({ contractId: 5, twinId: 2, state: { created: null }, contractType: { rentContract: { nodeId: 7 } } }).type,
  ).toEqual({ kind: 'rent', nodeId: 7 });
});

test('twins, power, policies and policy limits', () => {
  expect(decodeTwin({ id: 1, accountId: '5Grw', relay: hex('relay.grid.tf'), entities: [], pk: '0x' + 'ab'.repeat(32) })).toEqual({
    id: 1,
    accountId: '5Grw',
    relay: 'relay.grid.tf',
    pk: '0x' + 'ab'.repeat(32),
  });
  expect(decodeTwin({ id: 2, accountId: '5Fa', relay: null, pk: null })).toEqual({ id: 2, accountId: '5Fa', relay: null, pk: null });
  expect(decodeNodePower({ state: { down: 16 }, target: 'Down' })).toEqual({ state: 'Down', downSince: 16, target: 'Down' });
  expect(decodeNodePower({ state: { up: null }, target: 'Up' })).toEqual({ state: 'Up', target: 'Up' });
  const price = { value: 10, unit: 'Gigabytes' };
  expect(
    decodePricingPolicy({
      version: 1,
      id: 1,
      name: hex('default'),
      su: price,
      cu: price,
      nu: price,
      ipu: price,
      uniqueName: price,
      domainName: price,
      foundationAccount: '5F',
      certifiedSalesAccount: '5C',
      discountForDedicationNodes: 50,
    }),
  ).toMatchObject({
    name: 'default',
    su: { value: 10, unit: 'Gigabytes' },
    discountForDedicationNodes: 50,
  });
  expect(decodeFarmingPolicyLimit({ farmingPolicyId: 2, cu: 10, su: null, end: null, nodeCount: 5, nodeCertification: true })).toEqual({
    farmingPolicyId: 2,
    cu: 10,
    su: null,
    end: null,
    nodeCount: 5,
    nodeCertification: true,
  });
  expect(decodeFarmingPolicyLimit(null)).toBeNull();
});

test('events: typed fields, balances as bigints, both forms of a contract id, unknown events undefined', () => {
  const ev = (name: string, data: unknown[]): TfchainEvent | undefined => decodeEvent({ name, data });
  expect(ev('TfgridModule.NodeUptimeReported', [7, 1_700_000_000, 3600])).toEqual({
    name: 'TfgridModule.NodeUptimeReported',
    nodeId: 7,
    timestamp: 1_700_000_000,
    uptime: 3600,
  });
  expect(ev('TfgridModule.PowerStateChanged', [1, 7, { down: 42 }])).toEqual({
    name: 'TfgridModule.PowerStateChanged',
    farmId: 1,
    nodeId: 7,
    state: 'Down',
    downSince: 42,
  });
  expect(
    ev('SmartContractModule.ContractBilled', [
      { contractId: 3, timestamp: 5, discountLevel: 'Gold', amountBilled: '0x000000000000000000f0000000000000' },
    ]),
  ).toEqual({
    name: 'SmartContractModule.ContractBilled',
    contractId: 3,
    timestamp: 5,
    discountLevel: 'Gold',
    amountBilled: 0xf0000000000000n,
  });
  expect(ev('SmartContractModule.NodeContractCanceled', [3, 7, 2])).toEqual({
    name: 'SmartContractModule.NodeContractCanceled',
    contractId: 3,
    nodeId: 7,
    twinId: 2,
  });
  expect(ev('SmartContractModule.RentContractCanceled', [{ contractId: 9 }])).toEqual({
    name: 'SmartContractModule.RentContractCanceled',
    contractId: 9,
  });
  const ips = [{ ip: hex('185.206.122.33/24'), gateway: hex('185.206.122.1'), contractId: 0 }];
  const freed = {
    name: 'SmartContractModule.IPsFreed',
    contractId: 3,
    publicIps: [{ ip: '185.206.122.33/24', gateway: '185.206.122.1', contractId: 0 }],
  };
  expect(ev('SmartContractModule.IPsFreed', [3, ips])).toEqual(freed);
  expect(ev('SmartContractModule.IPsFreed', [{ contractId: 3, publicIps: ips }])).toEqual(freed);
  expect(ev('TfgridModule.NodeStored', [nodeJson])).toMatchObject({
    name: 'TfgridModule.NodeStored',
    node: { id: 7, location: { city: 'Zürich' } },
  });
  expect(ev('Balances.Transfer', ['5F', '5G', 1])).toBeUndefined();
});
