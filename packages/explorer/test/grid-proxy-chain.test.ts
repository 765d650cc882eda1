/**
 * Against a dev chain in-process: the TFChain events the explorer indexes for grid-proxy's fields
 * and records, as the runtime emits them — a dedicated node's extra fee (its price and `extraFee`),
 * a solution provider, a service contract through its life, a twin's bonded account, the grid's
 * Zero-OS version (a council motion) — and, applied to the handlers directly, the billing events
 * the dev runtime emits only with an empty wallet or a node in standby (ContractPaymentOverdrawn,
 * RentWaived).
 */
import { connect, type TfchainClient } from '@tfgrid/client';
import type { Devchain } from '@tfgrid/devchain';
import { startChain } from '@tfgrid/testkit';
import { ExplorerDb, GridView, startExplorer, type ContractRecord, type Explorer, type TwinRecord } from '../src';
import { key } from '../src/db';
import { applyEvent, WriteSet } from '../src/indexer';
import type { ServiceContractRecord, SolutionProviderRecord } from '../src/model';
import { get, nodeInput, synced, tempDir, twinClient } from './support';

type Any = Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any

let chain: Devchain;
let alice: TfchainClient;
let farmer: TfchainClient;
let node1: TfchainClient;
let charlie: TfchainClient;
let explorer: Explorer;
const tmp = tempDir();
let n1: number;

async function council(call: ReturnType<TfchainClient['api']['tx']['tfgridModule']['setZosVersion']>): Promise<void> {
  const len = call.method.encodedLength;
  const proposed = await alice.submit(alice.api.tx.council.propose(2, call, len));
  const ev = proposed.events.find((e) => e.method === 'Proposed')!.data as unknown[];
  const [index, hash] = [Number(ev[1]), String(ev[2])];
  await alice.submit(alice.api.tx.council.vote(hash, index, true));
  await farmer.submit(alice.api.tx.council.vote(hash, index, true));
  const closed = await farmer.submit(alice.api.tx.council.close(hash, index, { refTime: 1_000_000_000, proofSize: 100_000 }, len), {
    wait: 'finalized',
  });
  expect(closed.events.map((e) => e.method)).toContain('Executed');
}

beforeAll(async () => {
  chain = await startChain();
  alice = await twinClient(chain, '//Alice');
  farmer = await twinClient(chain, '//Bob');
  node1 = await twinClient(chain, '0x' + '61'.repeat(32), alice, 'ed25519');
  charlie = await connect({ url: chain.url, secret: '//Charlie' });
  const farmId = await farmer.farms.create({ name: 'fees' });
  n1 = await node1.nodes.create(nodeInput(farmId), { wait: 'finalized' });
  explorer = await startExplorer({ chain: chain.url, db: tmp.dir, port: 0, pollMs: 200 });
  await synced(explorer, alice);
});

afterAll(async () => {
  await explorer?.stop();
  for (const c of [alice, farmer, node1, charlie]) await c?.disconnect();
  await chain?.stop();
  tmp.remove();
});

test("a dedicated node's extra fee: extraFee and a price that includes it", async () => {
  const before = (await get<Any>(explorer, `/nodes/${n1}`)).body;
  expect(before.extraFee).toBe(0);
  await farmer.submit(farmer.api.tx.smartContractModule.setDedicatedNodeExtraFee(n1, 250_000), { wait: 'finalized' });
  await synced(explorer, alice);
  const after = (await get<Any>(explorer, `/nodes/${n1}`)).body;
  expect(after.extraFee).toBe(250_000);
  // grid-proxy: the fee adds to the hourly cost before the 720 hours and the 10^7 units.
  expect(after.price_usd).toBeCloseTo(before.price_usd + (250_000 * 720) / 1e7, 2);
  expect((await get<Any[]>(explorer, '/nodes?sort_by=extra_fee&sort_order=desc')).body[0].nodeId).toBe(n1);
  // Not available to anyone while free: it is for renting.
  expect((await get<Any[]>(explorer, '/nodes?available_for=1')).body.map((n) => n.nodeId)).not.toContain(n1);
});

test('solution provider, service contract, bonded account and Zero-OS version are indexed', async () => {
  await alice.submit(
    alice.api.tx.smartContractModule.createSolutionProvider('a provider', 'https://provider.example', [{ who: alice.address, take: 10 }]),
  );
  await alice.submit(alice.api.tx.smartContractModule.serviceContractCreate(alice.address, farmer.address));
  const sc = 1;
  await alice.submit(alice.api.tx.smartContractModule.serviceContractSetMetadata(sc, 'monitoring'));
  await alice.submit(alice.api.tx.smartContractModule.serviceContractSetFees(sc, 100, 20));
  await alice.submit(alice.api.tx.smartContractModule.serviceContractApprove(sc));
  await farmer.submit(farmer.api.tx.smartContractModule.serviceContractApprove(sc));
  await charlie.submit(charlie.api.tx.tfgridModule.bondTwinAccount(1));
  await council(alice.api.tx.tfgridModule.setZosVersion('v3.14.0'));
  await synced(explorer, alice);

  const providers = await explorer.db.values<SolutionProviderRecord>('provider');
  expect(providers).toEqual([
    {
      solutionProviderId: 1,
      providers: [{ who: alice.address, take: 10 }],
      description: 'a provider',
      link: 'https://provider.example',
      approved: false,
    },
  ]);
  const service = await explorer.db.get<ServiceContractRecord>('service', key(sc));
  expect(service).toMatchObject({
    serviceContractId: sc,
    metadata: 'monitoring',
    baseFee: 100,
    variableFee: 20,
    acceptedByService: true,
    acceptedByConsumer: true,
    state: 'ApprovedByBoth',
    canceled: null,
  });
  expect(service!.serviceTwinId).toBeGreaterThan(0);
  expect(await explorer.db.get<TwinRecord>('twin', key(1))).toMatchObject({ twinId: 1, boundedAccount: charlie.address });
  expect(await explorer.db.get('meta', 'zosVersion')).toBe('v3.14.0');

  await alice.submit(alice.api.tx.smartContractModule.serviceContractCancel(sc), { wait: 'finalized' });
  await synced(explorer, alice);
  expect((await explorer.db.get<ServiceContractRecord>('service', key(sc)))!.canceled).not.toBeNull();
});

test('ContractPaymentOverdrawn is a partial bill (billed, and what stays owed); RentWaived is recorded', async () => {
  const dir = tempDir();
  const db = new ExplorerDb(dir.dir);
  await db.open();
  try {
    const v = new GridView();
    const apply = async (n: number, events: { name: string; data: unknown[] }[]) => {
      const w = new WriteSet(db, v);
      for (const [i, e] of events.entries())
        expect(await applyEvent(w, { ...e, eventIndex: i }, { number: n, timestamp: 1_800_000_000 + n * 6 })).toBe(true);
      const cursor = { height: n, hash: `0x${n}`, timestamp: 1_800_000_000 + n * 6 };
      await db.write(w.ops, cursor);
      v.commit(w.ops, cursor);
    };
    await apply(1, [
      {
        name: 'SmartContractModule.ContractCreated',
        data: [
          { contractId: 7, twinId: 1, state: { created: null }, contractType: { rentContract: { nodeId: 1 } }, solutionProviderId: null },
        ],
      },
      {
        name: 'SmartContractModule.ContractBilled',
        data: [{ contractId: 7, timestamp: 1_800_000_000, discountLevel: 'None', amountBilled: 3_000_000 }],
      },
    ]);
    // Field order as the runtime declares them: contract_id, timestamp, partially_billed_amount, overdraft.
    await apply(2, [{ name: 'SmartContractModule.ContractPaymentOverdrawn', data: [7, 1_800_003_600, 1_000_000, 2_500_000] }]);
    await apply(3, [{ name: 'SmartContractModule.RentWaived', data: [7] }]);
    const c = v.contracts.get(7) as ContractRecord;
    expect(c).toMatchObject({ billed: 4_000_000, overdraft: 2_500_000, rentWaivedAt: 1_800_000_018 });
    const bills = await db.values<Any>('bill', key(7) + '/');
    expect(bills.map((b) => [b.amountBilled, b.overdraft])).toEqual([
      [3_000_000, undefined],
      [1_000_000, 2_500_000],
    ]);
  } finally {
    await db.close();
    dir.remove();
  }
});
