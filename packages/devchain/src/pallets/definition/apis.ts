/**
 * The runtime APIs TFChain (polkadot-v1.0.0 Substrate) implements, for metadata V15, with their
 * standard signatures. The versions are in `runtimeVersion.apis` (system.ts).
 */
import {
  bool,
  bytes,
  type Codec,
  enumeration,
  fixedBytes,
  option,
  result,
  struct,
  tuple,
  u128,
  u32,
  u64,
  u8,
  unit,
  vec,
  wrapper,
} from '../../scale/codec';
import { Block, UncheckedExtrinsic } from './extrinsic';
import {
  AccountId32,
  DispatchResult,
  Ed25519Public,
  Ed25519Signature,
  H256,
  Header,
  OptionBytes,
  Sr25519Public,
  Weight,
} from './primitives';
import { RuntimeVersion } from './system';
import { FeeDetails, RuntimeDispatchInfo } from './transaction-payment';
import type { RuntimeApiDecl, RuntimeApiMethodDecl } from './types';

// ---- sp_core / sp_inherents / sp_runtime::transaction_validity ----

export const OpaqueMetadata = wrapper({ path: 'sp_core::OpaqueMetadata' }, bytes, 'Vec<u8>');

export const InherentData = struct(
  { path: 'sp_inherents::InherentData' },
  {
    data: {
      type: wrapper(
        {
          path: 'BTreeMap',
          params: [
            { name: 'K', type: fixedBytes(8) },
            { name: 'V', type: bytes },
          ],
        },
        vec(tuple(fixedBytes(8), bytes)),
      ),
      typeName: 'BTreeMap<InherentIdentifier, Vec<u8>>',
    },
  },
);

export const CheckInherentsResult = struct(
  { path: 'sp_inherents::CheckInherentsResult' },
  {
    okay: { type: bool, typeName: 'bool' },
    fatal_error: { type: bool, typeName: 'bool' },
    errors: { type: InherentData, typeName: 'InherentData' },
  },
);

export const InvalidTransaction = enumeration(
  { path: 'sp_runtime::transaction_validity::InvalidTransaction' },
  {
    Call: [0, null],
    Payment: [1, null],
    Future: [2, null],
    Stale: [3, null],
    BadProof: [4, null],
    AncientBirthBlock: [5, null],
    ExhaustsResources: [6, null],
    Custom: [7, { type: u8, typeName: 'u8' }],
    BadMandatory: [8, null],
    MandatoryValidation: [9, null],
    BadSigner: [10, null],
  },
);

export const UnknownTransaction = enumeration(
  { path: 'sp_runtime::transaction_validity::UnknownTransaction' },
  { CannotLookup: [0, null], NoUnsignedValidator: [1, null], Custom: [2, { type: u8, typeName: 'u8' }] },
);

export const TransactionValidityError = enumeration(
  { path: 'sp_runtime::transaction_validity::TransactionValidityError' },
  {
    Invalid: [0, { type: InvalidTransaction, typeName: 'InvalidTransaction' }],
    Unknown: [1, { type: UnknownTransaction, typeName: 'UnknownTransaction' }],
  },
);

/** `ApplyExtrinsicResult` */
export const ApplyExtrinsicResult = result(DispatchResult, TransactionValidityError);

export const TransactionSource = enumeration({ path: 'sp_runtime::transaction_validity::TransactionSource' }, [
  'InBlock',
  'Local',
  'External',
]);

export const ValidTransaction = struct(
  { path: 'sp_runtime::transaction_validity::ValidTransaction' },
  {
    priority: { type: u64, typeName: 'TransactionPriority' },
    requires: { type: vec(bytes), typeName: 'Vec<TransactionTag>' },
    provides: { type: vec(bytes), typeName: 'Vec<TransactionTag>' },
    longevity: { type: u64, typeName: 'TransactionLongevity' },
    propagate: { type: bool, typeName: 'bool' },
  },
);

/** `TransactionValidity` */
export const TransactionValidity = result(ValidTransaction, TransactionValidityError);

// ---- consensus (Aura, GRANDPA) and session keys ----

export const SlotDuration = wrapper({ path: 'sp_consensus_slots::SlotDuration' }, u64, 'u64');
export const AuraId = wrapper({ path: 'sp_consensus_aura::sr25519::app_sr25519::Public' }, Sr25519Public, 'sr25519::Public');
export const GrandpaId = wrapper({ path: 'sp_consensus_grandpa::app::Public' }, Ed25519Public, 'ed25519::Public');
export const GrandpaSignature = wrapper({ path: 'sp_consensus_grandpa::app::Signature' }, Ed25519Signature, 'ed25519::Signature');
export const KeyTypeId = wrapper({ path: 'sp_core::crypto::KeyTypeId' }, fixedBytes(4), '[u8; 4]');
export const OpaqueKeyOwnershipProof = wrapper({ path: 'sp_consensus_grandpa::OpaqueKeyOwnershipProof' }, bytes, 'Vec<u8>');

const HN = [
  { name: 'H', type: H256 },
  { name: 'N', type: u32 },
];

function grandpaMessage(name: 'Prevote' | 'Precommit') {
  return struct(
    { path: `finality_grandpa::${name}`, params: HN },
    { target_hash: { type: H256, typeName: 'H' }, target_number: { type: u32, typeName: 'N' } },
  );
}

function grandpaEquivocation(message: Codec<any>) {
  const pair = { type: tuple(message, GrandpaSignature), typeName: '(V, S)' };
  return struct(
    {
      path: 'finality_grandpa::Equivocation',
      params: [
        { name: 'Id', type: GrandpaId },
        { name: 'V', type: message },
        { name: 'S', type: GrandpaSignature },
      ],
    },
    { round_number: { type: u64, typeName: 'u64' }, identity: { type: GrandpaId, typeName: 'Id' }, first: pair, second: pair },
  );
}

export const GrandpaEquivocation = enumeration(
  { path: 'sp_consensus_grandpa::Equivocation', params: HN },
  {
    Prevote: [
      0,
      {
        type: grandpaEquivocation(grandpaMessage('Prevote')),
        typeName: 'grandpa::Equivocation<AuthorityId, grandpa::Prevote<H, N>,\nAuthoritySignature>',
      },
    ],
    Precommit: [
      1,
      {
        type: grandpaEquivocation(grandpaMessage('Precommit')),
        typeName: 'grandpa::Equivocation<AuthorityId, grandpa::Precommit<H, N>,\nAuthoritySignature>',
      },
    ],
  },
);

export const GrandpaEquivocationProof = struct(
  { path: 'sp_consensus_grandpa::EquivocationProof', params: HN },
  { set_id: { type: u64, typeName: 'SetId' }, equivocation: { type: GrandpaEquivocation, typeName: 'Equivocation<H, N>' } },
);

// ---- the APIs ----

const m = (name: string, inputs: [string, Codec<any>][], output: Codec<any>): RuntimeApiMethodDecl => ({
  name,
  inputs: inputs.map(([n, type]) => ({ name: n, type })),
  output,
});

export const apis: RuntimeApiDecl[] = [
  {
    name: 'Core',
    methods: [
      m('version', [], RuntimeVersion),
      m('execute_block', [['block', Block]], unit),
      m('initialize_block', [['header', Header]], unit),
    ],
  },
  {
    name: 'Metadata',
    methods: [
      m('metadata', [], OpaqueMetadata),
      m('metadata_at_version', [['version', u32]], option(OpaqueMetadata)),
      m('metadata_versions', [], vec(u32)),
    ],
  },
  {
    name: 'BlockBuilder',
    methods: [
      m('apply_extrinsic', [['extrinsic', UncheckedExtrinsic]], ApplyExtrinsicResult),
      m('finalize_block', [], Header),
      m('inherent_extrinsics', [['inherent', InherentData]], vec(UncheckedExtrinsic)),
      m(
        'check_inherents',
        [
          ['block', Block],
          ['data', InherentData],
        ],
        CheckInherentsResult,
      ),
    ],
  },
  {
    name: 'TaggedTransactionQueue',
    methods: [
      m(
        'validate_transaction',
        [
          ['source', TransactionSource],
          ['tx', UncheckedExtrinsic],
          ['block_hash', H256],
        ],
        TransactionValidity,
      ),
    ],
  },
  { name: 'OffchainWorkerApi', methods: [m('offchain_worker', [['header', Header]], unit)] },
  { name: 'AuraApi', methods: [m('slot_duration', [], SlotDuration), m('authorities', [], vec(AuraId))] },
  {
    name: 'SessionKeys',
    methods: [
      m('generate_session_keys', [['seed', OptionBytes]], bytes),
      m('decode_session_keys', [['encoded', bytes]], option(vec(tuple(bytes, KeyTypeId)))),
    ],
  },
  {
    name: 'GrandpaApi',
    methods: [
      m('grandpa_authorities', [], vec(tuple(GrandpaId, u64))),
      m(
        'submit_report_equivocation_unsigned_extrinsic',
        [
          ['equivocation_proof', GrandpaEquivocationProof],
          ['key_owner_proof', OpaqueKeyOwnershipProof],
        ],
        option(unit),
      ),
      m(
        'generate_key_ownership_proof',
        [
          ['set_id', u64],
          ['authority_id', GrandpaId],
        ],
        option(OpaqueKeyOwnershipProof),
      ),
      m('current_set_id', [], u64),
    ],
  },
  { name: 'AccountNonceApi', methods: [m('account_nonce', [['account', AccountId32]], u32)] },
  {
    name: 'TransactionPaymentApi',
    methods: [
      m(
        'query_info',
        [
          ['uxt', UncheckedExtrinsic],
          ['len', u32],
        ],
        RuntimeDispatchInfo,
      ),
      m(
        'query_fee_details',
        [
          ['uxt', UncheckedExtrinsic],
          ['len', u32],
        ],
        FeeDetails,
      ),
      m('query_weight_to_fee', [['weight', Weight]], u128),
      m('query_length_to_fee', [['length', u32]], u128),
    ],
  },
];
