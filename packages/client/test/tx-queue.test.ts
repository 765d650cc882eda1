/**
 * The pipelined queue against a real dev chain: 1,000 transactions from one signer land exactly
 * once, also when the client's connection is cut in the middle (a TCP proxy between client and
 * node is cut; the client reconnects through it) and when the link first stops answering and then
 * drops; refusals carry the node's reason; the queue carries on after a refusal.
 */
import type { Devchain } from '@tfgrid/devchain';
import { startChain } from '@tfgrid/testkit';
import { blake2AsHex } from '@polkadot/util-crypto';
import { stringToU8a } from '@polkadot/util';
import type { ApiPromise } from '@polkadot/api';
import { blockEvents, connect, InvalidTransactionError, isLinkError, TFT, type TfchainClient, type TxResult } from '../src';
import { startProxy, type CuttableProxy } from './support/proxy';

jest.setTimeout(60_000);

let chain: Devchain;
let proxy: CuttableProxy;

beforeAll(async () => {
  chain = await startChain();
  proxy = await startProxy(chain.url);
});

afterAll(async () => {
  await proxy?.close();
  await chain?.stop();
});

/**
 * A read for the test's own checks, redone while the link is down: the queue under test survives
 * a drop, and the checks must not fail on one either (the cut test's link may drop again while
 * @polkadot/api re-initialises after the reconnect).
 */
async function read<T>(api: ApiPromise, f: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await f();
    } catch (e) {
      if (attempt >= 50 || !isLinkError(e)) throw e;
      await new Promise((r) => setTimeout(r, 200));
      while (!api.isConnected) await new Promise((r) => setTimeout(r, 50));
    }
  }
}

const nonceOf = (api: ApiPromise, address: string): Promise<number> =>
  read(api, async () => ((await api.query.system.account(address)) as unknown as { nonce: { toNumber(): number } }).nonce.toNumber());

/** How many times each remark hash was noted for `sender` in blocks from..to (System.Remarked). */
async function remarkCounts(api: ApiPromise, sender: string, from: number, to: number): Promise<Map<string, number>> {
  const counts = new Map<string, number>();
  for (let n = from; n <= to; n++) {
    const events = await read(api, async () => blockEvents(api, n, (await api.rpc.chain.getBlockHash(n)).toHex()));
    for (const e of events) {
      if (e.name !== 'System.Remarked' || e.data[0] !== sender) continue;
      const h = String(e.data[1]);
      counts.set(h, (counts.get(h) ?? 0) + 1);
    }
  }
  return counts;
}

async function runMany(client: TfchainClient, tag: string, count: number, during?: (done: () => number) => void): Promise<void> {
  const api = client.api;
  const startNonce = await nonceOf(api, client.address);
  const startBlock = await read(api, async () => (await api.rpc.chain.getHeader()).number.toNumber());
  let done = 0;
  const payloads = Array.from({ length: count }, (_, i) => `${tag}-${i}`);
  const results = payloads.map((p) =>
    client.submit(api.tx.system.remarkWithEvent(p), { wait: 'finalized' }).then((r: TxResult) => {
      done++;
      return r;
    }),
  );
  during?.(() => done);
  const settled = await Promise.all(results);
  // Every caller answered, with distinct nonces in order of submission.
  expect(settled.map((r) => r.nonce)).toEqual(payloads.map((_, i) => startNonce + i));
  expect(settled.every((r) => r.events.some((e) => e.method === 'Remarked'))).toBe(true);
  // Exactly once on chain: the nonce moved by `count` and each remark was noted once.
  expect(await nonceOf(api, client.address)).toBe(startNonce + count);
  const endBlock = await read(api, async () => (await api.rpc.chain.getHeader()).number.toNumber());
  const counts = await remarkCounts(api, client.address, startBlock + 1, endBlock);
  expect(counts.size).toBe(count);
  for (const p of payloads) expect(counts.get(blake2AsHex(stringToU8a(p)))).toBe(1);
}

test('1,000 pipelined transactions from one signer land exactly once', async () => {
  const client = await connect({ url: chain.url, secret: '//Alice' });
  try {
    await runMany(client, 'plain', 1000);
  } finally {
    await client.disconnect();
  }
});

test('1,000 land exactly once when the connection is cut in the middle', async () => {
  const client = await connect({ url: proxy.url, secret: '//Bob', reconnectDelayMs: 100 });
  let cutAt = -1;
  let reconnected = false;
  client.api.on('connected', () => (reconnected = true));
  try {
    await runMany(client, 'cut', 1000, (done) => {
      const timer = setInterval(() => {
        // Cut once some have landed and many are still in flight or unsent.
        if (done() >= 100) {
          clearInterval(timer);
          cutAt = done();
          reconnected = false;
          expect(proxy.cut()).toBeGreaterThan(0);
        }
      }, 5);
    });
    expect(cutAt).toBeGreaterThanOrEqual(100);
    expect(cutAt).toBeLessThan(1000);
    expect(reconnected).toBe(true);
  } finally {
    await client.disconnect();
  }
});

test('requests left unanswered by a link that died silently end with the drop; all land exactly once', async () => {
  const client = await connect({ url: proxy.url, secret: '//Dave', reconnectDelayMs: 100 });
  const api = client.api;
  let held = false;
  try {
    await runMany(client, 'held', 300, (done) => {
      const timer = setInterval(() => {
        if (!held && done() >= 30) {
          // The link stops answering (no close): the queue's submissions and reads hang on it...
          held = true;
          proxy.hold();
        } else if (held && (api.stats?.active.requests ?? 0) > 0) {
          // ...until the socket drops, which must end them all at once.
          clearInterval(timer);
          expect(proxy.cut()).toBeGreaterThan(0);
        }
      }, 5);
    });
    expect(held).toBe(true);
  } finally {
    await client.disconnect();
  }
});

test("a refused transaction carries the node's reason; the queue goes on after it", async () => {
  const alice = await connect({ url: chain.url, secret: '//Alice' });
  // A fresh account with a little money: enough for one small fee, not for a large transfer's.
  const poor = await connect({ url: chain.url, secret: '//client-test//poor' });
  const empty = await connect({ url: chain.url, secret: '//client-test//empty' });
  try {
    const err = await empty.submit(empty.api.tx.system.remark('0x00')).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(InvalidTransactionError);
    expect((err as InvalidTransactionError).code).toBe(1010);
    expect((err as InvalidTransactionError).reason).toMatch(/^Invalid Transaction: Inability to pay some fees/);
    expect((err as InvalidTransactionError).kind).toBe('Payment');

    await alice.balances.transfer({ to: poor.address, amount: 1n * TFT });
    const api = poor.api;
    // Three in a row: the middle one cannot pay (it moves almost everything first), the others can.
    const a = poor.submit(api.tx.system.remark('0x01'));
    const b = poor.submit(api.tx.balances.transferAllowDeath(alice.address, 1n * TFT));
    const c = poor.submit(api.tx.system.remark('0x02'));
    const [ra, rb, rc] = await Promise.allSettled([a, b, c]);
    expect(ra.status).toBe('fulfilled');
    expect(rc.status).toBe('fulfilled');
    // b fails either at dispatch (funds) or at submission; whichever, later ones still land.
    expect(rb.status).toBe('rejected');
    const after = await poor.submit(api.tx.system.remark('0x03'));
    expect(after.blockHash).toBeDefined();
  } finally {
    for (const c of [alice, poor, empty]) await c.disconnect();
  }
});
