/**
 * The real grace period of TFChain: 14 days (201,600 blocks of 6 s), as the dev chain spec
 * ships it, expired with dev_timeTravel. The blocks in between are really produced (the rule
 * counts blocks), so the API client is disconnected meanwhile to spare it 201,600 new heads.
 *
 * dev_timeTravel produces them at roughly 5,000 blocks per second on an ephemeral chain, so the
 * whole expiry takes well under a minute. The same rule with a 50-block grace period runs in
 * billing.test.ts.
 */
import { ApiPromise, WsProvider } from '@polkadot/api';
import { pairOf, sendOk, setupTwin } from './support/grid';
import {
  best,
  contractOf,
  hashOf,
  json,
  lastContractId,
  nextBill,
  setupGrid,
  timestampAt,
  useChain,
  type TestChain,
} from './support/contracts';

jest.setTimeout(900_000);

let c: TestChain;
useChain((chain) => {
  c = chain; // gracePeriodBlocks 201600, billingFrequency 10
});

test('a node contract in grace is deleted out of funds exactly 14 days later', async () => {
  let api = c.api;
  const g = await setupGrid(api, 'd14', 1);
  const deployer = pairOf('//d14//deployer');
  const twin = await setupTwin(api, deployer);
  await sendOk(api, api.tx.smartContractModule.createNodeContract(g.nodeId, hashOf('14-days'), '', 1, null), deployer);
  const id = await lastContractId(api);
  await sendOk(api, api.tx.balances.transferAll(pairOf('//Alice').address, true), deployer);

  const start = await nextBill(c, id);
  expect(start.events.filter((e) => e.name === 'smartContractModule.ContractGracePeriodStarted').map((e) => e.data)).toEqual([
    [id, g.nodeId, twin, start.n],
  ]);
  const startTime = await timestampAt(api, start.n);

  // 14 days minus one billing cycle, in slices well within an RPC call's 60 s timeout even on a loaded
  // 2-core machine (a slice of 5,040 blocks takes about 1 s alone; 20,160 timed out under load).
  const target = start.n + 201_600 - 10;
  await api.disconnect();
  const raw = new WsProvider(c.node.url);
  await raw.isReady;
  let head = start.n;
  while (head < target)
    head = ((await raw.send('dev_timeTravel', [{ blocks: Math.min(5_040, target - head) }])) as { number: number }).number;
  await raw.disconnect();
  c.provider = new WsProvider(c.node.url);
  api = c.api = await ApiPromise.create({ provider: c.provider, noInitWarn: true, throwOnConnect: true });
  expect(await best(api)).toBe(target);
  // Still in grace, every cycle billed as an overdraft.
  expect((await contractOf(api, id)).state).toEqual({ gracePeriod: start.n });
  expect(BigInt(json(await api.query.smartContractModule.contractPaymentState(id)).standardOverdraft)).toBeGreaterThan(0n);

  // One more cycle: 201,600 blocks and 1,209,600 s after the grace period started, it is over.
  const end = await nextBill(c, id);
  expect(end.n).toBe(start.n + 201_600);
  expect((await timestampAt(api, end.n)) - startTime).toBe(14n * 24n * 3600n);
  expect(end.events.filter((e) => e.name === 'smartContractModule.ContractGracePeriodElapsed').map((e) => e.data)).toEqual([[id, 201_600]]);
  expect(end.events.find((e) => e.name === 'smartContractModule.NodeContractCanceled')!.data).toEqual([id, g.nodeId, twin]);
  expect(await contractOf(api, id)).toBeNull();
  expect(json(await api.query.tfgridModule.farms(g.farmId)).publicIps[0].contractId).toBe(0);
});
