/**
 * pallet_tft_price (index 28, `TFTPriceModule`): the TFT price in mUSD. On the real chain the
 * validators' offchain workers fetch it from Stellar and submit `set_prices` (free for them);
 * the average of the last 1440 prices is what billing converts with, clamped to the bounds the
 * council sets.
 */
import type { Overlay, StateReader } from '../state/overlay';
import { decode } from '../scale/codec';
import { depositEvent, ensureRootOrCouncil, ensureSigned, moduleError, weight, type PalletImpl } from './dispatch';
import { storageOf } from './storage';
import { bytesEqual } from '../util/hex';
import { palletDecl } from './decls';

export const tftPrice = palletDecl('TFTPriceModule');
export const TftPrice = storageOf<number, []>(tftPrice, 'TftPrice');
export const LastBlockSet = storageOf<number, []>(tftPrice, 'LastBlockSet');
export const AverageTftPrice = storageOf<number, []>(tftPrice, 'AverageTftPrice');
export const TftPriceHistory = storageOf<number, [number]>(tftPrice, 'TftPriceHistory');
export const BufferRange = storageOf<[number, number], []>(tftPrice, 'BufferRange');
export const MinTftPrice = storageOf<number, []>(tftPrice, 'MinTftPrice');
export const MaxTftPrice = storageOf<number, []>(tftPrice, 'MaxTftPrice');

/** The ring buffer of prices holds the last 1440 (a day of one-minute fetches). */
const HISTORY_LENGTH = 1440;
/** The real `--dev` chain's bounds (mUSD). */
export const DEV_MIN_TFT_PRICE = 10;
export const DEV_MAX_TFT_PRICE = 1000;

const err = (name: string) => moduleError(tftPrice, name);

function pushPrice(state: Overlay, price: number): void {
  let [start, end] = BufferRange.read(state);
  TftPriceHistory.set(state, price, end);
  let next = end + 1;
  if (next === HISTORY_LENGTH) next = 0;
  if (next === start) {
    // Full: the oldest price is overwritten.
    start += 1;
    if (start >= HISTORY_LENGTH) start = 0;
  }
  end = next;
  BufferRange.set(state, [start, end]);
}

/** The average of every stored price (U32F32 division, rounded half away from zero). */
export function averagePrice(state: StateReader): number {
  const item = TftPriceHistory.decl.value;
  let sum = 0n;
  let count = 0n;
  for (const k of state.keys(TftPriceHistory.prefixKey)) {
    sum += BigInt(decode(item, state.get(k)!));
    count += 1n;
  }
  if (count === 0n) return 0;
  if (sum > 0xffff_ffffn) sum = 0xffff_ffffn; // saturating u32 sum
  const q = (sum << 32n) / count;
  return Number((q + (1n << 31n)) >> 32n);
}

/** Stores a price, the new average and the events `set_prices` emits. */
export function setPrice(state: Overlay, price: number, blockNumber: number): void {
  LastBlockSet.set(state, blockNumber);
  TftPrice.set(state, price);
  depositEvent({ state }, tftPrice, 'PriceStored', price);
  pushPrice(state, price);
  const average = averagePrice(state);
  AverageTftPrice.set(state, average);
  depositEvent({ state }, tftPrice, 'AveragePriceStored', average);
  const min = MinTftPrice.read(state);
  if (average < min) depositEvent({ state }, tftPrice, 'AveragePriceIsBelowMinPrice', [average, min]);
  const max = MaxTftPrice.read(state);
  if (average > max) depositEvent({ state }, tftPrice, 'AveragePriceIsAboveMaxPrice', [average, max]);
}

export const tftPricePallet: PalletImpl = {
  decl: tftPrice,
  meta: {
    set_prices: { weight: () => weight(50_000_000, 3_000) },
    set_min_tft_price: { weight: () => weight(20_000_000, 1_500) },
    set_max_tft_price: { weight: () => weight(20_000_000, 1_500) },
  },
  calls: {
    /** Only a validator may set the price; the dev chain's validator is its block author. Free. */
    set_prices(ctx, a: { price: number; block_number: number }) {
      const who = ensureSigned(ctx.origin);
      if (!bytesEqual(who, ctx.block.author)) throw err('AccountUnauthorizedToSetPrice');
      setPrice(ctx.state, a.price, a.block_number);
      return { paysFee: 'No' };
    },
    set_min_tft_price(ctx, a: { price: number }) {
      ensureRootOrCouncil(ctx.origin);
      if (a.price >= MaxTftPrice.read(ctx.state)) throw err('MinPriceAboveMaxPriceError');
      MinTftPrice.set(ctx.state, a.price);
    },
    set_max_tft_price(ctx, a: { price: number }) {
      ensureRootOrCouncil(ctx.origin);
      if (a.price <= MinTftPrice.read(ctx.state)) throw err('MaxPriceBelowMinPriceError');
      MaxTftPrice.set(ctx.state, a.price);
    },
  },
  /**
   * `genesis.tftPriceModule`: `{ minTftPrice, maxTftPrice, tftPrice }` (mUSD), by default the
   * real dev chain's bounds 10..1000. The real dev chain starts without a price (its offchain
   * worker fetches one within a minute) and bills at the lower bound meanwhile; `tftPrice`
   * (default: the lower bound) is stored as if set once at genesis, so that clients reading
   * `TftPrice` never divide by zero and bills convert as they would on the real dev chain.
   */
  genesis(state, config) {
    const c = (config.tftPriceModule ?? {}) as { minTftPrice?: number; maxTftPrice?: number; tftPrice?: number };
    const min = c.minTftPrice ?? DEV_MIN_TFT_PRICE;
    const max = c.maxTftPrice ?? DEV_MAX_TFT_PRICE;
    if (!(min < max)) throw new Error('chain spec: tftPriceModule.minTftPrice must be below maxTftPrice');
    MinTftPrice.set(state, min);
    MaxTftPrice.set(state, max);
    const price = c.tftPrice ?? min;
    if (price > 0) {
      TftPrice.set(state, price);
      pushPrice(state, price);
      AverageTftPrice.set(state, averagePrice(state));
    }
  },
};
