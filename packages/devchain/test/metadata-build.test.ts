import { Metadata, TypeRegistry } from '@polkadot/types';
import { u8aToHex } from '@polkadot/util';
import { buildMetadata, encodeMetadataV14, PortableRegistryBuilder } from '../src/metadata';
import * as s from '../src/scale';
import type { RuntimeDecl } from '../src/pallets/definition';

// A small runtime of our own, shaped like a FRAME one, so the builder is tested on its own.
const AccountId32 = s.wrapper({ path: 'sp_core::crypto::AccountId32' }, s.fixedBytes(32), '[u8; 32]');
const H256 = s.wrapper({ path: 'primitive_types::H256' }, s.fixedBytes(32), '[u8; 32]');
const T = [{ name: 'T' }];

const Call = s.lazy(() => RuntimeCall);
const Event = s.lazy(() => RuntimeEvent);

const systemCall = s.enumeration(
  { path: 'frame_system::pallet::Call', params: T },
  {
    remark: [0, { remark: { type: s.bytes, typeName: 'Vec<u8>' } }],
    set_heap_pages: [1, { pages: { type: s.u64, typeName: 'u64' } }],
  },
);
const systemEvent = s.enumeration(
  { path: 'frame_system::pallet::Event', params: T },
  {
    CodeUpdated: [2, null],
    NewAccount: [3, { account: { type: AccountId32, typeName: 'T::AccountId' } }],
  },
);
const systemError = s.enumeration({ path: 'frame_system::pallet::Error', params: T }, ['InvalidSpecName', 'CallFiltered']);

const utilityCall = s.enumeration(
  { path: 'pallet_utility::pallet::Call', params: T },
  {
    batch: [0, { calls: { type: s.vec(Call), typeName: 'Vec<<T as Config>::RuntimeCall>' } }],
    as_derivative: [1, { index: { type: s.u16, typeName: 'u16' }, call: { type: Call, typeName: 'Box<<T as Config>::RuntimeCall>' } }],
  },
);
const utilityEvent = s.enumeration({ path: 'pallet_utility::pallet::Event' }, ['BatchCompleted']);

const RuntimeCall: s.Codec<s.Enum> = s.enumeration(
  { path: 'tfchain_runtime::RuntimeCall' },
  {
    System: [0, { type: systemCall, typeName: 'CallableCallFor<System, Runtime>' }],
    Utility: [3, { type: utilityCall, typeName: 'CallableCallFor<Utility, Runtime>' }],
  },
);
const RuntimeEvent: s.Codec<s.Enum> = s.enumeration(
  { path: 'tfchain_runtime::RuntimeEvent' },
  {
    System: [0, systemEvent],
    Utility: [3, utilityEvent],
  },
);
const RuntimeError = s.enumeration({ path: 'tfchain_runtime::RuntimeError' }, { System: [0, systemError] });

const Phase = s.enumeration(
  { path: 'frame_system::Phase' },
  { ApplyExtrinsic: [0, s.u32], Finalization: [1, null], Initialization: [2, null] },
);
const EventRecord = s.struct(
  {
    path: 'frame_system::EventRecord',
    params: [
      { name: 'E', type: Event },
      { name: 'T', type: H256 },
    ],
  },
  { phase: Phase, event: { type: Event, typeName: 'E' }, topics: { type: s.vec(H256), typeName: 'Vec<T>' } },
);
const AccountInfo = s.struct({ path: 'frame_system::AccountInfo' }, { nonce: s.u32, free: s.u128 });

const MultiAddress = s.enumeration(
  {
    path: 'sp_runtime::multiaddress::MultiAddress',
    params: [
      { name: 'AccountId', type: AccountId32 },
      { name: 'AccountIndex', type: s.unit },
    ],
  },
  { Id: [0, { type: AccountId32, typeName: 'AccountId' }], Raw: [2, { type: s.bytes, typeName: 'Vec<u8>' }] },
);
const MultiSignature = s.enumeration({ path: 'sp_runtime::MultiSignature' }, { Sr25519: [1, s.fixedBytes(64)] });
const CheckSpecVersion = s.empty({ path: 'frame_system::extensions::check_spec_version::CheckSpecVersion', params: T });
const CheckNonce = s.wrapper({ path: 'frame_system::extensions::check_nonce::CheckNonce', params: T }, s.compact(s.u32), 'T::Nonce');
const Extra = s.tuple(CheckSpecVersion, CheckNonce);
const UncheckedExtrinsic = s.wrapper(
  {
    path: 'sp_runtime::generic::unchecked_extrinsic::UncheckedExtrinsic',
    params: [
      { name: 'Address', type: MultiAddress },
      { name: 'Call', type: Call },
      { name: 'Signature', type: MultiSignature },
      { name: 'Extra', type: Extra },
    ],
  },
  s.bytes,
);

function makeRuntime(overrides: Partial<RuntimeDecl> = {}): RuntimeDecl {
  return {
    pallets: [
      {
        name: 'System',
        index: 0,
        calls: systemCall,
        events: systemEvent,
        errors: systemError,
        storage: [
          {
            name: 'Account',
            modifier: 'Default',
            hashers: ['Blake2_128Concat'],
            keys: [AccountId32],
            value: AccountInfo,
            fallback: { nonce: 0, free: 0n },
            docs: ['The accounts.'],
          },
          { name: 'Number', modifier: 'Default', hashers: [], keys: [], value: s.u32, fallback: 7 },
          { name: 'Events', modifier: 'Default', hashers: [], keys: [], value: s.vec(EventRecord), fallback: [] },
          { name: 'Pairs', modifier: 'Optional', hashers: ['Twox64Concat', 'Identity'], keys: [s.u32, AccountId32], value: s.vec(s.u8) },
        ],
        constants: [{ name: 'SS58Prefix', type: s.u16, value: 42, docs: ['The prefix.'] }],
        docs: ['The system pallet.'],
      },
      { name: 'Utility', index: 3, calls: utilityCall, events: utilityEvent, constants: [] },
    ],
    call: RuntimeCall,
    event: RuntimeEvent,
    error: RuntimeError,
    runtimeType: s.empty({ path: 'tfchain_runtime::Runtime' }),
    extrinsic: {
      version: 4,
      type: UncheckedExtrinsic,
      address: MultiAddress,
      signature: MultiSignature,
      extra: Extra,
      signedExtensions: [
        { identifier: 'CheckSpecVersion', type: CheckSpecVersion, additionalSigned: s.u32 },
        { identifier: 'CheckNonce', type: CheckNonce, additionalSigned: s.unit },
      ],
    },
    apis: [
      {
        name: 'Core',
        methods: [{ name: 'version', inputs: [], output: s.bytes, docs: ['The version.'] }],
        docs: ['The core API.'],
      },
      {
        name: 'AccountNonceApi',
        methods: [{ name: 'account_nonce', inputs: [{ name: 'account', type: AccountId32 }], output: s.u32 }],
      },
    ],
    ...overrides,
  };
}

const runtime = makeRuntime();

describe('metadata: building', () => {
  test('V14 and V15 are prefixed with "meta" and the version', () => {
    const { v14, v15, versions } = buildMetadata(runtime);
    expect(u8aToHex(v14.subarray(0, 5))).toBe('0x6d6574610e');
    expect(u8aToHex(v15.subarray(0, 5))).toBe('0x6d6574610f');
    expect(versions).toEqual([14, 15]);
  });

  test('is memoized per runtime object', () => {
    expect(buildMetadata(runtime)).toBe(buildMetadata(runtime));
    expect(buildMetadata(makeRuntime())).not.toBe(buildMetadata(runtime));
  });

  test('V14 decodes with @polkadot/types and shows pallets, calls, events, errors, storage, constants', () => {
    const m = new Metadata(new TypeRegistry(), buildMetadata(runtime).v14);
    expect(m.version).toBe(14);
    const v14 = m.asV14;
    const lookup = v14.lookup;
    const [system, utility] = v14.pallets;
    expect(v14.pallets.map((p) => [p.name.toString(), p.index.toNumber()])).toEqual([
      ['System', 0],
      ['Utility', 3],
    ]);
    const calls = lookup.getSiType(system!.calls.unwrap().type).def.asVariant.variants;
    expect(calls.map((v) => [v.name.toString(), v.index.toNumber(), v.fields.map((f) => f.name.unwrap().toString())])).toEqual([
      ['remark', 0, ['remark']],
      ['set_heap_pages', 1, ['pages']],
    ]);
    const events = lookup.getSiType(system!.events.unwrap().type).def.asVariant.variants;
    expect(events.map((v) => [v.name.toString(), v.index.toNumber()])).toEqual([
      ['CodeUpdated', 2],
      ['NewAccount', 3],
    ]);
    expect(lookup.getSiType(system!.errors.unwrap().type).def.asVariant.variants.map((v) => v.name.toString())).toEqual([
      'InvalidSpecName',
      'CallFiltered',
    ]);
    expect(utility!.storage.isNone).toBe(true);
    expect(utility!.errors.isNone).toBe(true);

    const storage = system!.storage.unwrap();
    expect(storage.prefix.toString()).toBe('System');
    const items = storage.items.toJSON() as any[];
    expect(items.map((i) => [i.name, i.modifier])).toEqual([
      ['Account', 'Default'],
      ['Number', 'Default'],
      ['Events', 'Default'],
      ['Pairs', 'Optional'],
    ]);
    expect(items[0].fallback).toBe('0x' + '00'.repeat(4 + 16));
    expect(items[0].docs).toEqual(['The accounts.']);
    expect(items[1].fallback).toBe('0x07000000');
    expect(items[2].fallback).toBe('0x00');
    expect(items[3].fallback).toBe('0x00');
    expect(items[0].type.map.hashers).toEqual(['Blake2_128Concat']);
    expect(lookup.getSiType(items[0].type.map.key).path.join('::')).toBe('sp_core::crypto::AccountId32');
    // Several hashers: the key is the tuple of the key types.
    expect(items[3].type.map.hashers).toEqual(['Twox64Concat', 'Identity']);
    const pairKey = lookup.getSiType(items[3].type.map.key).def;
    expect(pairKey.isTuple).toBe(true);
    expect(pairKey.asTuple.map((t) => lookup.getSiType(t).def.toJSON())).toEqual([{ primitive: 'U32' }, { composite: expect.anything() }]);

    expect(system!.constants.toJSON()).toEqual([{ name: 'SS58Prefix', type: expect.any(Number), value: '0x2a00', docs: ['The prefix.'] }]);

    const ex = v14.extrinsic;
    expect(ex.version.toNumber()).toBe(4);
    expect(lookup.getSiType(ex.type).path.join('::')).toBe('sp_runtime::generic::unchecked_extrinsic::UncheckedExtrinsic');
    expect(ex.signedExtensions.map((x) => x.identifier.toString())).toEqual(['CheckSpecVersion', 'CheckNonce']);
    expect(lookup.getSiType(v14.type).path.join('::')).toBe('tfchain_runtime::Runtime');
  });

  test('V15 decodes with pallet docs, the extrinsic parts, runtime APIs and outer enums', () => {
    const m = new Metadata(new TypeRegistry(), buildMetadata(runtime).v15);
    expect(m.version).toBe(15);
    const v15 = m.asV15;
    const path = (id: { toNumber(): number }) => v15.lookup.getSiType(id.toNumber()).path.join('::');
    expect(v15.pallets.map((p) => [p.name.toString(), p.docs.map((d) => d.toString())])).toEqual([
      ['System', ['The system pallet.']],
      ['Utility', []],
    ]);
    expect(v15.extrinsic.version.toNumber()).toBe(4);
    expect(path(v15.extrinsic.addressType)).toBe('sp_runtime::multiaddress::MultiAddress');
    expect(path(v15.extrinsic.callType)).toBe('tfchain_runtime::RuntimeCall');
    expect(path(v15.extrinsic.signatureType)).toBe('sp_runtime::MultiSignature');
    expect(v15.lookup.getSiType(v15.extrinsic.extraType.toNumber()).def.asTuple.length).toBe(2);
    expect(path(v15.outerEnums.callType)).toBe('tfchain_runtime::RuntimeCall');
    expect(path(v15.outerEnums.eventType)).toBe('tfchain_runtime::RuntimeEvent');
    expect(path(v15.outerEnums.errorType)).toBe('tfchain_runtime::RuntimeError');
    expect(v15.apis.toJSON()).toEqual([
      {
        name: 'Core',
        methods: [{ name: 'version', inputs: [], output: expect.any(Number), docs: ['The version.'] }],
        docs: ['The core API.'],
      },
      {
        name: 'AccountNonceApi',
        methods: [{ name: 'account_nonce', inputs: [{ name: 'account', type: expect.any(Number) }], output: expect.any(Number), docs: [] }],
        docs: [],
      },
    ]);
    expect(v15.custom.map.size).toBe(0);
    // V14 leaves out what only V15 needs.
    const v14paths = new Metadata(new TypeRegistry(), buildMetadata(runtime).v14).asV14.lookup.types.map((t) => t.type.path.join('::'));
    expect(v14paths).not.toContain('tfchain_runtime::RuntimeError');
    expect(v15.lookup.types.map((t) => t.type.path.join('::'))).toContain('tfchain_runtime::RuntimeError');
  });

  // V15 names no extrinsic type, but @polkadot/types finds Call, Address and Signature through
  // the UncheckedExtrinsic type in the registry (a real runtime reaches it from its APIs).
  test.each(['v14', 'v15'] as const)('a recursive type (RuntimeCall holding Vec<RuntimeCall>) works in @polkadot/types (%s)', (version) => {
    const registry = new TypeRegistry();
    const metadata = new Metadata(registry, buildMetadata(runtime)[version]);
    registry.setMetadata(metadata);
    const inner = { type: 'System', value: { type: 'remark', value: { remark: new Uint8Array([1, 2]) } } };
    const batch = {
      type: 'Utility',
      value: { type: 'batch', value: { calls: [inner, { type: 'Utility', value: { type: 'batch', value: { calls: [inner] } } }] } },
    };
    const ours = s.encode(RuntimeCall, batch);
    const call = registry.createType('Call', ours);
    expect(call.section).toBe('utility');
    expect(call.method).toBe('batch');
    expect(call.toHex()).toBe(u8aToHex(ours));
    const calls = call.args[0] as unknown as { section: string; method: string }[];
    expect(calls.map((c) => `${c.section}.${c.method}`)).toEqual(['system.remark', 'utility.batch']);
    expect(s.decode(RuntimeCall, call.toU8a())).toEqual(batch);

    // RuntimeCall and Vec<RuntimeCall> each appear once.
    const lookup = (version === 'v14' ? metadata.asV14 : metadata.asV15).lookup.types;
    const callIds = lookup.filter((t) => t.type.path.join('::') === 'tfchain_runtime::RuntimeCall').map((t) => t.id.toNumber());
    expect(callIds).toHaveLength(1);
    expect(registry.lookup.getTypeDef(callIds[0]!).type).toBe('Call');
    expect(lookup.filter((t) => t.type.def.isSequence && t.type.def.asSequence.type.toNumber() === callIds[0])).toHaveLength(1);
  });

  test('path-less types are deduplicated structurally, named types by identity', () => {
    const b = new PortableRegistryBuilder();
    const a1 = b.register(s.vec(s.u8));
    expect(b.register(s.vec(s.u8))).toBe(a1);
    expect(b.register(s.bytes)).toBe(a1);
    expect(b.register(s.lazy(() => s.vec(s.u8)))).toBe(a1);
    expect(b.register(s.tuple(s.u32, s.bytes))).toBe(b.register(s.tuple(s.u32, s.vec(s.u8))));
    expect(b.register(s.fixedBytes(32))).toBe(b.register(s.array(s.u8, 32)));
    expect(b.register(s.compact(s.u32))).not.toBe(b.register(s.compact(s.u64)));
    expect(b.register(AccountId32)).toBe(b.register(s.lazy(() => AccountId32)));
    // Same path, different shape: two types.
    const other = s.wrapper({ path: 'sp_core::crypto::AccountId32' }, s.fixedBytes(20));
    expect(b.register(other)).not.toBe(b.register(AccountId32));
    // The same Rust type declared twice (two `option(u64)` codecs): one type after finishing.
    const opt1 = s.option(s.u64);
    const opt2 = s.option(s.u64);
    expect(b.register(opt1)).not.toBe(b.register(opt2));
    const r = b.finish();
    expect(r.idOf(opt1)).toBe(r.idOf(opt2));
    expect(r.idOf(s.vec(s.u8))).toBe(r.idOf(s.bytes));
    expect(r.types.filter((t) => t.path[0] === 'Option')).toHaveLength(1);
    expect(r.types.filter((t) => t.def.kind === 'primitive' && t.def.name === 'u8')).toHaveLength(1);
    expect(r.types.filter((t) => t.path.join('::') === 'sp_core::crypto::AccountId32')).toHaveLength(2);
    r.types.forEach((t, i) => expect(t.id).toBe(i));
    expect(() => r.idOf(s.option(s.u32))).toThrow(/not registered/);

    // In the built metadata: one Vec<u8>, one u8, one [u8; 32].
    const types = new Metadata(new TypeRegistry(), buildMetadata(runtime).v14).asV14.lookup.types.map((t) => t.type.toJSON() as any);
    const u8id = types.findIndex((t) => t.def.primitive === 'U8');
    expect(types.filter((t) => t.def.primitive === 'U8')).toHaveLength(1);
    expect(types.filter((t) => t.def.sequence?.type === u8id)).toHaveLength(1);
    expect(types.filter((t) => t.def.array?.type === u8id && t.def.array.len === 32)).toHaveLength(1);
  });

  test('field type names and docs are kept', () => {
    const m = new Metadata(new TypeRegistry(), encodeMetadataV14(runtime)).asV14;
    const utility = m.lookup.getSiType(m.pallets[1]!.calls.unwrap().type).def.asVariant.variants[0]!;
    expect(utility.fields.map((f) => f.typeName.unwrap().toString())).toEqual(['Vec<<T as Config>::RuntimeCall>']);
    const record = m.lookup.types.find((t) => t.type.path.join('::') === 'frame_system::EventRecord')!.type;
    expect(record.params.map((p) => p.name.toString())).toEqual(['E', 'T']);
    expect(record.def.asComposite.fields.map((f) => [f.name.unwrap().toString(), f.typeName.unwrapOr('').toString()])).toEqual([
      ['phase', ''],
      ['event', 'E'],
      ['topics', 'Vec<T>'],
    ]);
  });

  test('a Default storage item without a fallback is a clear error', () => {
    const rt = makeRuntime();
    rt.pallets = [{ name: 'Broken', index: 9, storage: [{ name: 'Thing', modifier: 'Default', hashers: [], keys: [], value: s.u32 }] }];
    expect(() => buildMetadata(rt)).toThrow('storage Broken.Thing: Default modifier needs a fallback value');
    rt.pallets = [{ name: 'Broken', index: 9, constants: [{ name: 'Max', type: s.u8, value: 300 }] }];
    expect(() => buildMetadata(rt)).toThrow(/constant Broken.Max: cannot encode/);
    rt.pallets = [
      { name: 'Broken', index: 9, storage: [{ name: 'M', modifier: 'Optional', hashers: ['Identity'], keys: [], value: s.u32 }] },
    ];
    expect(() => buildMetadata(rt)).toThrow('storage Broken.M: 1 hasher(s) but 0 key(s)');
  });
});
