/** frame_system (index 0): accounts, block bookkeeping, events, and the chain's limits and version. */
import { hexToU8a } from '@polkadot/util';
import {
  bool,
  bytes,
  type Codec,
  compact,
  enumeration,
  fixedBytes,
  option,
  str,
  struct,
  tuple,
  u16,
  u32,
  u64,
  u8,
  vec,
  wrapper,
} from '../../scale/codec';
import { AccountData, IS_NEW_LOGIC } from './balances';
import { RuntimeEvent } from './outer';
import { AccountId32, Digest, DispatchError, DispatchInfo, H256, Weight } from './primitives';
import type { PalletDecl } from './types';

export const AccountInfo = struct(
  {
    path: 'frame_system::AccountInfo',
    params: [
      { name: 'Nonce', type: u32 },
      { name: 'AccountData', type: AccountData },
    ],
  },
  {
    nonce: { type: u32, typeName: 'Nonce' },
    consumers: { type: u32, typeName: 'RefCount' },
    providers: { type: u32, typeName: 'RefCount' },
    sufficients: { type: u32, typeName: 'RefCount' },
    data: { type: AccountData, typeName: 'AccountData' },
  },
);

/** `frame_support::dispatch::PerDispatchClass<T>`: one codec per T. */
function perDispatchClass<T>(of: Codec<T>) {
  const f = { type: of, typeName: 'T' };
  return struct(
    { path: 'frame_support::dispatch::PerDispatchClass', params: [{ name: 'T', type: of }] },
    { normal: f, operational: f, mandatory: f },
  );
}

export const PerDispatchClassWeight = perDispatchClass(Weight);
export const PerDispatchClassU32 = perDispatchClass(u32);

export const Phase = enumeration(
  { path: 'frame_system::Phase' },
  { ApplyExtrinsic: [0, { type: u32, typeName: 'u32' }], Finalization: [1, null], Initialization: [2, null] },
);

export const EventRecord = struct(
  {
    path: 'frame_system::EventRecord',
    params: [
      { name: 'E', type: RuntimeEvent },
      { name: 'T', type: H256 },
    ],
  },
  {
    phase: { type: Phase, typeName: 'Phase' },
    event: { type: RuntimeEvent, typeName: 'E' },
    topics: { type: vec(H256), typeName: 'Vec<T>' },
  },
);

/** The value of `System.Events`. */
export const EventRecords = vec(EventRecord);

export const LastRuntimeUpgradeInfo = struct(
  { path: 'frame_system::LastRuntimeUpgradeInfo' },
  {
    spec_version: { type: compact(u32), typeName: 'codec::Compact<u32>' },
    spec_name: { type: str, typeName: 'sp_runtime::RuntimeString' },
  },
);

/** `frame_system::Origin<Runtime>` */
export const SystemOrigin = enumeration(
  { path: 'frame_support::dispatch::RawOrigin', params: [{ name: 'AccountId', type: AccountId32 }] },
  { Root: [0, null], Signed: [1, { type: AccountId32, typeName: 'AccountId' }], None: [2, null] },
);

const Remark = { type: bytes, typeName: 'Vec<u8>' };

export const SystemCall = enumeration(
  { path: 'frame_system::pallet::Call', params: [{ name: 'T' }] },
  {
    remark: [0, { remark: Remark }],
    set_heap_pages: [1, { pages: { type: u64, typeName: 'u64' } }],
    set_code: [2, { code: Remark }],
    set_code_without_checks: [3, { code: Remark }],
    set_storage: [4, { items: { type: vec(tuple(bytes, bytes)), typeName: 'Vec<KeyValue>' } }],
    kill_storage: [5, { keys: { type: vec(bytes), typeName: 'Vec<Key>' } }],
    kill_prefix: [6, { prefix: { type: bytes, typeName: 'Key' }, subkeys: { type: u32, typeName: 'u32' } }],
    remark_with_event: [7, { remark: Remark }],
  },
);

const Account = { type: AccountId32, typeName: 'T::AccountId' };
const Info = { type: DispatchInfo, typeName: 'DispatchInfo' };

export const SystemEvent = enumeration(
  { path: 'frame_system::pallet::Event', params: [{ name: 'T' }] },
  {
    ExtrinsicSuccess: [0, { dispatch_info: Info }],
    ExtrinsicFailed: [1, { dispatch_error: { type: DispatchError, typeName: 'DispatchError' }, dispatch_info: Info }],
    CodeUpdated: [2, null],
    NewAccount: [3, { account: Account }],
    KilledAccount: [4, { account: Account }],
    Remarked: [5, { sender: Account, hash: { type: H256, typeName: 'T::Hash' } }],
  },
);

export const SystemError = enumeration(
  { path: 'frame_system::pallet::Error', params: [{ name: 'T' }] },
  {
    InvalidSpecName: {
      index: 0,
      fields: null,
      docs: ['The name of specification does not match between the current runtime', 'and the new runtime.'],
    },
    SpecVersionNeedsToIncrease: {
      index: 1,
      fields: null,
      docs: ['The specification version is not allowed to decrease between the current runtime', 'and the new runtime.'],
    },
    FailedToExtractRuntimeVersion: {
      index: 2,
      fields: null,
      docs: [
        'Failed to extract the runtime version from the new runtime.',
        '',
        'Either calling `Core_version` or decoding `RuntimeVersion` failed.',
      ],
    },
    NonDefaultComposite: { index: 3, fields: null, docs: ['Suicide called when the account has non-default composite data.'] },
    NonZeroRefCount: { index: 4, fields: null, docs: ['There is a non-zero reference count preventing the account from being purged.'] },
    CallFiltered: { index: 5, fields: null, docs: ['The origin filter prevent the call to be dispatched.'] },
  },
);

// ---- limits and version (constants) ----

const OptionWeight = option(Weight);

export const WeightsPerClass = struct(
  { path: 'frame_system::limits::WeightsPerClass' },
  {
    base_extrinsic: { type: Weight, typeName: 'Weight' },
    max_extrinsic: { type: OptionWeight, typeName: 'Option<Weight>' },
    max_total: { type: OptionWeight, typeName: 'Option<Weight>' },
    reserved: { type: OptionWeight, typeName: 'Option<Weight>' },
  },
);

export const PerDispatchClassWeightsPerClass = perDispatchClass(WeightsPerClass);

export const BlockWeights = struct(
  { path: 'frame_system::limits::BlockWeights' },
  {
    base_block: { type: Weight, typeName: 'Weight' },
    max_block: { type: Weight, typeName: 'Weight' },
    per_class: { type: PerDispatchClassWeightsPerClass, typeName: 'PerDispatchClass<WeightsPerClass>' },
  },
);

export const BlockLength = struct(
  { path: 'frame_system::limits::BlockLength' },
  { max: { type: PerDispatchClassU32, typeName: 'PerDispatchClass<u32>' } },
);

export const RuntimeDbWeight = struct(
  { path: 'sp_weights::RuntimeDbWeight' },
  { read: { type: u64, typeName: 'u64' }, write: { type: u64, typeName: 'u64' } },
);

const ApisVec = vec(tuple(fixedBytes(8), u32));
export const RuntimeVersion = struct(
  { path: 'sp_version::RuntimeVersion' },
  {
    spec_name: { type: str, typeName: 'RuntimeString' },
    impl_name: { type: str, typeName: 'RuntimeString' },
    authoring_version: { type: u32, typeName: 'u32' },
    spec_version: { type: u32, typeName: 'u32' },
    impl_version: { type: u32, typeName: 'u32' },
    apis: { type: wrapper({ path: 'Cow', params: [{ name: 'T', type: ApisVec }] }, ApisVec), typeName: 'ApisVec' },
    transaction_version: { type: u32, typeName: 'u32' },
    state_version: { type: u8, typeName: 'u8' },
  },
);

const api = (id: string, version: number): [Uint8Array, number] => [hexToU8a(id), version];

/** The version the real TFChain runtime reports (spec 152). */
export const runtimeVersion = {
  spec_name: 'substrate-threefold',
  impl_name: 'substrate-threefold',
  authoring_version: 1,
  spec_version: 152,
  impl_version: 1,
  apis: [
    api('0xdf6acb689907609b', 4), // Core
    api('0x37e397fc7c91f5e4', 2), // Metadata
    api('0x40fe3ad401f8959a', 6), // BlockBuilder
    api('0xd2bc9897eed08f15', 3), // TaggedTransactionQueue
    api('0xf78b278be53f454c', 2), // OffchainWorkerApi
    api('0xdd718d5cc53262d4', 1), // AuraApi
    api('0xab3c0572291feb8b', 1), // SessionKeys
    api('0xed99c5acb25eedf5', 3), // GrandpaApi
    api('0xbc9d89904f5b923f', 1), // AccountNonceApi
    api('0x37c8bb1350a9a2a8', 4), // TransactionPaymentApi
  ],
  transaction_version: 2,
  state_version: 0,
};

const U64_MAX = (1n << 64n) - 1n;
const w = (ref_time: bigint, proof_size: bigint) => ({ ref_time, proof_size });
const BASE_EXTRINSIC = w(124_414_000n, 0n);

export const blockWeights = {
  base_block: w(390_584_000n, 0n),
  max_block: w(2_000_000_000_000n, U64_MAX),
  per_class: {
    normal: {
      base_extrinsic: BASE_EXTRINSIC,
      max_extrinsic: w(1_299_875_586_000n, 0xa666666666666666n),
      max_total: w(1_500_000_000_000n, 0xbfffffffffffffffn),
      reserved: w(0n, 0n),
    },
    operational: {
      base_extrinsic: BASE_EXTRINSIC,
      max_extrinsic: w(1_799_875_586_000n, 0xe666666666666666n),
      max_total: w(2_000_000_000_000n, U64_MAX),
      reserved: w(500_000_000_000n, 0x4000000000000000n),
    },
    mandatory: { base_extrinsic: BASE_EXTRINSIC, max_extrinsic: undefined, max_total: undefined, reserved: undefined },
  },
};

export const blockLength = { max: { normal: 3_932_160, operational: 5_242_880, mandatory: 5_242_880 } };
export const dbWeight = { read: 25_000_000n, write: 100_000_000n };
export const BLOCK_HASH_COUNT = 2400;
export const SS58_PREFIX = 42;

const zeroWeight = w(0n, 0n);

export const systemPallet: PalletDecl = {
  name: 'System',
  index: 0,
  calls: SystemCall,
  events: SystemEvent,
  errors: SystemError,
  storage: [
    {
      name: 'Account',
      modifier: 'Default',
      hashers: ['Blake2_128Concat'],
      keys: [AccountId32],
      value: AccountInfo,
      fallback: { nonce: 0, consumers: 0, providers: 0, sufficients: 0, data: { free: 0n, reserved: 0n, frozen: 0n, flags: IS_NEW_LOGIC } },
    },
    { name: 'ExtrinsicCount', modifier: 'Optional', hashers: [], keys: [], value: u32 },
    {
      name: 'BlockWeight',
      modifier: 'Default',
      hashers: [],
      keys: [],
      value: PerDispatchClassWeight,
      fallback: { normal: zeroWeight, operational: zeroWeight, mandatory: zeroWeight },
    },
    { name: 'AllExtrinsicsLen', modifier: 'Optional', hashers: [], keys: [], value: u32 },
    { name: 'BlockHash', modifier: 'Default', hashers: ['Twox64Concat'], keys: [u32], value: H256, fallback: new Uint8Array(32) },
    { name: 'ExtrinsicData', modifier: 'Default', hashers: ['Twox64Concat'], keys: [u32], value: bytes, fallback: new Uint8Array(0) },
    { name: 'Number', modifier: 'Default', hashers: [], keys: [], value: u32, fallback: 0 },
    { name: 'ParentHash', modifier: 'Default', hashers: [], keys: [], value: H256, fallback: new Uint8Array(32) },
    { name: 'Digest', modifier: 'Default', hashers: [], keys: [], value: Digest, fallback: { logs: [] } },
    { name: 'Events', modifier: 'Default', hashers: [], keys: [], value: EventRecords, fallback: [] },
    { name: 'EventCount', modifier: 'Default', hashers: [], keys: [], value: u32, fallback: 0 },
    {
      name: 'EventTopics',
      modifier: 'Default',
      hashers: ['Blake2_128Concat'],
      keys: [H256],
      value: vec(tuple(u32, u32)),
      fallback: [],
    },
    { name: 'LastRuntimeUpgrade', modifier: 'Optional', hashers: [], keys: [], value: LastRuntimeUpgradeInfo },
    { name: 'UpgradedToU32RefCount', modifier: 'Default', hashers: [], keys: [], value: bool, fallback: false },
    { name: 'UpgradedToTripleRefCount', modifier: 'Default', hashers: [], keys: [], value: bool, fallback: false },
    { name: 'ExecutionPhase', modifier: 'Optional', hashers: [], keys: [], value: Phase },
  ],
  constants: [
    { name: 'BlockWeights', type: BlockWeights, value: blockWeights },
    { name: 'BlockLength', type: BlockLength, value: blockLength },
    { name: 'BlockHashCount', type: u32, value: BLOCK_HASH_COUNT },
    { name: 'DbWeight', type: RuntimeDbWeight, value: dbWeight },
    { name: 'Version', type: RuntimeVersion, value: runtimeVersion },
    { name: 'SS58Prefix', type: u16, value: SS58_PREFIX },
  ],
};
