/**
 * Connecting: presets, keys from every kind of secret, automatic reconnect, clean disconnect; a
 * request caught by a drop fails at once with a retryable LINK_DOWN and is not remembered as failed.
 */
import type { Devchain } from '@tfgrid/devchain';
import { startChain } from '@tfgrid/testkit';
import { mnemonicGenerate } from '@polkadot/util-crypto';
import type { ApiPromise } from '@polkadot/api';
import { connect, keyFromSecret, keysReady, LinkError, networkUrl, NETWORKS } from '../src';
import { startProxy, type CuttableProxy } from './support/proxy';

jest.setTimeout(30_000);

let chain: Devchain;
let proxy: CuttableProxy;

beforeAll(async () => {
  await keysReady();
  chain = await startChain();
  proxy = await startProxy(chain.url);
});

afterAll(async () => {
  await proxy?.close();
  await chain?.stop();
});

test('network presets name the public endpoints', () => {
  expect(networkUrl('dev')).toBe('ws://127.0.0.1:9944');
  expect(networkUrl('mainnet')).toBe('wss://tfchain.grid.tf/ws');
  expect(Object.keys(NETWORKS)).toEqual(['dev', 'devnet', 'qanet', 'testnet', 'mainnet']);
  expect(() => networkUrl('nope' as never)).toThrow(/unknown network/);
});

test('keys from a dev URI, a hex seed and a mnemonic, sr25519 or ed25519', () => {
  expect(keyFromSecret('//Alice').address).toBe('5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY');
  const seed = '0x' + '17'.repeat(32);
  expect(keyFromSecret(seed, 'ed25519').type).toBe('ed25519');
  expect(keyFromSecret(seed, 'ed25519').address).not.toBe(keyFromSecret(seed).address);
  const words = mnemonicGenerate();
  expect(keyFromSecret(words).address).toBe(keyFromSecret(`  ${words} `).address);
  expect(() => keyFromSecret('')).toThrow();
});

test('a read-only client reads and refuses to sign', async () => {
  const reader = await connect({ url: chain.url });
  try {
    expect((await reader.balances.get(keyFromSecret('//Alice').address)).free).toBeGreaterThan(0n);
    expect(() => reader.address).toThrow(/no key/);
    await expect(reader.submit(reader.api.tx.system.remark('0x'))).rejects.toThrow(/no key/);
  } finally {
    await reader.disconnect();
  }
});

test('reconnects by itself after the link is cut, and signs again', async () => {
  const client = await connect({ url: proxy.url, secret: '//Charlie', reconnectDelayMs: 100 });
  try {
    await client.submit(client.api.tx.system.remark('0x01'));
    const back = new Promise<void>((resolve) => client.api.once('connected', () => resolve()));
    expect(proxy.cut()).toBeGreaterThan(0);
    await back;
    expect(client.isConnected).toBe(true);
    const r = await client.submit(client.api.tx.system.remark('0x02'), { wait: 'finalized' });
    expect(r.blockNumber).toBeGreaterThan(0);
  } finally {
    await client.disconnect();
  }
  // The close event arrives a moment after disconnect() resolves.
  for (let i = 0; i < 50 && client.isConnected; i++) await new Promise((r) => setTimeout(r, 20));
  expect(client.isConnected).toBe(false);
});

/** Waits (bounded) until `n` requests are outstanding on the socket, i.e. were written to it. */
async function outstanding(api: ApiPromise, n: number): Promise<void> {
  for (let i = 0; i < 500 && (api.stats?.active.requests ?? 0) < n; i++) await new Promise((r) => setTimeout(r, 10));
  expect(api.stats?.active.requests).toBeGreaterThanOrEqual(n);
}

test('requests caught by a cut fail at once with a retryable LINK_DOWN, and are asked again after the reconnect', async () => {
  const client = await connect({ url: proxy.url, reconnectDelayMs: 100 });
  try {
    const api = client.api;
    const hash = (await api.rpc.chain.getBlockHash(0)).toHex();
    // A link that died without a close: what is sent now gets no answer until the cut.
    proxy.hold();
    const blockRaw = (): Promise<{ block: { header: { number: string } } }> =>
      (api.rpc.chain.getBlock as unknown as { raw(h: string): Promise<{ block: { header: { number: string } } }> }).raw(hash);
    const caught = [api.rpc.system.health(), blockRaw()].map((p) =>
      p.then(
        () => 'answered',
        (e: unknown) => e,
      ),
    );
    await outstanding(api, 2);
    const back = new Promise<void>((resolve) => api.once('connected', () => resolve()));
    expect(proxy.cut()).toBeGreaterThan(0);
    for (const outcome of await Promise.all(caught)) {
      expect(outcome).toBeInstanceOf(LinkError);
      expect(outcome).toMatchObject({ code: 'LINK_DOWN', retryable: true });
    }
    // Asked while the link is down: refused at once, with the same code.
    if (!api.isConnected) await expect(api.rpc.system.health()).rejects.toMatchObject({ code: 'LINK_DOWN' });
    await back;
    // A block read is cached by its hash: the failure caught by the cut must not be served again.
    expect(Number((await blockRaw()).block.header.number)).toBe(0);
    expect((await api.rpc.system.health()).isSyncing.isFalse).toBe(true);
  } finally {
    await client.disconnect();
  }
});

test('a connection that cannot be made fails instead of retrying forever', async () => {
  await expect(connect({ url: 'ws://127.0.0.1:1', reconnectDelayMs: 100 })).rejects.toBeDefined();
});
