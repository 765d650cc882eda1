/**
 * Types shared by several pallets (sp_core, sp_runtime, sp_weights, frame_support).
 * One Rust type is one codec object here: the metadata builder deduplicates named types by
 * identity, so pallets import these instead of declaring their own.
 */
import {
  bytes,
  type Codec,
  compact,
  custom,
  empty,
  enumeration,
  fixedBytes,
  option,
  result,
  struct,
  u128,
  u32,
  u64,
  u8,
  unit,
  vec,
  wrapper,
} from '../../scale/codec';

export const AccountId32 = wrapper({ path: 'sp_core::crypto::AccountId32' }, fixedBytes(32), '[u8; 32]');
export const H256 = wrapper({ path: 'primitive_types::H256' }, fixedBytes(32), '[u8; 32]');
export const OptionAccountId32 = option(AccountId32);
export const OptionBytes = option(bytes);
/** `Option<u64>` and `Option<u32>`: one type each in the registry, whatever the pallet. */
export const OptionU64 = option(u64);
export const OptionU32 = option(u32);

/** Balances are u128 on TFChain. */
export const Balance = u128;

export const Weight = struct(
  { path: 'sp_weights::weight_v2::Weight' },
  { ref_time: { type: compact(u64), typeName: 'u64' }, proof_size: { type: compact(u64), typeName: 'u64' } },
);

export const DispatchClass = enumeration({ path: 'frame_support::dispatch::DispatchClass' }, ['Normal', 'Operational', 'Mandatory']);
export const Pays = enumeration({ path: 'frame_support::dispatch::Pays' }, ['Yes', 'No']);

export const DispatchInfo = struct(
  { path: 'frame_support::dispatch::DispatchInfo' },
  {
    weight: { type: Weight, typeName: 'Weight' },
    class: { type: DispatchClass, typeName: 'DispatchClass' },
    pays_fee: { type: Pays, typeName: 'Pays' },
  },
);

export const ModuleError = struct(
  { path: 'sp_runtime::ModuleError' },
  {
    index: { type: u8, typeName: 'u8' },
    error: { type: fixedBytes(4), typeName: '[u8; MAX_MODULE_ERROR_ENCODED_SIZE]' },
  },
);

export const TokenError = enumeration({ path: 'sp_runtime::TokenError' }, [
  'FundsUnavailable',
  'OnlyProvider',
  'BelowMinimum',
  'CannotCreate',
  'UnknownAsset',
  'Frozen',
  'Unsupported',
  'CannotCreateHold',
  'NotExpendable',
  'Blocked',
]);
export const ArithmeticError = enumeration({ path: 'sp_arithmetic::ArithmeticError' }, ['Underflow', 'Overflow', 'DivisionByZero']);
export const TransactionalError = enumeration({ path: 'sp_runtime::TransactionalError' }, ['LimitReached', 'NoLayer']);

export const DispatchError = enumeration(
  { path: 'sp_runtime::DispatchError' },
  {
    Other: [0, null],
    CannotLookup: [1, null],
    BadOrigin: [2, null],
    Module: [3, { type: ModuleError, typeName: 'ModuleError' }],
    ConsumerRemaining: [4, null],
    NoProviders: [5, null],
    TooManyConsumers: [6, null],
    Token: [7, { type: TokenError, typeName: 'TokenError' }],
    Arithmetic: [8, { type: ArithmeticError, typeName: 'ArithmeticError' }],
    Transactional: [9, { type: TransactionalError, typeName: 'TransactionalError' }],
    Exhausted: [10, null],
    Corruption: [11, null],
    Unavailable: [12, null],
    RootNotAllowed: [13, null],
  },
);

/** `DispatchResult` = `Result<(), DispatchError>` */
export const DispatchResult = result(unit, DispatchError);

/** `Compact<()>`: encodes to nothing (the account index of MultiAddress, unused on TFChain). */
export const CompactUnit: Codec<null> = custom<null>(
  () => undefined,
  () => null,
  () => ({ path: [], params: [], def: { kind: 'compact', of: unit }, docs: [] }),
);

export const MultiAddress = enumeration(
  {
    path: 'sp_runtime::multiaddress::MultiAddress',
    params: [
      { name: 'AccountId', type: AccountId32 },
      { name: 'AccountIndex', type: unit },
    ],
  },
  {
    Id: [0, { type: AccountId32, typeName: 'AccountId' }],
    Index: [1, { type: CompactUnit, typeName: 'AccountIndex' }],
    Raw: [2, { type: bytes, typeName: 'Vec<u8>' }],
    Address32: [3, { type: fixedBytes(32), typeName: '[u8; 32]' }],
    Address20: [4, { type: fixedBytes(20), typeName: '[u8; 20]' }],
  },
);

export const Ed25519Public = wrapper({ path: 'sp_core::ed25519::Public' }, fixedBytes(32), '[u8; 32]');
export const Sr25519Public = wrapper({ path: 'sp_core::sr25519::Public' }, fixedBytes(32), '[u8; 32]');
export const Ed25519Signature = wrapper({ path: 'sp_core::ed25519::Signature' }, fixedBytes(64), '[u8; 64]');
export const Sr25519Signature = wrapper({ path: 'sp_core::sr25519::Signature' }, fixedBytes(64), '[u8; 64]');
export const EcdsaSignature = wrapper({ path: 'sp_core::ecdsa::Signature' }, fixedBytes(65), '[u8; 65]');

export const MultiSignature = enumeration(
  { path: 'sp_runtime::MultiSignature' },
  {
    Ed25519: [0, { type: Ed25519Signature, typeName: 'ed25519::Signature' }],
    Sr25519: [1, { type: Sr25519Signature, typeName: 'sr25519::Signature' }],
    Ecdsa: [2, { type: EcdsaSignature, typeName: 'ecdsa::Signature' }],
  },
);

/** The uninhabited `sp_core::Void`. */
export const Void = enumeration({ path: 'sp_core::Void' }, []);

const ConsensusEngineId = { type: fixedBytes(4), typeName: 'ConsensusEngineId' };
const VecU8 = { type: bytes, typeName: 'Vec<u8>' };

export const DigestItem = enumeration(
  { path: 'sp_runtime::generic::digest::DigestItem' },
  {
    PreRuntime: [6, [ConsensusEngineId, VecU8]],
    Consensus: [4, [ConsensusEngineId, VecU8]],
    Seal: [5, [ConsensusEngineId, VecU8]],
    Other: [0, VecU8],
    RuntimeEnvironmentUpdated: [8, null],
  },
);

export const Digest = struct(
  { path: 'sp_runtime::generic::digest::Digest' },
  { logs: { type: vec(DigestItem), typeName: 'Vec<DigestItem>' } },
);

/** `sp_runtime::generic::header::Header<u32, BlakeTwo256>` (the Hash parameter is skipped in its type info). */
export const Header = struct(
  { path: 'sp_runtime::generic::header::Header', params: [{ name: 'Number', type: u32 }, { name: 'Hash' }] },
  {
    parent_hash: { type: H256, typeName: 'Hash::Output' },
    number: { type: compact(u32), typeName: 'Number' },
    state_root: { type: H256, typeName: 'Hash::Output' },
    extrinsics_root: { type: H256, typeName: 'Hash::Output' },
    digest: { type: Digest, typeName: 'Digest' },
  },
);

/** `bounded_collections::bounded_vec::BoundedVec<T, S>`: call once per Rust type (each bound S is its own type). */
export function boundedVec<T>(of: Codec<T>): Codec<T[]> {
  return wrapper(
    { path: 'bounded_collections::bounded_vec::BoundedVec', params: [{ name: 'T', type: of }, { name: 'S' }] },
    vec(of),
    'Vec<T>',
  );
}

/** `BoundedVec<u8, S>` whose value is a Uint8Array (like `bytes`); call once per Rust type. */
export function boundedBytes(): Codec<Uint8Array> {
  return wrapper(
    { path: 'bounded_collections::bounded_vec::BoundedVec', params: [{ name: 'T', type: u8 }, { name: 'S' }] },
    bytes,
    'Vec<T>',
  );
}

/** `bounded_collections::weak_bounded_vec::WeakBoundedVec<T, S>` */
export function weakBoundedVec<T>(of: Codec<T>): Codec<T[]> {
  return wrapper(
    { path: 'bounded_collections::weak_bounded_vec::WeakBoundedVec', params: [{ name: 'T', type: of }, { name: 'S' }] },
    vec(of),
    'Vec<T>',
  );
}

/** `tfchain_runtime::Runtime`: the metadata's runtime type (also the `T` of ContractIdProvides). */
export const Runtime = empty({ path: 'tfchain_runtime::Runtime' });
