/** TFTPriceModule through @polkadot/api: genesis price and bounds, set_prices by the validator, council bounds. */
import type { ApiPromise } from '@polkadot/api';
import { useChain } from './support/contracts';
import { councilApprove, councilResultError, eventData, pairOf, send, sendErr, sendOk } from './support/grid';

jest.setTimeout(60_000);

let api: ApiPromise;
const alice = pairOf('//Alice');
const bob = pairOf('//Bob');

useChain((chain) => {
  ({ api } = chain);
});

const num = async (q: () => Promise<unknown>): Promise<number> => ((await q()) as { toNumber(): number }).toNumber();

test('genesis: the dev bounds 10..1000 mUSD and a price of 10 mUSD', async () => {
  expect(await num(() => api.query.tftPriceModule.minTftPrice())).toBe(10);
  expect(await num(() => api.query.tftPriceModule.maxTftPrice())).toBe(1000);
  expect(await num(() => api.query.tftPriceModule.tftPrice())).toBe(10);
  expect(await num(() => api.query.tftPriceModule.averageTftPrice())).toBe(10);
  expect(((await api.query.tftPriceModule.bufferRange()) as unknown as { toJSON(): unknown }).toJSON()).toEqual([0, 1]);
});

test('set_prices by the validator (the block author, Alice) is free and averages the history', async () => {
  const before = (
    (await api.query.system.account(alice.address)) as unknown as { data: { free: { toBigInt(): bigint } } }
  ).data.free.toBigInt();
  const r = await sendOk(api, api.tx.tftPriceModule.setPrices(30, 7), alice);
  expect(eventData(r.events, 'tftPriceModule.PriceStored')).toEqual([30]);
  // History [10, 30]: average 20.
  expect(eventData(r.events, 'tftPriceModule.AveragePriceStored')).toEqual([20]);
  expect(await num(() => api.query.tftPriceModule.tftPrice())).toBe(30);
  expect(await num(() => api.query.tftPriceModule.averageTftPrice())).toBe(20);
  expect(await num(() => api.query.tftPriceModule.lastBlockSet())).toBe(7);
  expect(await num(() => api.query.tftPriceModule.tftPriceHistory(1))).toBe(30);
  const fee = eventData(r.events, 'transactionPayment.TransactionFeePaid')!;
  expect(fee[1]).toBe(0);
  // Alice also authors the block (fees go to her), so her balance is unchanged by a free call.
  const after = (
    (await api.query.system.account(alice.address)) as unknown as { data: { free: { toBigInt(): bigint } } }
  ).data.free.toBigInt();
  expect(after).toBe(before);

  // Rounded to the nearest: [10, 30, 15] → 18.33 → 18.
  await sendOk(api, api.tx.tftPriceModule.setPrices(15, 8), alice);
  expect(await num(() => api.query.tftPriceModule.averageTftPrice())).toBe(18);
  const high = await sendOk(api, api.tx.tftPriceModule.setPrices(5000, 9), alice);
  // [10, 30, 15, 5000] → 1263.75 → 1264 > 1000
  expect(eventData(high.events, 'tftPriceModule.AveragePriceIsAboveMaxPrice')).toEqual([1264, 1000]);
});

test('set_prices by anyone else: AccountUnauthorizedToSetPrice (and pays the fee)', async () => {
  const r = await send(api, api.tx.tftPriceModule.setPrices(50, 9), bob);
  expect(eventData(r.events, 'system.ExtrinsicFailed')).toBeDefined();
  expect(await sendErr(api, api.tx.tftPriceModule.setPrices(50, 9), bob)).toBe('TFTPriceModule.AccountUnauthorizedToSetPrice');
  expect((eventData(r.events, 'transactionPayment.TransactionFeePaid')![1] as number) > 0).toBe(true);
});

test('min/max bounds: council only, min below max, max above min; a low average raises AveragePriceIsBelowMinPrice', async () => {
  expect(await sendErr(api, api.tx.tftPriceModule.setMinTftPrice(20), alice)).toBe('BadOrigin');
  expect(councilResultError(api, await councilApprove(api, api.tx.tftPriceModule.setMinTftPrice(1000)))).toBe(
    'TFTPriceModule.MinPriceAboveMaxPriceError',
  );
  expect(councilResultError(api, await councilApprove(api, api.tx.tftPriceModule.setMaxTftPrice(10)))).toBe(
    'TFTPriceModule.MaxPriceBelowMinPriceError',
  );
  expect(councilResultError(api, await councilApprove(api, api.tx.tftPriceModule.setMaxTftPrice(5000)))).toBeUndefined();
  expect(councilResultError(api, await councilApprove(api, api.tx.tftPriceModule.setMinTftPrice(2000)))).toBeUndefined();
  expect(await num(() => api.query.tftPriceModule.minTftPrice())).toBe(2000);
  expect(await num(() => api.query.tftPriceModule.maxTftPrice())).toBe(5000);
  const r = await sendOk(api, api.tx.tftPriceModule.setPrices(10, 10), alice);
  // [10, 30, 15, 5000, 10] → 1013
  expect(eventData(r.events, 'tftPriceModule.AveragePriceIsBelowMinPrice')).toEqual([1013, 2000]);
});
