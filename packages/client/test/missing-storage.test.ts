/**
 * A runtime without an item a module reads: the dev chain's own runtime description with
 * TFTPriceModule.MinTftPrice left out, handed to @polkadot/api as the metadata of the running
 * version (as a client built for another runtime version sees it). The read rejects with a coded
 * error through its promise; no query is left running unawaited and no rejection goes unhandled.
 */
import { ApiPromise, WsProvider } from '@polkadot/api';
import { u8aToHex } from '@polkadot/util';
import { buildMetadata, runtime, startDevchain, type Devchain } from '@tfgrid/devchain';
import { price, RUNTIME_LACKS_ITEM, RuntimeItemMissingError, type ModuleContext } from '../src/modules';

jest.setTimeout(60_000);

let chain: Devchain;
let full: ApiPromise;
let lacking: ApiPromise;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown): void => void unhandled.push(reason);

const contextOf = (api: ApiPromise): ModuleContext => ({
  api,
  send: () => Promise.reject(new Error('this test sends nothing')),
  address: () => {
    throw new Error('this test has no key');
  },
});

beforeAll(async () => {
  process.on('unhandledRejection', onUnhandled);
  chain = await startDevchain({ port: 0 });
  full = await ApiPromise.create({ provider: new WsProvider(chain.url), noInitWarn: true });
  const withoutMin = {
    ...runtime,
    pallets: runtime.pallets.map((p) =>
      p.name === 'TFTPriceModule' ? { ...p, storage: p.storage?.filter((s) => s.name !== 'MinTftPrice') } : p,
    ),
  };
  const key = `${full.genesisHash.toHex()}-${full.runtimeVersion.specVersion.toString()}`;
  lacking = await ApiPromise.create({
    provider: new WsProvider(chain.url),
    noInitWarn: true,
    metadata: { [key]: u8aToHex(buildMetadata(withoutMin).v14) },
  });
});

afterAll(async () => {
  await lacking?.disconnect();
  await full?.disconnect();
  await chain?.stop();
  process.off('unhandledRejection', onUnhandled);
});

test('the price reads on the full runtime', async () => {
  const p = await price(contextOf(full)).get();
  expect(p.min).toBeGreaterThan(0);
  expect(p.max).toBeGreaterThanOrEqual(p.min);
});

test('a runtime without minTftPrice: a coded rejection, nothing unhandled', async () => {
  expect(lacking.query.tftPriceModule.tftPrice).toBeDefined();
  expect((lacking.query.tftPriceModule as Record<string, unknown>).minTftPrice).toBeUndefined();
  const err = await price(contextOf(lacking))
    .get()
    .then(
      () => null,
      (e: unknown) => e,
    );
  expect(err).toBeInstanceOf(RuntimeItemMissingError);
  expect(err).toMatchObject({ code: RUNTIME_LACKS_ITEM, section: 'tftPriceModule', item: 'minTftPrice' });
  expect((err as Error).message).toBe('the runtime has no storage item tftPriceModule.minTftPrice');
  // Whatever had been started would settle within a few turns of the event loop.
  await new Promise((resolve) => setTimeout(resolve, 200));
  expect(unhandled).toEqual([]);
});
