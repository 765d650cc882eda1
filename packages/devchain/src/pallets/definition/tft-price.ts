/** pallet_tft_price (index 28, `TFTPriceModule`): the TFT price in mUSD, set by validators' offchain workers. */
import { type Codec, enumeration, tuple, u16, u32 } from '../../scale/codec';
import { AccountId32 } from './primitives';
import type { PalletDecl } from './types';

const f = <T>(type: Codec<T>, typeName: string) => ({ type, typeName });
const U32 = f(u32, 'u32');
const T = [{ name: 'T' }];

export const TftPriceCall = enumeration(
  { path: 'pallet_tft_price::pallet::Call', params: T },
  {
    set_prices: [0, { price: U32, block_number: f(u32, 'BlockNumberFor<T>') }],
    set_min_tft_price: [2, { price: U32 }],
    set_max_tft_price: [3, { price: U32 }],
  },
);

export const TftPriceEvent = enumeration(
  { path: 'pallet_tft_price::pallet::Event', params: T },
  {
    PriceStored: [0, U32],
    OffchainWorkerExecuted: [1, f(AccountId32, 'T::AccountId')],
    AveragePriceStored: [2, U32],
    AveragePriceIsAboveMaxPrice: [3, [U32, U32]],
    AveragePriceIsBelowMinPrice: [4, [U32, U32]],
  },
);

export const TftPriceError = enumeration({ path: 'pallet_tft_price::pallet::Error', params: T }, [
  'ErrFetchingPrice',
  'OffchainSignedTxError',
  'NoLocalAcctForSigning',
  'AccountUnauthorizedToSetPrice',
  'MaxPriceBelowMinPriceError',
  'MinPriceAboveMaxPriceError',
  'IsNotAnAuthority',
  'WrongAuthority',
]);

const plainU32 = (name: string) => ({ name, modifier: 'Default' as const, hashers: [], keys: [], value: u32, fallback: 0 });

export const tftPricePallet: PalletDecl = {
  name: 'TFTPriceModule',
  index: 28,
  calls: TftPriceCall,
  events: TftPriceEvent,
  errors: TftPriceError,
  storage: [
    plainU32('TftPrice'),
    plainU32('LastBlockSet'),
    plainU32('AverageTftPrice'),
    { name: 'TftPriceHistory', modifier: 'Default', hashers: ['Blake2_128Concat'], keys: [u16], value: u32, fallback: 0 },
    { name: 'BufferRange', modifier: 'Default', hashers: [], keys: [], value: tuple(u16, u16), fallback: [0, 0] },
    plainU32('MinTftPrice'),
    plainU32('MaxTftPrice'),
  ],
};
