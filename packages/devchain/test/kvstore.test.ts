/** TFKVStore through @polkadot/api: per-account entries, size limits, events. */
import type { ApiPromise } from '@polkadot/api';
import { u8aToHex } from '@polkadot/util';
import { useChain } from './support/contracts';
import { eventData, pairOf, send, sendErr, sendOk } from './support/grid';

jest.setTimeout(60_000);

let api: ApiPromise;
const alice = pairOf('//Alice');
const bob = pairOf('//Bob');

useChain((chain) => {
  ({ api } = chain);
});

const entry = async (who: string, key: string): Promise<string> =>
  ((await api.query.tfkvStore.tfkvStore(who, key)) as unknown as { toUtf8(): string }).toUtf8();

test('set stores the value under the signer and emits EntrySet(account, key, value)', async () => {
  const r = await sendOk(api, api.tx.tfkvStore.set('dpl/1/abc', 'hello'), alice);
  const [who, key, value] = eventData(r.events, 'tfkvStore.EntrySet')!;
  expect(who).toBe(alice.address);
  expect(key).toBe(u8aToHex(new TextEncoder().encode('dpl/1/abc')));
  expect(value).toBe(u8aToHex(new TextEncoder().encode('hello')));
  expect(await entry(alice.address, 'dpl/1/abc')).toBe('hello');
  // Another account's namespace is separate.
  expect(await entry(bob.address, 'dpl/1/abc')).toBe('');
  // Overwrite.
  await sendOk(api, api.tx.tfkvStore.set('dpl/1/abc', 'world'), alice);
  expect(await entry(alice.address, 'dpl/1/abc')).toBe('world');
  // Entries of an account can be listed by key prefix.
  const keys = await api.query.tfkvStore.tfkvStore.keys(alice.address);
  expect(keys.map((k) => (k.args[1] as unknown as { toUtf8(): string }).toUtf8())).toContain('dpl/1/abc');
});

test('delete removes the entry and emits EntryTaken with the value', async () => {
  await sendOk(api, api.tx.tfkvStore.set('k-del', 'v-del'), bob);
  const r = await sendOk(api, api.tx.tfkvStore.delete('k-del'), bob);
  const [who, key, value] = eventData(r.events, 'tfkvStore.EntryTaken')!;
  expect(who).toBe(bob.address);
  expect(key).toBe(u8aToHex(new TextEncoder().encode('k-del')));
  expect(value).toBe(u8aToHex(new TextEncoder().encode('v-del')));
  const exists = await api.query.tfkvStore.tfkvStore.keys(bob.address);
  expect(exists.length).toBe(0);
});

test('refusals: missing key, key over 512 bytes, value over 2048 bytes; the limits themselves pass', async () => {
  expect(await sendErr(api, api.tx.tfkvStore.delete('never-set'), alice)).toBe('TFKVStore.NoValueStored');
  expect(await sendErr(api, api.tx.tfkvStore.set('k'.repeat(513), 'v'), alice)).toBe('TFKVStore.KeyIsTooLarge');
  expect(await sendErr(api, api.tx.tfkvStore.set('k', 'v'.repeat(2049)), alice)).toBe('TFKVStore.ValueIsTooLarge');
  await sendOk(api, api.tx.tfkvStore.set('k'.repeat(512), 'v'.repeat(2048)), alice);
  expect((await entry(alice.address, 'k'.repeat(512))).length).toBe(2048);
  // A failed call still pays its fee.
  const r = await send(api, api.tx.tfkvStore.delete('never-set'), alice);
  expect(eventData(r.events, 'transactionPayment.TransactionFeePaid')).toBeDefined();
});
