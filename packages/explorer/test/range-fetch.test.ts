/**
 * The indexer's range reads against a dev chain: blocks read as ranges (one state_queryStorage
 * per range) equal the same blocks read one by one — hash, chain time and every decoded event —
 * including ranges that hold a runtime upgrade that moves pallet indices (before and after it
 * inside one range), that start or end at the upgrade's blocks, hold blocks without events of
 * their own, or are one block long.
 */
import type { Devchain } from '@tfgrid/devchain';
import { startChain, until } from '@tfgrid/testkit';
import { rangeEventsWith, TFT, type TfchainClient } from '@tfgrid/client';
import { fetchBlock, fetchRange, rangeReadsRefused, type FetchedBlock } from '../src/indexer';
import { finalizedHeight, nodeInput, twinClient } from './support';

jest.setTimeout(120_000);

let chain: Devchain;
let alice: TfchainClient;
let farmer: TfchainClient;
let upgrade: { specVersion: number; codeBlock: { number: number }; firstBlock: { number: number } };

const BOB_STASH = '5HpG9w8EBLe5XCrbczpwq5TSXvedjrBGCwqxK1iQ7qUsSWFc';

async function devRpc(method: string, params: unknown[]): Promise<typeof upgrade> {
  const r = await fetch(chain.httpUrl, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ jsonrpc: '2.0', id: 1, method, params }),
  });
  const body = (await r.json()) as { result?: typeof upgrade; error?: { message: string } };
  if (body.error) throw new Error(body.error.message);
  return body.result!;
}

beforeAll(async () => {
  chain = await startChain();
  alice = await twinClient(chain, '//Alice');
  farmer = await twinClient(chain, '//Bob');
  await alice.balances.transfer({ to: BOB_STASH, amount: 2n * TFT });
  await farmer.farms.create({ name: 'range_before' });
  const api = alice.api;
  const index = (name: string) => api.runtimeMetadata.asLatest.pallets.find((p) => p.name.toString() === name)!.index.toNumber();
  const [tfgrid, balances, contracts] = [index('TfgridModule'), index('Balances'), index('SmartContractModule')];
  upgrade = await devRpc('dev_setRuntime', [{ pallets: { TfgridModule: balances, Balances: contracts, SmartContractModule: tfgrid } }]);
  for (const c of [alice, farmer])
    await until(
      'the client to take up the new runtime',
      () => c.api.runtimeVersion.specVersion.toNumber() === upgrade.specVersion,
      60_000,
      50,
    );
  await alice.balances.transfer({ to: BOB_STASH, amount: 3n * TFT });
  const farm = await farmer.farms.create({ name: 'range_after' });
  const node = await twinClient(chain, '0x' + '61'.repeat(32), alice, 'ed25519');
  await node.nodes.create(nodeInput(farm));
  await node.disconnect();
  // Blocks with only the chain's own events (timestamp, billing), finalized.
  await chain.chain.timeTravel({ blocks: 5 });
  await until('the best block to be finalized', async () => (await finalizedHeight(alice)) >= chain.chain.bestNumber(), 60_000);
});

afterAll(async () => {
  for (const c of [alice, farmer]) await c?.disconnect();
  await chain?.stop();
});

const plain = (b: FetchedBlock) => ({ number: b.number, hash: b.hash, timestamp: b.timestamp, events: b.events });

test('ranges equal block-by-block reads, across the runtime upgrade', async () => {
  const api = alice.api;
  const head = await finalizedHeight(alice);
  const one = new Map<number, FetchedBlock>();
  for (let n = 1; n <= head; n++) one.set(n, await fetchBlock(api, n));
  const { codeBlock, firstBlock } = upgrade;
  expect(one.get(codeBlock.number)!.events.map((e) => e.name)).toContain('System.CodeUpdated');
  const ranges: [number, number][] = [
    [1, head],
    [codeBlock.number - 1, firstBlock.number + 1],
    [codeBlock.number, head],
    [1, codeBlock.number],
    [firstBlock.number, firstBlock.number],
    [head - 4, head],
  ];
  for (const [from, to] of ranges) {
    const got = await fetchRange(api, from, to);
    const want = Array.from({ length: to - from + 1 }, (_, i) => plain(one.get(from + i)!));
    expect({ from, to, blocks: got.map(plain) }).toEqual({ from, to, blocks: want });
  }
  // The moved pallets' events are under their own names after the upgrade, in a range that began before it.
  const across = await fetchRange(api, 1, head);
  const names = across.flatMap((b) => b.events.map((e) => `${b.number >= firstBlock.number ? 'after' : 'before'} ${e.name}`));
  expect(names).toEqual(
    expect.arrayContaining([
      'before TfgridModule.FarmStored',
      'after TfgridModule.FarmStored',
      'after TfgridModule.NodeStored',
      'before Balances.Transfer',
      'after Balances.Transfer',
    ]),
  );
  expect(names.filter((n) => n.includes('RuntimeUpgrade.') || n.includes('undefined'))).toEqual([]);
  // Read as ranges, not by the block-by-block fallback: the node answered every block of the range.
  expect(rangeReadsRefused(api)).toBe(false);
  const hash = async (n: number) => (await api.rpc.chain.getBlockHash(n)).toHex();
  const raw = await rangeEventsWith(api, 1, head, await hash(1), await hash(head), [
    '0xf0c365c3cf59d671eb72da0e7a4113c49f1f0515f462cdcf84e0f1d6045dfcbb',
  ]);
  expect(raw?.map((b) => ({ number: b.number, hash: b.hash, events: b.events }))).toEqual(
    [...one.values()].map((b) => ({ number: b.number, hash: b.hash, events: b.events })),
  );
});
