/**
 * Conformance of our metadata with the real TFChain runtime (spec 152): for every pallet we
 * implement, everything a client sees (index, calls, events, errors, storage, constants) must
 * be the same, types compared structurally (path, params, shape, names; not ids or docs); and
 * so must the extrinsic format and its signed extensions.
 */
import { Metadata, TypeRegistry } from '@polkadot/types';
import { hexToU8a, u8aToHex } from '@polkadot/util';
import { buildMetadata, runtimeMetadataPrefixed } from '../src/metadata';
import { runtime, type PalletDecl, type RuntimeDecl } from '../src/pallets/definition';
import { decode, encode, enumeration } from '../src/scale';
import { referenceMetadataHex } from './reference/reference';

// ---- the decoded metadata, as plain JSON (what @polkadot/types' toJSON gives) ----

interface JField {
  name: string | null;
  type: number;
  typeName: string | null;
}
interface JVariant {
  name: string;
  index: number;
  fields: JField[];
}
interface JType {
  path: string[];
  params: { name: string; type: number | null }[];
  def: {
    composite?: { fields: JField[] };
    variant?: { variants: JVariant[] };
    sequence?: { type: number };
    array?: { len: number; type: number };
    tuple?: number[];
    primitive?: string;
    compact?: { type: number };
    bitSequence?: { bitStoreType: number; bitOrderType: number };
  };
}
interface JStorageEntry {
  name: string;
  modifier: string;
  type: { plain?: number; map?: { hashers: string[]; key: number; value: number } };
  fallback: string;
}
interface JPallet {
  name: string;
  index: number;
  storage: { prefix: string; items: JStorageEntry[] } | null;
  calls: { type: number } | null;
  events: { type: number } | null;
  errors: { type: number } | null;
  constants: { name: string; type: number; value: string }[];
}
interface JSignedExtension {
  identifier: string;
  type: number;
  additionalSigned: number;
}
interface Side {
  types: Map<number, JType>;
  pallets: JPallet[];
  version: number;
  signedExtensions: JSignedExtension[];
  /** V14 only: the UncheckedExtrinsic type. */
  extrinsicType?: number;
  address: number;
  call: number;
  signature: number;
  extra: number;
  runtimeType: number;
  outerEnums?: { callType: number; eventType: number; errorType: number };
}

function toSide(bytes: Uint8Array): Side {
  const m = new Metadata(new TypeRegistry(), bytes);
  const version = m.version;
  if (version !== 14 && version !== 15) throw new Error(`unexpected metadata version ${version}`);
  const j = (version === 14 ? m.asV14 : m.asV15).toJSON() as any;
  const types = new Map<number, JType>((j.lookup.types as { id: number; type: JType }[]).map((t) => [t.id, t.type]));
  const byPath = (p: string) => [...types].find(([, t]) => t.path.join('::') === p)?.[0];
  const side: Side = {
    types,
    pallets: j.pallets,
    version: j.extrinsic.version,
    signedExtensions: j.extrinsic.signedExtensions,
    address: -1,
    call: -1,
    signature: -1,
    extra: -1,
    runtimeType: j.type,
  };
  if (version === 14) {
    side.extrinsicType = j.extrinsic.type;
    const param = (name: string) => types.get(j.extrinsic.type)!.params.find((p) => p.name === name)?.type ?? -1;
    side.address = param('Address');
    side.call = param('Call');
    side.signature = param('Signature');
    side.extra = param('Extra');
  } else {
    side.extrinsicType = byPath('sp_runtime::generic::unchecked_extrinsic::UncheckedExtrinsic');
    side.address = j.extrinsic.addressType;
    side.call = j.extrinsic.callType;
    side.signature = j.extrinsic.signatureType;
    side.extra = j.extrinsic.extraType;
    side.outerEnums = j.outerEnums;
  }
  return side;
}

// ---- structural comparison ----

/** Enums that list the runtime's pallets: ours lists only the pallets we implement. */
const OUTER_ENUMS = new Set([
  'tfchain_runtime::RuntimeCall',
  'tfchain_runtime::RuntimeEvent',
  'tfchain_runtime::RuntimeError',
  'tfchain_runtime::OriginCaller',
]);

function show(types: Map<number, JType>, id: number, depth = 0): string {
  const t = types.get(id);
  if (!t) return `#${id}?`;
  const inner = (x: number) => (depth > 2 ? '…' : show(types, x, depth + 1));
  if (t.path.length) {
    const params = t.params.filter((p) => p.type !== null);
    return t.path.join('::') + (params.length ? `<${params.map((p) => inner(p.type!)).join(', ')}>` : '');
  }
  const d = t.def;
  if (d.primitive) return d.primitive.toLowerCase();
  if (d.sequence) return `Vec<${inner(d.sequence.type)}>`;
  if (d.array) return `[${inner(d.array.type)}; ${d.array.len}]`;
  if (d.tuple) return `(${d.tuple.map(inner).join(', ')})`;
  if (d.compact) return `Compact<${inner(d.compact.type)}>`;
  return Object.keys(d)[0] ?? '?';
}

const kindOf = (t: JType): string => Object.keys(t.def)[0] ?? '?';
const fieldLabel = (f: JField, i: number): string => f.name ?? `${i}`;

class Comparer {
  readonly structural: string[] = [];
  readonly typeNames: string[] = [];
  /** The (ours, reference) type id pairs compared so far, as `a:r`. */
  readonly pairs = new Set<string>();

  constructor(
    readonly ours: Side,
    readonly ref: Side,
    /** Lower-cased names of the pallets we implement: their outer-enum variants are required. */
    readonly implemented: Set<string>,
  ) {}

  #diff(where: string, what: string, ours: unknown, ref: unknown): void {
    this.structural.push(`${where}: ${what} differs: ours ${JSON.stringify(ours)}, reference ${JSON.stringify(ref)}`);
  }

  /** Compares our type `a` with the reference's type `r`, reached at `where`. */
  type(a: number, r: number, where: string): void {
    const key = `${a}:${r}`;
    if (this.pairs.has(key)) return;
    this.pairs.add(key);
    const A = this.ours.types.get(a);
    const R = this.ref.types.get(r);
    if (!A || !R) {
      this.structural.push(`${where}: type missing (ours #${a} ${A ? 'present' : 'absent'}, reference #${r} ${R ? 'present' : 'absent'})`);
      return;
    }
    const at = `${where} [${show(this.ref.types, r)}]`;
    if (A.path.join('::') !== R.path.join('::')) {
      this.#diff(where, 'type path', show(this.ours.types, a), show(this.ref.types, r));
      return;
    }
    if (A.params.map((p) => p.name).join(',') !== R.params.map((p) => p.name).join(',')) {
      this.#diff(
        at,
        'type parameter names',
        A.params.map((p) => p.name),
        R.params.map((p) => p.name),
      );
      return;
    }
    A.params.forEach((p, i) => {
      const q = R.params[i]!;
      if ((p.type === null) !== (q.type === null)) this.#diff(at, `type parameter ${p.name} presence`, p.type !== null, q.type !== null);
      else if (p.type !== null) this.type(p.type, q.type!, `${where}<${p.name}>`);
    });
    const kind = kindOf(A);
    if (kind !== kindOf(R)) {
      this.#diff(at, 'kind', `${kind} ${show(this.ours.types, a)}`, `${kindOf(R)} ${show(this.ref.types, r)}`);
      return;
    }
    const [d, e] = [A.def, R.def];
    if (d.primitive !== undefined && d.primitive !== e.primitive) this.#diff(at, 'primitive', d.primitive, e.primitive);
    if (d.sequence) this.type(d.sequence.type, e.sequence!.type, `${where}[]`);
    if (d.compact) this.type(d.compact.type, e.compact!.type, `${where}<compact>`);
    if (d.array) {
      if (d.array.len !== e.array!.len) this.#diff(at, 'array length', d.array.len, e.array!.len);
      this.type(d.array.type, e.array!.type, `${where}[]`);
    }
    if (d.tuple) {
      if (d.tuple.length !== e.tuple!.length) this.#diff(at, 'tuple length', d.tuple.length, e.tuple!.length);
      else d.tuple.forEach((x, i) => this.type(x, e.tuple![i]!, `${where}.${i}`));
    }
    if (d.bitSequence) {
      this.type(d.bitSequence.bitStoreType, e.bitSequence!.bitStoreType, `${where}<store>`);
      this.type(d.bitSequence.bitOrderType, e.bitSequence!.bitOrderType, `${where}<order>`);
    }
    if (d.composite) this.fields(d.composite.fields, e.composite!.fields, where, at);
    if (d.variant) {
      if (OUTER_ENUMS.has(A.path.join('::'))) this.outerEnum(d.variant.variants, e.variant!.variants, where, at);
      else this.variants(d.variant.variants, e.variant!.variants, where, at);
    }
  }

  fields(ours: JField[], ref: JField[], where: string, at: string): void {
    const names = (fs: JField[]) => fs.map((f, i) => fieldLabel(f, i));
    if (ours.length !== ref.length || ours.some((f, i) => f.name !== ref[i]!.name)) {
      this.#diff(at, 'fields', names(ours), names(ref));
      return;
    }
    ours.forEach((f, i) => {
      const g = ref[i]!;
      const w = `${where}.${fieldLabel(f, i)}`;
      if (f.typeName !== g.typeName)
        this.typeNames.push(`${w}: typeName ours ${JSON.stringify(f.typeName)}, reference ${JSON.stringify(g.typeName)}`);
      this.type(f.type, g.type, w);
    });
  }

  variants(ours: JVariant[], ref: JVariant[], where: string, at: string): void {
    const list = (vs: JVariant[]) => vs.map((v) => `${v.index}:${v.name}`);
    if (list(ours).join(',') !== list(ref).join(',')) {
      const [o, r] = [new Set(list(ours)), new Set(list(ref))];
      const missing = list(ref).filter((x) => !o.has(x));
      const extra = list(ours).filter((x) => !r.has(x));
      const detail =
        missing.length || extra.length
          ? `missing ${JSON.stringify(missing)}, extra ${JSON.stringify(extra)}`
          : 'same variants, different order';
      this.structural.push(
        `${at}: variants differ (${detail}): ours ${JSON.stringify(list(ours))}, reference ${JSON.stringify(list(ref))}`,
      );
      return;
    }
    ours.forEach((v, i) => this.fields(v.fields, ref[i]!.fields, `${where}::${v.name}`, `${where}::${v.name}`));
  }

  /** Ours may leave out pallets we do not implement; each variant we have must be the reference's. */
  outerEnum(ours: JVariant[], ref: JVariant[], where: string, at: string): void {
    for (const v of ours) {
      const r = ref.find((x) => x.name === v.name);
      if (!r) this.structural.push(`${at}: variant ${v.name} (index ${v.index}) is not in the reference`);
      else if (r.index !== v.index) this.#diff(`${at}::${v.name}`, 'variant index', v.index, r.index);
      else this.fields(v.fields, r.fields, `${where}::${v.name}`, `${where}::${v.name}`);
    }
    for (const r of ref) {
      if (this.implemented.has(r.name.toLowerCase()) && !ours.some((v) => v.name === r.name)) {
        this.structural.push(`${at}: variant ${r.name} (index ${r.index}) of an implemented pallet is missing`);
      }
    }
  }

  pallet(p: JPallet, r: JPallet): void {
    const w = p.name;
    if (p.index !== r.index) this.#diff(w, 'pallet index', p.index, r.index);
    for (const part of ['calls', 'events', 'errors'] as const) {
      const [x, y] = [p[part], r[part]];
      if (!x || !y) {
        if (!x !== !y) this.#diff(w, `${part} presence`, !!x, !!y);
      } else this.type(x.type, y.type, `${w}.${part}`);
    }
    this.storage(p, r);
    this.constants(p, r);
  }

  storage(p: JPallet, r: JPallet): void {
    const w = `${p.name}.storage`;
    if (!p.storage || !r.storage) {
      if (!p.storage !== !r.storage) this.#diff(w, 'presence', !!p.storage, !!r.storage);
      return;
    }
    if (p.storage.prefix !== r.storage.prefix) this.#diff(w, 'prefix', p.storage.prefix, r.storage.prefix);
    this.names(
      w,
      'entries',
      p.storage.items.map((e) => e.name),
      r.storage.items.map((e) => e.name),
    );
    for (const e of p.storage.items) {
      const f = r.storage.items.find((x) => x.name === e.name);
      if (!f) continue;
      const at = `${w}.${e.name}`;
      if (e.modifier !== f.modifier) this.#diff(at, 'modifier', e.modifier, f.modifier);
      if (e.fallback !== f.fallback) this.#diff(at, 'default bytes', e.fallback, f.fallback);
      const [a, b] = [e.type, f.type];
      if (a.plain !== undefined && b.plain !== undefined) this.type(a.plain, b.plain, `${at}: value`);
      else if (a.map && b.map) {
        if (a.map.hashers.join(',') !== b.map.hashers.join(',')) this.#diff(at, 'hashers', a.map.hashers, b.map.hashers);
        this.type(a.map.key, b.map.key, `${at}: key`);
        this.type(a.map.value, b.map.value, `${at}: value`);
      } else this.#diff(at, 'kind (plain/map)', a.plain !== undefined ? 'plain' : 'map', b.plain !== undefined ? 'plain' : 'map');
    }
  }

  constants(p: JPallet, r: JPallet): void {
    const w = `${p.name}.constants`;
    this.names(
      w,
      'constants',
      p.constants.map((c) => c.name),
      r.constants.map((c) => c.name),
    );
    for (const c of p.constants) {
      const d = r.constants.find((x) => x.name === c.name);
      if (!d) continue;
      this.type(c.type, d.type, `${w}.${c.name}`);
      if (c.value !== d.value) this.#diff(`${w}.${c.name}`, 'value bytes', c.value, d.value);
    }
  }

  names(where: string, what: string, ours: string[], ref: string[]): void {
    if (ours.join(',') === ref.join(',')) return;
    const missing = ref.filter((x) => !ours.includes(x));
    const extra = ours.filter((x) => !ref.includes(x));
    this.structural.push(
      `${where}: ${what} differ (missing ${JSON.stringify(missing)}, extra ${JSON.stringify(extra)}${missing.length || extra.length ? '' : ', order differs'}): ours ${JSON.stringify(ours)}, reference ${JSON.stringify(ref)}`,
    );
  }
}

// ---- the tests ----

const ourPallets: string[] = runtime.pallets.map((p) => p.name);
const implemented = new Set<string>(ourPallets.map((n) => n.toLowerCase()));

let cachedReference: { bytes: Uint8Array; side: Side } | undefined;
function reference(): { bytes: Uint8Array; side: Side } {
  if (!cachedReference) {
    const bytes = hexToU8a(referenceMetadataHex());
    cachedReference = { bytes, side: toSide(bytes) };
  }
  return cachedReference;
}

const ourSides: Record<string, Side> = {};
function ours(version: 'V14' | 'V15'): Side {
  return (ourSides[version] ??= toSide(version === 'V14' ? buildMetadata(runtime).v14 : buildMetadata(runtime).v15));
}

function compare(version: 'V14' | 'V15', run: (c: Comparer) => void): Comparer {
  const c = new Comparer(ours(version), reference().side, implemented);
  run(c);
  return c;
}

function refPallet(name: string): JPallet {
  const p = reference().side.pallets.find((x) => x.name === name);
  if (!p)
    throw new Error(
      `pallet ${name} is not in the reference runtime (reference pallets: ${reference()
        .side.pallets.map((x) => x.name)
        .join(', ')})`,
    );
  return p;
}

function ourPallet(version: 'V14' | 'V15', name: string): JPallet {
  return ours(version).pallets.find((x) => x.name === name)!;
}

describe('metadata conformance with TFChain spec 152', () => {
  test('our declaration of frame-metadata re-encodes the reference metadata byte for byte', () => {
    const { bytes } = reference();
    expect(u8aToHex(encode(runtimeMetadataPrefixed, decode(runtimeMetadataPrefixed, bytes)))).toBe(u8aToHex(bytes));
  });

  test('the reference is metadata V14 and ours lists each pallet once', () => {
    expect(new Metadata(new TypeRegistry(), reference().bytes).version).toBe(14);
    expect(new Set(ourPallets).size).toBe(ourPallets.length);
    expect(ours('V14').pallets.map((p) => p.name)).toEqual(ourPallets);
  });

  describe.each(['V14', 'V15'] as const)('our %s', (version) => {
    test.each(ourPallets)('pallet %s: index, calls, events, errors, storage, constants', (name) => {
      const c = compare(version, (x) => x.pallet(ourPallet(version, name), refPallet(name)));
      expect(c.structural).toEqual([]);
    });

    test('extrinsic: version, address, call, signature, extra, signed extensions', () => {
      const c = compare(version, (x) => {
        const [o, r] = [x.ours, x.ref];
        if (o.version !== r.version) x.structural.push(`extrinsic: version differs: ours ${o.version}, reference ${r.version}`);
        if (o.extrinsicType === undefined)
          x.structural.push('extrinsic: no sp_runtime::generic::unchecked_extrinsic::UncheckedExtrinsic type');
        else x.type(o.extrinsicType, r.extrinsicType!, 'extrinsic');
        x.type(o.address, r.address, 'extrinsic.address');
        x.type(o.call, r.call, 'extrinsic.call');
        x.type(o.signature, r.signature, 'extrinsic.signature');
        x.type(o.extra, r.extra, 'extrinsic.extra');
        x.names(
          'extrinsic',
          'signed extensions',
          o.signedExtensions.map((s) => s.identifier),
          r.signedExtensions.map((s) => s.identifier),
        );
        for (const s of o.signedExtensions) {
          const t = r.signedExtensions.find((y) => y.identifier === s.identifier);
          if (!t) continue;
          x.type(s.type, t.type, `signed extension ${s.identifier}`);
          x.type(s.additionalSigned, t.additionalSigned, `signed extension ${s.identifier}: additional signed`);
        }
        x.type(o.runtimeType, r.runtimeType, 'runtime type');
      });
      expect(c.structural).toEqual([]);
    });

    test('field type names (they name the types in @polkadot/types)', () => {
      const c = compare(version, (x) => {
        for (const name of ourPallets) x.pallet(ourPallet(version, name), refPallet(name));
        x.type(x.ours.extrinsicType!, x.ref.extrinsicType!, 'extrinsic');
        for (const s of x.ours.signedExtensions) {
          const t = x.ref.signedExtensions.find((y) => y.identifier === s.identifier);
          if (t) x.type(s.type, t.type, `signed extension ${s.identifier}`);
        }
      });
      expect(c.typeNames).toEqual([]);
    });
  });

  test.each(['V14', 'V15'] as const)('our %s: @polkadot/types derives the same type names as for the reference', (version) => {
    const named = (bytes: Uint8Array) => {
      const registry = new TypeRegistry();
      // TFChain's own signed extension, unknown to @polkadot/types (it warns otherwise).
      registry.setMetadata(new Metadata(registry, bytes), undefined, { ContractIdProvides: { extrinsic: {}, payload: {} } });
      return registry.lookup;
    };
    const [oursLookup, refLookup] = [
      named(version === 'V14' ? buildMetadata(runtime).v14 : buildMetadata(runtime).v15),
      named(reference().bytes),
    ];
    const c = compare(version, (x) => {
      for (const name of ourPallets) x.pallet(ourPallet(version, name), refPallet(name));
      x.type(x.ours.extrinsicType!, x.ref.extrinsicType!, 'extrinsic');
    });
    const differ: string[] = [];
    for (const pair of c.pairs) {
      const [a, r] = pair.split(':').map(Number) as [number, number];
      const [na, nr] = [oursLookup.getName(a), refLookup.getName(r)];
      if (na !== nr) differ.push(`${show(c.ours.types, a)}: ours ${JSON.stringify(na)}, reference ${JSON.stringify(nr)}`);
    }
    expect(differ).toEqual([]);
  });

  test('our V15 outer enums are the reference RuntimeCall and RuntimeEvent; RuntimeError holds each pallet error', () => {
    const c = compare('V15', (x) => {
      const enums = x.ours.outerEnums!;
      const byPath = (p: string) => [...x.ref.types].find(([, t]) => t.path.join('::') === p)![0];
      x.type(enums.callType, byPath('tfchain_runtime::RuntimeCall'), 'outer call enum');
      x.type(enums.eventType, byPath('tfchain_runtime::RuntimeEvent'), 'outer event enum');
      const error = x.ours.types.get(enums.errorType)!;
      if (error.path.join('::') !== 'tfchain_runtime::RuntimeError') x.structural.push(`outer error enum: path ${error.path.join('::')}`);
      const variants = error.def.variant?.variants ?? [];
      for (const p of x.ref.pallets.filter((q) => q.errors && implemented.has(q.name.toLowerCase()))) {
        const v = variants.find((y) => y.name === p.name);
        if (!v) x.structural.push(`outer error enum: no variant for ${p.name}`);
        else if (v.index !== p.index)
          x.structural.push(`outer error enum: ${p.name} has index ${v.index}, reference pallet index ${p.index}`);
        else if (v.fields.length !== 1) x.structural.push(`outer error enum: ${p.name} has ${v.fields.length} fields`);
        else x.type(v.fields[0]!.type, p.errors!.type, `outer error enum::${p.name}`);
      }
      for (const v of variants) {
        if (!x.ref.pallets.some((p) => p.name === v.name && p.errors))
          x.structural.push(`outer error enum: variant ${v.name} is not a reference pallet with errors`);
      }
    });
    expect(c.structural).toEqual([]);
  });
});

// The comparison itself must see differences: compare the reference with itself and with a
// deliberately altered copy.
describe('metadata conformance: the comparison', () => {
  test('finds no difference between the reference and itself, and finds an altered one', () => {
    const ref = reference().side;
    const all = new Set(ref.pallets.map((p) => p.name.toLowerCase()));
    const same = new Comparer(ref, ref, all);
    for (const p of ref.pallets) same.pallet(p, p);
    same.type(ref.extrinsicType!, ref.extrinsicType!, 'extrinsic');
    expect(same.structural).toEqual([]);
    expect(same.typeNames).toEqual([]);

    const altered: Side = { ...ref, types: new Map(ref.types) };
    const id = [...ref.types].find(([, t]) => t.path.join('::') === 'tfchain_support::types::PublicIP')![0];
    const t = ref.types.get(id)!;
    const fields = t.def.composite!.fields;
    altered.types.set(id, { ...t, def: { composite: { fields: [fields[1]!, fields[0]!, ...fields.slice(2)] } } });
    const diff = new Comparer(altered, ref, all);
    for (const p of ref.pallets) diff.pallet(p, p);
    expect(diff.structural.length).toBeGreaterThan(0);
    expect(diff.structural[0]).toMatch(/fields differs: ours \["gateway","ip","contract_id"\], reference \["ip","gateway","contract_id"\]/);
  });

  test('finds differences in metadata built from an altered runtime', () => {
    const altered: RuntimeDecl = {
      ...runtime,
      pallets: runtime.pallets.map((p): PalletDecl => {
        if (p.name === 'System') {
          return { ...p, constants: p.constants!.map((c) => (c.name === 'SS58Prefix' ? { ...c, value: 43 } : c)) };
        }
        if (p.name === 'Timestamp') return { ...p, index: 2 };
        if (p.name === 'Balances') {
          return { ...p, storage: p.storage!.map((s) => (s.name === 'Account' ? { ...s, hashers: ['Twox64Concat' as const] } : s)) };
        }
        if (p.name === 'Utility')
          return { ...p, calls: enumeration({ path: 'pallet_utility::pallet::Call', params: [{ name: 'T' }] }, ['batch']) };
        return p;
      }),
    };
    const c = new Comparer(toSide(buildMetadata(altered).v14), reference().side, implemented);
    for (const p of c.ours.pallets) c.pallet(p, refPallet(p.name));
    expect(c.structural).toEqual([
      expect.stringMatching(/^System\.constants\.SS58Prefix: value bytes differs: ours "0x2b00", reference "0x2a00"$/),
      expect.stringMatching(/^Timestamp: pallet index differs: ours 2, reference 1$/),
      expect.stringMatching(
        /^Utility\.calls \[pallet_utility::pallet::Call\]: variants differ \(missing \["1:as_derivative",.*\], extra \[\]\): ours \["0:batch"\]/,
      ),
      expect.stringMatching(/^Balances\.storage\.Account: hashers differs: ours \["Twox64Concat"\], reference \["Blake2_128Concat"\]$/),
    ]);
  });
});
