/** The finalized events stream: exactly once, in order, resumable from a cursor, surviving a chain restart. */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { ApiPromise } from '@polkadot/api';
import type { EventRecord } from '@polkadot/types/interfaces';
import { startDevchain, type Devchain } from '@tfgrid/devchain';
import { events, type ChainEvent, type EventStream } from '../src/events';
import { blockNumberOf, connect, pairOf, sendFinalized, TFT } from './deployment-support';

jest.setTimeout(120_000);

const alice = pairOf('//Alice');
const bob = pairOf('//Bob');

/** Ground truth read straight from chain: [blockNumber, eventIndex, name] of every event in blocks from..to. */
async function truth(api: ApiPromise, from: number, to: number): Promise<string[]> {
  const out: string[] = [];
  for (let n = from; n <= to; n++) {
    const hash = await api.rpc.chain.getBlockHash(n);
    const records = (await (await api.at(hash)).query.system.events()) as unknown as EventRecord[];
    records.forEach((r, i) => out.push(`${n}/${i} ${r.event.section}.${r.event.method}`));
  }
  return out;
}

const key = (e: ChainEvent) => `${e.blockNumber}/${e.eventIndex} ${e.section}.${e.method}`;

async function take(stream: EventStream, count: number): Promise<ChainEvent[]> {
  const out: ChainEvent[] = [];
  while (out.length < count) {
    const r = await stream.next();
    if (r.done) throw new Error('stream ended');
    out.push(r.value);
  }
  return out;
}

async function finalizedNumber(api: ApiPromise): Promise<number> {
  return blockNumberOf(api, (await api.rpc.chain.getFinalizedHead()).toHex());
}

describe('on one chain', () => {
  let node: Devchain;
  let api: ApiPromise;
  let delivered: ChainEvent[];
  let transfers: { block: number; amount: bigint }[];

  beforeAll(async () => {
    node = await startDevchain({ port: 0 });
    api = await connect(node.url);
  });
  afterAll(async () => {
    await api?.disconnect();
    await node?.stop();
  });

  test('every event of a series of transactions is delivered once, in order, with its block', async () => {
    const start = (await finalizedNumber(api)) + 1;
    const stream = events(api, { from: start });
    transfers = [];
    for (let i = 1; i <= 5; i++) {
      const amount = BigInt(i) * TFT;
      const hash = await sendFinalized(api, api.tx.balances.transferKeepAlive(bob.address, amount), alice);
      transfers.push({ block: await blockNumberOf(api, hash), amount });
    }
    const batchHash = await sendFinalized(
      api,
      api.tx.utility.batchAll([
        api.tx.balances.transferKeepAlive(bob.address, 11n * TFT),
        api.tx.balances.transferKeepAlive(bob.address, 12n * TFT),
      ]),
      alice,
    );
    const batchBlock = await blockNumberOf(api, batchHash);
    transfers.push({ block: batchBlock, amount: 11n * TFT }, { block: batchBlock, amount: 12n * TFT });

    const expected = await truth(api, start, batchBlock);
    delivered = await take(stream, expected.length);
    expect(delivered.map(key)).toEqual(expected);
    // Each transfer exactly once, in the block that included it, under its extrinsic.
    const seen = delivered.filter((e) => e.name === 'Balances.Transfer');
    expect(seen.map((e) => [e.blockNumber, BigInt(e.fields!.amount as number)])).toEqual(transfers.map((t) => [t.block, t.amount]));
    for (const e of seen) {
      expect(e.fields).toMatchObject({ from: alice.address, to: bob.address });
      expect(e.data).toEqual([alice.address, bob.address, e.fields!.amount]);
      expect(e.phase).toBe('ApplyExtrinsic');
      expect(e.extrinsicIndex).toBeGreaterThanOrEqual(1); // 0 is the timestamp inherent
      expect(e.blockHash).toBe((await api.rpc.chain.getBlockHash(e.blockNumber)).toHex());
      expect(e.cursor).toEqual({ blockNumber: e.blockNumber, eventIndex: e.eventIndex });
    }
    expect(delivered.find((e) => e.name === 'Utility.BatchCompleted')?.section).toBe('utility');
    // Nothing more until the next block: the next event is the first of a new block.
    const next = stream.next();
    await sendFinalized(api, api.tx.system.remark('0x01'), alice);
    const r = await next;
    expect(r.done).toBe(false);
    expect((r.value as ChainEvent).blockNumber).toBe(batchBlock + 1);
    expect((r.value as ChainEvent).eventIndex).toBe(0);
    expect(stream.cursor).toEqual((r.value as ChainEvent).cursor);
    await stream.return!();
    expect((await stream.next()).done).toBe(true);
  });

  test('resuming from a cursor continues right after it; break stops the stream', async () => {
    const k = 7;
    const resumed: ChainEvent[] = [];
    for await (const e of events(api, { from: delivered[k].cursor })) {
      resumed.push(e);
      if (resumed.length === delivered.length - k - 1) break;
    }
    expect(resumed.map(key)).toEqual(delivered.slice(k + 1).map(key));
    expect(resumed).toEqual(delivered.slice(k + 1));
  });

  test('close() ends a stream that is waiting for a block', async () => {
    const stream = events(api);
    const pending = stream.next();
    await new Promise((r) => setTimeout(r, 300));
    await stream.close();
    expect((await pending).done).toBe(true);
  });
});

test('across a chain restart on the same port: no gap, no duplicate', async () => {
  const dir = mkdtempSync(path.join(tmpdir(), 'tfgrid-events-'));
  let node = await startDevchain({ port: 0, basePath: dir });
  const port = node.port;
  let api = await connect(node.url);
  const stream = events({ url: node.url }, { from: 1, retryMs: 100, maxRetryMs: 500, pollMs: 500 });
  try {
    for (let i = 1; i <= 3; i++) await sendFinalized(api, api.tx.balances.transferKeepAlive(bob.address, BigInt(i) * TFT), alice);
    let head = await finalizedNumber(api);
    const before = await truth(api, 1, head);
    const got = await take(stream, before.length);
    expect(got.map(key)).toEqual(before);
    // The stream is now waiting for the next block when the chain goes away.
    const pending = stream.next();
    await api.disconnect();
    await node.stop();
    await new Promise((r) => setTimeout(r, 500));
    node = await startDevchain({ port, basePath: dir });
    api = await connect(node.url);
    for (let i = 4; i <= 6; i++) await sendFinalized(api, api.tx.balances.transferKeepAlive(bob.address, BigInt(i) * TFT), alice);
    head = await finalizedNumber(api);
    const all = await truth(api, 1, head);
    const first = await pending;
    expect(first.done).toBe(false);
    got.push(first.value as ChainEvent, ...(await take(stream, all.length - got.length - 1)));
    expect(got.map(key)).toEqual(all);
    const amounts = got.filter((e) => e.name === 'Balances.Transfer').map((e) => BigInt(e.fields!.amount as number) / TFT);
    expect(amounts).toEqual([1n, 2n, 3n, 4n, 5n, 6n]);
  } finally {
    await stream.close();
    await api.disconnect();
    await node.stop();
    rmSync(dir, { recursive: true, force: true });
  }
});
