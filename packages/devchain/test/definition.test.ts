/**
 * The runtime definition against the real TFChain metadata (spec 152): every type reachable from
 * the declared pallets, every storage item and constant, the extrinsic and its signed extensions;
 * plus codec round trips and values exchanged with @polkadot/types.
 */
import { Metadata, TypeRegistry } from '@polkadot/types';
import { hexToU8a, u8aToHex } from '@polkadot/util';
import { type Codec, decode, encode, type Enum, resolve } from '../src/scale';
import {
  AccountInfo,
  balancesPallet,
  Contract,
  ContractBill,
  decodeExtrinsic,
  DispatchError,
  encodeExtrinsic,
  eraBirth,
  eraDeath,
  eraPeriodPhase,
  EventRecord,
  extra,
  Farm,
  kvStorePallet,
  mortalEra,
  MultiAddress,
  Node,
  OriginCaller,
  Runtime,
  runtime,
  RuntimeCall,
  RuntimeEvent,
  runtimeVersion,
  smartContractPallet,
  tfgridPallet,
  tftPricePallet,
  UncheckedExtrinsic,
} from '../src/pallets/definition';
import { referenceMetadataHex } from './reference/reference';

const ALICE = new Uint8Array(32).fill(0xa1);
const BOB = new Uint8Array(32).fill(0xb0);

// ---------------------------------------------------------------- the reference

interface RefField {
  name: string | null;
  type: number;
  typeName: string | null;
  docs: string[];
}
interface RefVariant {
  name: string;
  index: number;
  fields: RefField[];
  docs: string[];
}
interface RefType {
  path: string[];
  params: { name: string; type: number | null }[];
  def: {
    composite?: { fields: RefField[] };
    variant?: { variants: RefVariant[] };
    sequence?: { type: number };
    array?: { len: number; type: number };
    tuple?: number[];
    primitive?: string;
    compact?: { type: number };
    bitSequence?: unknown;
  };
  docs: string[];
}

interface Reference {
  registry: TypeRegistry;
  metadata: Metadata;
  types: RefType[];
  v14: any;
}

function loadReference(): Reference {
  const hex = referenceMetadataHex();
  const registry = new TypeRegistry();
  const metadata = new Metadata(registry, hex);
  registry.setMetadata(metadata, undefined, { ContractIdProvides: { extrinsic: {}, payload: {} } });
  const v14 = metadata.asV14;
  const types = (v14.lookup.types.toJSON() as unknown as { id: number; type: RefType }[]).map((t) => t.type);
  return { registry, metadata, types, v14 };
}

const ref = loadReference();

/** Outer enums of the real runtime hold every pallet; ours hold the declared ones, which must match. */
const SUBSET_PATHS = new Set(['tfchain_runtime::RuntimeCall', 'tfchain_runtime::RuntimeEvent']);

/**
 * Compares a codec's type description, recursively, with a reference type: paths, params, field
 * names and typeNames, variant names, indices and order (and docs where the codec gives them).
 * Also checks the identity rule: one reference (named) type, one codec object.
 */
class Conformance {
  readonly problems: string[] = [];
  readonly #codecOf = new Map<number, Codec<any>>();
  readonly #idOf = new Map<Codec<any>, number>();

  constructor(readonly types: RefType[]) {}

  check(codec: Codec<any>, id: number, where: string): void {
    const c = resolve(codec);
    const info = c.info;
    const r = this.types[id]!;
    const named = info.path.length > 0;
    const known = this.#codecOf.get(id);
    if (known) {
      if (known !== c && named)
        this.problems.push(`${where}: reference type #${id} (${r.path.join('::')}) is declared by two codec objects`);
      return;
    }
    this.#codecOf.set(id, c);
    const otherId = this.#idOf.get(c);
    if (otherId !== undefined && named)
      this.problems.push(`${where}: one codec (${info.path.join('::')}) stands for reference types #${otherId} and #${id}`);
    this.#idOf.set(c, id);

    const p = (msg: string): void => {
      this.problems.push(`${where} (#${id} ${r.path.join('::')}): ${msg}`);
    };
    if (info.path.join('::') !== r.path.join('::')) return p(`path ${info.path.join('::')} != ${r.path.join('::')}`);
    if (info.params.length !== r.params.length) return p(`params ${info.params.map((x) => x.name)} != ${r.params.map((x) => x.name)}`);
    info.params.forEach((param, i) => {
      const rp = r.params[i]!;
      if (param.name !== rp.name) p(`param ${i} named ${param.name} != ${rp.name}`);
      if ((param.type === undefined) !== (rp.type === null))
        p(`param ${param.name} typed ${param.type !== undefined} != ${rp.type !== null}`);
      else if (param.type && rp.type !== null) this.check(param.type, rp.type, `${where}<${param.name}>`);
    });

    const def = info.def;
    const rd = r.def;
    switch (def.kind) {
      case 'primitive':
        if (rd.primitive?.toLowerCase() !== def.name) p(`primitive ${def.name} != ${JSON.stringify(rd)}`);
        break;
      case 'compact':
        if (!rd.compact) p(`compact != ${Object.keys(rd)}`);
        else this.check(def.of, rd.compact.type, `${where}/compact`);
        break;
      case 'sequence':
        if (!rd.sequence) p(`sequence != ${Object.keys(rd)}`);
        else this.check(def.of, rd.sequence.type, `${where}/vec`);
        break;
      case 'array':
        if (!rd.array || rd.array.len !== def.len) p(`[_; ${def.len}] != ${JSON.stringify(rd)}`);
        else this.check(def.of, rd.array.type, `${where}/array`);
        break;
      case 'tuple':
        if (!rd.tuple || rd.tuple.length !== def.items.length) p(`tuple of ${def.items.length} != ${JSON.stringify(rd)}`);
        else def.items.forEach((item, i) => this.check(item, rd.tuple![i]!, `${where}.${i}`));
        break;
      case 'composite':
        if (!rd.composite) p(`composite != ${Object.keys(rd)}`);
        else this.#fields(def.fields, rd.composite.fields, where, p);
        break;
      case 'variant': {
        if (!rd.variant) {
          p(`variant != ${Object.keys(rd)}`);
          break;
        }
        const refVariants = rd.variant.variants;
        const subset = SUBSET_PATHS.has(info.path.join('::'));
        if (!subset && def.variants.map((v) => v.name).join() !== refVariants.map((v) => v.name).join()) {
          p(`variants ${def.variants.map((v) => v.name)} != ${refVariants.map((v) => v.name)}`);
          break;
        }
        let last = -1;
        for (const v of def.variants) {
          const at = refVariants.findIndex((x) => x.name === v.name);
          const rv = refVariants[at];
          if (!rv) {
            p(`no variant ${v.name} in the reference`);
            continue;
          }
          if (at < last) p(`variant ${v.name} out of the reference's order`);
          last = at;
          if (rv.index !== v.index) p(`variant ${v.name} index ${v.index} != ${rv.index}`);
          if (v.docs?.length && v.docs.join('\n') !== rv.docs.join('\n')) p(`variant ${v.name} docs differ`);
          this.#fields(v.fields, rv.fields, `${where}::${v.name}`, p);
        }
        break;
      }
    }
  }

  #fields(fields: { name?: string; type: Codec<any>; typeName?: string }[], refFields: RefField[], where: string, p: (m: string) => void) {
    if (fields.length !== refFields.length) return p(`${fields.length} fields != ${refFields.length}`);
    fields.forEach((f, i) => {
      const rf = refFields[i]!;
      if ((f.name ?? null) !== rf.name) p(`field ${i} named ${f.name} != ${rf.name}`);
      if ((f.typeName ?? null) !== rf.typeName)
        p(`field ${f.name ?? i} typeName ${JSON.stringify(f.typeName)} != ${JSON.stringify(rf.typeName)}`);
      this.check(f.type, rf.type, `${where}.${f.name ?? i}`);
    });
  }
}

describe('conformance with the TFChain spec 152 metadata', () => {
  const types = ref.types;
  const v14 = ref.v14;
  const refPallet = (name: string) => v14.pallets.find((p: any) => p.name.toString() === name);
  const conformance = new Conformance(types);
  // The identity maps are shared by all tests (one Rust type, one codec, across pallets); each
  // test reports the problems found while it ran (a type is compared where first reached).
  let mark = 0;
  beforeEach(() => {
    mark = conformance.problems.length;
  });
  const newProblems = () => conformance.problems.slice(mark);

  it.each(runtime.pallets.map((p) => [p.name, p] as const))('%s: index, calls, events and errors', (_name, pallet) => {
    const rp = refPallet(pallet.name);
    expect(rp).toBeDefined();
    expect(rp.index.toNumber()).toBe(pallet.index);
    for (const [part, key] of [
      [pallet.calls, 'calls'],
      [pallet.events, 'events'],
      [pallet.errors, 'errors'],
    ] as const) {
      const refPart = rp[key];
      expect([key, part !== undefined]).toEqual([key, refPart.isSome]);
      if (part && refPart.isSome) conformance.check(part, refPart.unwrap().type.toNumber(), `${pallet.name}.${key}`);
    }
    expect(newProblems()).toEqual([]);
  });

  it.each(runtime.pallets.map((p) => [p.name, p] as const))('%s: storage items', (_name, pallet) => {
    const rp = refPallet(pallet.name);
    const refItems: any[] = rp.storage.isSome ? [...rp.storage.unwrap().items] : [];
    if (rp.storage.isSome) expect(rp.storage.unwrap().prefix.toString()).toBe(pallet.name);
    expect((pallet.storage ?? []).map((s) => s.name)).toEqual(refItems.map((s) => s.name.toString()));
    for (const [i, item] of (pallet.storage ?? []).entries()) {
      const r = refItems[i];
      const where = `${pallet.name}.${item.name}`;
      expect([where, item.modifier]).toEqual([where, r.modifier.type]);
      if (r.type.isPlain) {
        expect([where, item.hashers, item.keys.length]).toEqual([where, [], 0]);
        conformance.check(item.value, r.type.asPlain.toNumber(), where);
      } else {
        const map = r.type.asMap;
        expect([where, item.hashers]).toEqual([where, map.hashers.map((h: any) => h.type)]);
        // One key, or several (a double map): then the reference key is the tuple of them.
        const refKeys = item.keys.length === 1 ? [map.key.toNumber()] : types[map.key.toNumber()]!.def.tuple;
        expect([where, item.keys.length]).toEqual([where, refKeys?.length]);
        item.keys.forEach((k, j) => conformance.check(k, refKeys![j]!, `${where} key ${j}`));
        conformance.check(item.value, map.value.toNumber(), where);
      }
      // The default read where nothing is stored: an Optional item reads None (0x00).
      const fallback = item.modifier === 'Optional' ? '0x00' : u8aToHex(encode(item.value, item.fallback));
      expect([where, fallback]).toEqual([where, r.fallback.toHex()]);
      if (item.modifier === 'Optional') expect(item.fallback).toBeUndefined();
    }
    expect(newProblems()).toEqual([]);
  });

  const constants = runtime.pallets.flatMap((p) => (p.constants ?? []).map((c) => [`${p.name}.${c.name}`, p, c] as const));

  it('declares every constant of the reference pallets', () => {
    for (const p of runtime.pallets) {
      expect([p.name, (p.constants ?? []).map((c) => c.name)]).toEqual([
        p.name,
        refPallet(p.name).constants.map((c: any) => c.name.toString()),
      ]);
    }
  });

  it.each(constants)('constant %s encodes to the reference bytes', (key, pallet, c) => {
    const rc = refPallet(pallet.name).constants.find((x: any) => x.name.toString() === c.name);
    expect(rc).toBeDefined();
    expect([key, u8aToHex(encode(c.type, c.value))]).toEqual([key, rc.value.toHex()]);
    conformance.check(c.type, rc.type.toNumber(), key);
    // and decodes back to the declared value
    expect(decode(c.type, encode(c.type, c.value))).toEqual(c.value);
    expect(newProblems()).toEqual([]);
  });

  it('the extrinsic, its signed extensions in order and the runtime type', () => {
    const ex = v14.extrinsic;
    expect(runtime.extrinsic.version).toBe(ex.version.toNumber());
    conformance.check(runtime.extrinsic.type, ex.type.toNumber(), 'UncheckedExtrinsic');
    const refExts: any[] = [...ex.signedExtensions];
    expect(runtime.extrinsic.signedExtensions.map((e) => e.identifier)).toEqual(refExts.map((e) => e.identifier.toString()));
    runtime.extrinsic.signedExtensions.forEach((e, i) => {
      conformance.check(e.type, refExts[i].type.toNumber(), `${e.identifier}`);
      conformance.check(e.additionalSigned, refExts[i].additionalSigned.toNumber(), `${e.identifier} additionalSigned`);
    });
    // The params of UncheckedExtrinsic are the address, signature and extra the runtime uses.
    const params = runtime.extrinsic.type.info.params;
    expect(params.map((p) => p.name)).toEqual(['Address', 'Call', 'Signature', 'Extra']);
    expect(resolve(params[0]!.type!)).toBe(runtime.extrinsic.address);
    expect(resolve(params[1]!.type!)).toBe(runtime.call);
    expect(resolve(params[2]!.type!)).toBe(runtime.extrinsic.signature);
    expect(resolve(params[3]!.type!)).toBe(runtime.extrinsic.extra);
    conformance.check(runtime.runtimeType, v14.type.toNumber(), 'Runtime');
    expect(runtime.runtimeType).toBe(Runtime);
    expect(newProblems()).toEqual([]);
  });

  it('OriginCaller is exactly the reference one (used by Utility.dispatch_as)', () => {
    const id = types.findIndex((t) => t.path.join('::') === 'tfchain_runtime::OriginCaller');
    conformance.check(OriginCaller, id, 'OriginCaller');
    expect(newProblems()).toEqual([]);
  });

  it('RuntimeCall and RuntimeEvent hold the declared pallets as the reference does', () => {
    const callId = v14.extrinsic.type.toNumber();
    const callParam = types[callId]!.params.find((p) => p.name === 'Call')!.type!;
    conformance.check(RuntimeCall, callParam, 'RuntimeCall');
    const eventsType =
      types[
        refPallet('System')
          .storage.unwrap()
          .items.find((s: any) => s.name.toString() === 'Events')
          .type.asPlain.toNumber()
      ]!;
    const recordId = eventsType.def.sequence!.type;
    conformance.check(EventRecord, recordId, 'EventRecord');
    expect(resolve(RuntimeCall)).toBe(runtime.call);
    expect(resolve(RuntimeEvent)).toBe(runtime.event);
    const names = (c: Codec<any>) => (c.info.def as { variants: { name: string }[] }).variants.map((v) => v.name);
    const grid = ['TfgridModule', 'SmartContractModule', 'TFTPriceModule', 'TFKVStore'];
    expect(names(runtime.call)).toEqual(['System', 'Timestamp', 'Utility', 'Balances', ...grid, 'Council', 'CouncilMembership']);
    expect(names(runtime.event)).toEqual(['System', 'Utility', 'Balances', 'TransactionPayment', ...grid, 'Council', 'CouncilMembership']);
    expect(newProblems()).toEqual([]);
  });
});

// ---------------------------------------------------------------- outer enums and APIs (V15)

describe('outer enums and runtime APIs', () => {
  it('RuntimeError wraps each pallet error at the pallet index with construct_runtime type names', () => {
    const def = runtime.error.info.def as {
      kind: string;
      variants: { name: string; index: number; fields: { type: Codec<any>; typeName?: string }[] }[];
    };
    expect(runtime.error.info.path).toEqual(['tfchain_runtime', 'RuntimeError']);
    expect(def.variants.map((v) => [v.name, v.index, v.fields[0]!.typeName])).toEqual([
      ['System', 0, 'frame_system::Error<Runtime>'],
      ['Utility', 3, 'pallet_utility::Error<Runtime>'],
      ['Balances', 20, 'pallet_balances::Error<Runtime>'],
      ['TfgridModule', 25, 'pallet_tfgrid::Error<Runtime>'],
      ['SmartContractModule', 26, 'pallet_smart_contract::Error<Runtime>'],
      ['TFTPriceModule', 28, 'pallet_tft_price::Error<Runtime>'],
      ['TFKVStore', 30, 'pallet_kvstore::Error<Runtime>'],
      ['Council', 40, 'pallet_collective::Error<Runtime, pallet_collective::Instance1>'],
      ['CouncilMembership', 41, 'pallet_membership::Error<Runtime, pallet_membership::Instance1>'],
    ]);
    expect(def.variants[2]!.fields[0]!.type).toBe(balancesPallet.errors);
    const err = { type: 'Balances', value: { type: 'InsufficientBalance' } };
    expect(u8aToHex(encode(runtime.error, err))).toBe('0x1402');
    expect(decode(runtime.error, hexToU8a('0x1402'))).toEqual(err);
  });

  it('lists the runtime APIs of RuntimeVersion.apis, named by their Substrate names', () => {
    expect(runtime.apis.map((a) => a.name)).toEqual([
      'Core',
      'Metadata',
      'BlockBuilder',
      'TaggedTransactionQueue',
      'OffchainWorkerApi',
      'AuraApi',
      'SessionKeys',
      'GrandpaApi',
      'AccountNonceApi',
      'TransactionPaymentApi',
    ]);
    expect(runtimeVersion.apis).toHaveLength(runtime.apis.length);
    const method = (api: string, name: string) => runtime.apis.find((a) => a.name === api)!.methods.find((m) => m.name === name)!;
    expect(method('AccountNonceApi', 'account_nonce').inputs.map((i) => i.name)).toEqual(['account']);
    expect(method('TransactionPaymentApi', 'query_info').inputs.map((i) => i.name)).toEqual(['uxt', 'len']);
    expect(resolve(method('TransactionPaymentApi', 'query_info').inputs[0]!.type)).toBe(UncheckedExtrinsic);
    expect(method('TransactionPaymentApi', 'query_info').output.info.path.join('::')).toBe(
      'pallet_transaction_payment::types::RuntimeDispatchInfo',
    );
    expect(method('TransactionPaymentApi', 'query_fee_details').output.info.path.join('::')).toBe(
      'pallet_transaction_payment::types::FeeDetails',
    );
    expect(method('Core', 'version').output.info.path.join('::')).toBe('sp_version::RuntimeVersion');
    expect(method('Metadata', 'metadata').output.info.path.join('::')).toBe('sp_core::OpaqueMetadata');
    const info = { weight: { ref_time: 1_000n, proof_size: 0n }, class: { type: 'Normal' }, partial_fee: 125_000_000n };
    const out = method('TransactionPaymentApi', 'query_info').output;
    expect(decode(out, encode(out, info))).toEqual(info);
  });
});

// ---------------------------------------------------------------- codecs

describe('codec round trips', () => {
  it('AccountInfo', () => {
    const info = {
      nonce: 7,
      consumers: 1,
      providers: 1,
      sufficients: 0,
      data: { free: 10n ** 12n, reserved: 5n, frozen: 0n, flags: 1n << 127n },
    };
    const bytes = encode(AccountInfo, info);
    expect(bytes).toHaveLength(16 + 64);
    expect(u8aToHex(bytes.subarray(0, 16))).toBe('0x07000000010000000100000000000000');
    expect(u8aToHex(bytes.subarray(16, 32))).toBe('0x0010a5d4e80000000000000000000000');
    expect(bytes[79]).toBe(0x80);
    expect(decode(AccountInfo, bytes)).toEqual(info);
  });

  it('an EventRecord holding Balances.Transfer', () => {
    const record = {
      phase: { type: 'ApplyExtrinsic', value: 1 },
      event: { type: 'Balances', value: { type: 'Transfer', value: { from: ALICE, to: BOB, amount: 1_000_000n } } },
      topics: [],
    };
    const bytes = encode(EventRecord, record);
    // phase 00 + u32 1, RuntimeEvent index 20, Transfer index 2, two accounts, u128, no topics
    expect(bytes).toHaveLength(5 + 2 + 64 + 16 + 1);
    expect(u8aToHex(bytes.subarray(0, 7))).toBe('0x00010000001402');
    expect(decode(EventRecord, bytes)).toEqual(record);
  });

  it('Utility.batch holding Balances.transfer_keep_alive', () => {
    const transfer = {
      type: 'Balances',
      value: { type: 'transfer_keep_alive', value: { dest: { type: 'Id', value: BOB }, value: 12_345n } },
    };
    const batch = { type: 'Utility', value: { type: 'batch', value: { calls: [transfer, transfer] } } };
    const bytes = encode(RuntimeCall, batch);
    const one = encode(RuntimeCall, transfer);
    expect(u8aToHex(one.subarray(0, 3))).toBe('0x140300');
    expect(u8aToHex(bytes.subarray(0, 3))).toBe('0x030008');
    expect(bytes).toEqual(new Uint8Array([3, 0, 8, ...one, ...one]));
    expect(decode(RuntimeCall, bytes)).toEqual(batch);
  });

  it('DispatchError::Module', () => {
    const err = { type: 'Module', value: { index: 20, error: new Uint8Array([2, 0, 0, 0]) } };
    const bytes = encode(DispatchError, err);
    expect(u8aToHex(bytes)).toBe('0x031402000000');
    expect(decode(DispatchError, bytes)).toEqual(err);
  });

  it('MultiAddress::Index is Compact<()> and encodes to nothing', () => {
    expect(u8aToHex(encode(MultiAddress, { type: 'Index', value: null }))).toBe('0x01');
    expect(decode(MultiAddress, hexToU8a('0x01'))).toEqual({ type: 'Index', value: null });
  });

  it('mortal eras as Substrate builds and reads them', () => {
    const era = mortalEra(64, 100);
    expect(eraPeriodPhase(era)).toEqual({ period: 64, phase: 36 });
    expect(eraBirth(era, 110)).toBe(100);
    expect(eraDeath(era, 110)).toBe(164);
    expect(eraPeriodPhase({ type: 'Immortal' })).toBeUndefined();
    expect(eraDeath({ type: 'Immortal' }, 5)).toBe(Infinity);
    expect(() => eraPeriodPhase({ type: 'Mortal1', value: 0xff })).toThrow(/invalid era/);
  });
});

// ---------------------------------------------------------------- with @polkadot/types (reference registry)

describe('values exchanged with @polkadot/types on the reference metadata', () => {
  const registry = ref.registry;

  it('re-encodes a Utility.batch RuntimeCall built by @polkadot/types to the same bytes', () => {
    const transfer = registry.findMetaCall(new Uint8Array([20, 3]))({ Id: u8aToHex(BOB) }, 12_345);
    const remark = registry.findMetaCall(new Uint8Array([0, 0]))('0x68656c6c6f');
    const batch = registry.findMetaCall(new Uint8Array([3, 0]))([transfer, remark]);
    const bytes = batch.toU8a();
    const decoded = decode(RuntimeCall, bytes) as Enum<string, Enum<string, { calls: Enum[] }>>;
    expect(decoded.type).toBe('Utility');
    expect(decoded.value!.type).toBe('batch');
    expect(decoded.value!.value!.calls).toEqual([
      { type: 'Balances', value: { type: 'transfer_keep_alive', value: { dest: { type: 'Id', value: BOB }, value: 12_345n } } },
      { type: 'System', value: { type: 'remark', value: { remark: new TextEncoder().encode('hello') } } },
    ]);
    expect(u8aToHex(encode(RuntimeCall, decoded))).toBe(u8aToHex(bytes));

    // the same call through createType('Call', ...)
    const created = registry.createType('Call', { callIndex: [20, 3], args: { dest: { Id: u8aToHex(BOB) }, value: 12_345 } });
    expect(created.toHex()).toBe(transfer.toHex());
    expect(u8aToHex(encode(RuntimeCall, decode(RuntimeCall, created.toU8a())))).toBe(created.toHex());
  });

  it('our RuntimeCall, EventRecord, AccountInfo and DispatchError decode in @polkadot/types', () => {
    const call = { type: 'Balances', value: { type: 'transfer_keep_alive', value: { dest: { type: 'Id', value: BOB }, value: 12_345n } } };
    const c = registry.createType('Call', encode(RuntimeCall, call));
    expect([c.section, c.method]).toEqual(['balances', 'transferKeepAlive']);
    expect(c.args[1]!.toString()).toBe('12345');

    const record = {
      phase: { type: 'ApplyExtrinsic', value: 2 },
      event: { type: 'Balances', value: { type: 'Transfer', value: { from: ALICE, to: BOB, amount: 5n } } },
      topics: [],
    };
    const ev = registry.createType('EventRecord', encode(EventRecord, record)) as any;
    expect(ev.phase.asApplyExtrinsic.toNumber()).toBe(2);
    expect([ev.event.section, ev.event.method]).toEqual(['balances', 'Transfer']);
    expect(ev.event.data[2].toString()).toBe('5');

    const accountInfoType = registry.createLookupType(ref.types.findIndex((t) => t.path.join('::') === 'frame_system::AccountInfo'));
    const account = {
      nonce: 3,
      consumers: 0,
      providers: 1,
      sufficients: 0,
      data: { free: 9n, reserved: 0n, frozen: 2n, flags: 1n << 127n },
    };
    const info = registry.createType(accountInfoType, encode(AccountInfo, account)) as any;
    expect([
      info.nonce.toNumber(),
      info.providers.toNumber(),
      info.data.free.toBigInt(),
      info.data.frozen.toBigInt(),
      info.data.flags.toBigInt(),
    ]).toEqual([3, 1, 9n, 2n, 1n << 127n]);

    const err = registry.createType(
      'DispatchError',
      encode(DispatchError, { type: 'Module', value: { index: 20, error: new Uint8Array([2, 0, 0, 0]) } }),
    ) as any;
    const meta = registry.findMetaError(err.asModule);
    expect([meta.section, meta.name, meta.docs.join(' ')]).toEqual(['balances', 'InsufficientBalance', 'Balance too low to send value.']);
  });

  it('a signed extrinsic built by @polkadot/types decodes, carries its extras, and re-encodes exactly', () => {
    const call = registry.findMetaCall(new Uint8Array([20, 3]))({ Id: u8aToHex(BOB) }, 1_000_000);
    const tx = registry.createType('Extrinsic', call) as any;
    const genesis = u8aToHex(new Uint8Array(32).fill(7));
    const era = registry.createType('ExtrinsicEra', { current: 100, period: 64 });
    const signature = new Uint8Array(65).fill(9);
    signature[0] = 1; // Sr25519
    tx.addSignature(u8aToHex(ALICE), signature, {
      method: call.toHex(),
      era: era.toHex(),
      nonce: 5,
      tip: 250,
      specVersion: 152,
      transactionVersion: 2,
      genesisHash: genesis,
      blockHash: genesis,
    });
    const wire: Uint8Array = tx.toU8a();
    const x = decodeExtrinsic(wire);
    expect(x.version).toBe(4);
    expect(x.signature!.address).toEqual({ type: 'Id', value: ALICE });
    expect(x.signature!.signature).toEqual({ type: 'Sr25519', value: signature.subarray(1) });
    expect(x.signature!.extra).toEqual(extra(mortalEra(64, 100), 5, 250n));
    expect(u8aToHex(encode(runtime.extrinsic.signedExtensions[4]!.type, x.signature!.extra[4]))).toBe(era.toHex());
    expect(x.call).toEqual({
      type: 'Balances',
      value: { type: 'transfer_keep_alive', value: { dest: { type: 'Id', value: BOB }, value: 1_000_000n } },
    });
    expect(u8aToHex(encodeExtrinsic(x))).toBe(u8aToHex(wire));
  });
});

// ---------------------------------------------------------------- the grid pallets' values

const utf8 = (x: string) => new TextEncoder().encode(x);
const GiB = 1024n ** 3n;

const NODE = {
  version: 7,
  id: 12,
  farm_id: 3,
  twin_id: 40,
  resources: { hru: 4096n * GiB, sru: 512n * GiB, cru: 8n, mru: 16n * GiB },
  location: { city: utf8('Ghent'), country: utf8('Belgium'), latitude: utf8('51.05'), longitude: utf8('3.71') },
  public_config: { ip4: { ip: utf8('185.206.122.33/24'), gw: utf8('185.206.122.1') }, ip6: undefined, domain: utf8('node.example.com') },
  created: 1_700_000_000n,
  farming_policy_id: 1,
  interfaces: [{ name: utf8('zos'), mac: utf8('00:11:22:33:44:55'), ips: [utf8('10.0.0.2'), utf8('10.0.0.3')] }],
  certification: { type: 'Diy' },
  secure_boot: false,
  virtualized: true,
  serial_number: utf8('SN-0001'),
  connection_price: 80,
};

const FARM = {
  version: 4,
  id: 3,
  name: utf8('freefarm'),
  twin_id: 40,
  pricing_policy_id: 1,
  certification: { type: 'NotCertified' },
  public_ips: [
    { ip: utf8('185.206.122.33/24'), gateway: utf8('185.206.122.1'), contract_id: 0n },
    { ip: utf8('185.206.122.34/24'), gateway: utf8('185.206.122.1'), contract_id: 17n },
  ],
  dedicated_farm: false,
  farming_policy_limits: { farming_policy_id: 2, cu: 10n, su: undefined, end: 1_800_000_000n, node_count: 5, node_certification: true },
};

const HASH = utf8('0123456789abcdef0123456789abcdef');

const CONTRACT = {
  version: 6,
  state: { type: 'Created' },
  contract_id: 17n,
  twin_id: 41,
  contract_type: {
    type: 'NodeContract',
    value: {
      node_id: 12,
      deployment_hash: HASH,
      deployment_data: utf8('{"type":"vm"}'),
      public_ips: 1,
      public_ips_list: [{ ip: utf8('185.206.122.34/24'), gateway: utf8('185.206.122.1'), contract_id: 17n }],
    },
  },
  solution_provider_id: undefined,
};

const BILL = { contract_id: 5n, timestamp: 1_700_000_000n, discount_level: { type: 'Gold' }, amount_billed: 1_234_567n };

describe('grid pallets: codec round trips', () => {
  it('a Node', () => {
    const bytes = encode(Node, NODE);
    // version, id, farm_id, twin_id (u32 each), then hru (u64)
    expect(u8aToHex(bytes.subarray(0, 16))).toBe('0x070000000c0000000300000028000000');
    expect(u8aToHex(bytes.subarray(16, 24))).toBe('0x0000000000040000');
    expect(decode(Node, bytes)).toEqual(NODE);
  });

  it('a Farm with public IPs', () => {
    const bytes = encode(Farm, FARM);
    expect(decode(Farm, bytes)).toEqual(FARM);
    // after version, id, name (1 + 8 bytes), twin_id, pricing_policy_id and certification: two public IPs
    expect(bytes[4 + 4 + 9 + 4 + 4 + 1]).toBe(2 << 2);
  });

  it('a Contract holding NodeContract data', () => {
    const bytes = encode(Contract, CONTRACT);
    // version, state Created, contract_id, twin_id, ContractData::NodeContract, node_id
    expect(u8aToHex(bytes.subarray(0, 22))).toBe('0x0600000000110000000000000029000000000c000000');
    expect(bytes[bytes.length - 1]).toBe(0); // no solution provider
    expect(decode(Contract, bytes)).toEqual(CONTRACT);
    const deleted = { ...CONTRACT, state: { type: 'Deleted', value: { type: 'OutOfFunds' } }, solution_provider_id: 2n };
    expect(decode(Contract, encode(Contract, deleted))).toEqual(deleted);
  });

  it('a ContractBill', () => {
    const bytes = encode(ContractBill, BILL);
    expect(u8aToHex(bytes)).toBe('0x050000000000000000f153650000000004' + '87d61200' + '00'.repeat(12));
    expect(decode(ContractBill, bytes)).toEqual(BILL);
  });

  it('the grid pallets sit in the outer enums at their indices', () => {
    expect([tfgridPallet.index, smartContractPallet.index, tftPricePallet.index, kvStorePallet.index]).toEqual([25, 26, 28, 30]);
    const call = { type: 'TFKVStore', value: { type: 'set', value: { key: utf8('k'), value: utf8('v') } } };
    expect(u8aToHex(encode(RuntimeCall, call))).toBe('0x1e00046b0476');
    const event = { type: 'SmartContractModule', value: { type: 'ContractBilled', value: BILL } };
    expect(decode(RuntimeEvent, encode(RuntimeEvent, event))).toEqual(event);
    const err = { type: 'TfgridModule', value: { type: 'TwinNotExists' } };
    expect(u8aToHex(encode(runtime.error, err))).toBe('0x191b');
  });
});

describe('grid values exchanged with @polkadot/types on the reference metadata', () => {
  const registry = ref.registry;
  const typeAt = (p: string) => registry.createLookupType(ref.types.findIndex((t) => t.path.join('::') === p));

  it('our Node, Farm, Contract and ContractBill read the same in @polkadot/types', () => {
    const node = registry.createType(typeAt('tfchain_support::types::Node'), encode(Node, NODE)) as any;
    expect(node.toU8a()).toEqual(encode(Node, NODE));
    expect([node.id.toNumber(), node.twinId.toNumber(), node.resources.mru.toBigInt(), node.location.city.toUtf8()]).toEqual([
      12,
      40,
      16n * GiB,
      'Ghent',
    ]);
    expect(node.publicConfig.unwrap().ip4.ip.toUtf8()).toBe('185.206.122.33/24');
    expect(node.interfaces[0].ips.map((ip: any) => ip.toUtf8())).toEqual(['10.0.0.2', '10.0.0.3']);
    expect([node.serialNumber.unwrap().toUtf8(), node.connectionPrice.toNumber(), node.virtualized.isTrue]).toEqual(['SN-0001', 80, true]);

    const farm = registry.createType(typeAt('tfchain_support::types::Farm'), encode(Farm, FARM)) as any;
    expect(farm.toU8a()).toEqual(encode(Farm, FARM));
    expect(farm.publicIps.map((ip: any) => [ip.ip.toUtf8(), ip.contractId.toNumber()])).toEqual([
      ['185.206.122.33/24', 0],
      ['185.206.122.34/24', 17],
    ]);
    expect(farm.farmingPolicyLimits.unwrap().nodeCount.unwrap().toNumber()).toBe(5);

    const contract = registry.createType(typeAt('pallet_smart_contract::types::Contract'), encode(Contract, CONTRACT)) as any;
    expect(contract.toU8a()).toEqual(encode(Contract, CONTRACT));
    const nc = contract.contractType.asNodeContract;
    expect([contract.state.isCreated, nc.nodeId.toNumber(), nc.deploymentHash.toU8a(), nc.publicIpsList[0].contractId.toNumber()]).toEqual([
      true,
      12,
      HASH,
      17,
    ]);

    const bill = registry.createType(typeAt('pallet_smart_contract::types::ContractBill'), encode(ContractBill, BILL)) as any;
    expect([bill.discountLevel.isGold, bill.amountBilled.toBigInt()]).toEqual([true, 1_234_567n]);
  });

  it('grid calls built by @polkadot/types decode and re-encode exactly', () => {
    const createTwin = registry.findMetaCall(new Uint8Array([25, 17]))('relay.grid.tf', '0x' + 'ab'.repeat(32));
    const createContract = registry.findMetaCall(new Uint8Array([26, 0]))(12, u8aToHex(HASH), '0x', 1, null);
    const setKv = registry.findMetaCall(new Uint8Array([30, 0]))('dpl/12/abc', '0x0102');
    for (const call of [createTwin, createContract, setKv]) {
      const bytes = call.toU8a();
      expect(u8aToHex(encode(RuntimeCall, decode(RuntimeCall, bytes)))).toBe(u8aToHex(bytes));
    }
    expect(decode(RuntimeCall, createTwin.toU8a())).toEqual({
      type: 'TfgridModule',
      value: { type: 'create_twin', value: { relay: utf8('relay.grid.tf'), pk: new Uint8Array(32).fill(0xab) } },
    });
    expect(decode(RuntimeCall, createContract.toU8a())).toEqual({
      type: 'SmartContractModule',
      value: {
        type: 'create_node_contract',
        value: { node_id: 12, deployment_hash: HASH, deployment_data: new Uint8Array(0), public_ips: 1, solution_provider_id: undefined },
      },
    });
  });
});
