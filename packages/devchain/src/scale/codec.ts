/**
 * SCALE codecs that also describe themselves as scale-info types, so one declaration gives
 * both the runtime's encoder/decoder and its entry in the metadata's type registry.
 */
import { Reader, ScaleError, Writer } from './io';

export type Primitive =
  'bool' | 'char' | 'str' | 'u8' | 'u16' | 'u32' | 'u64' | 'u128' | 'u256' | 'i8' | 'i16' | 'i32' | 'i64' | 'i128' | 'i256';

export interface Field {
  name?: string;
  type: Codec<any>;
  typeName?: string;
  docs?: string[];
}

export interface Variant {
  name: string;
  index: number;
  fields: Field[];
  docs?: string[];
}

export type TypeDef =
  | { kind: 'primitive'; name: Primitive }
  | { kind: 'compact'; of: Codec<any> }
  | { kind: 'sequence'; of: Codec<any> }
  | { kind: 'array'; len: number; of: Codec<any> }
  | { kind: 'tuple'; items: Codec<any>[] }
  | { kind: 'composite'; fields: Field[] }
  | { kind: 'variant'; variants: Variant[] };

export interface TypeParam {
  name: string;
  type?: Codec<any>;
}

export interface TypeInfo {
  path: string[];
  params: TypeParam[];
  def: TypeDef;
  docs: string[];
}

export interface Codec<T> {
  enc(w: Writer, v: T): void;
  dec(r: Reader): T;
  /** Lazily computed so that recursive types (a call that holds calls) can be declared. */
  readonly info: TypeInfo;
}

export type ValueOf<C> = C extends Codec<infer T> ? T : never;

/** An enum value: the variant's name and, if it has fields, their value. */
export interface Enum<N extends string = string, V = unknown> {
  type: N;
  value?: V;
}

export function encode<T>(c: Codec<T>, v: T): Uint8Array {
  const w = new Writer();
  c.enc(w, v);
  return w.finish();
}

/** Decodes the whole input; trailing bytes are an error, as in Substrate's `decode_all`. */
export function decode<T>(c: Codec<T>, bytes: Uint8Array): T {
  const r = new Reader(bytes);
  const v = c.dec(r);
  if (r.remaining !== 0) throw new ScaleError(`${r.remaining} trailing byte(s) after ${describe(c)}`);
  return v;
}

export function describe(c: Codec<any>): string {
  const { path, def } = c.info;
  return path.length ? path.join('::') : def.kind === 'primitive' ? def.name : def.kind;
}

function make<T>(enc: Codec<T>['enc'], dec: Codec<T>['dec'], info: () => TypeInfo): Codec<T> {
  let cached: TypeInfo | undefined;
  return {
    enc,
    dec,
    get info() {
      return (cached ??= info());
    },
  };
}

const prim = (name: Primitive): TypeInfo => ({ path: [], params: [], def: { kind: 'primitive', name }, docs: [] });

function intCodec(name: Primitive, bytes: number, signed: boolean): Codec<any> {
  if (bytes <= 4) {
    const max = signed ? 2 ** (bytes * 8 - 1) : 2 ** (bytes * 8);
    const min = signed ? -max : 0;
    return make<number>(
      (w, v) => {
        if (!Number.isInteger(v) || v < min || v >= max) throw new ScaleError(`${name}: ${v} out of range`);
        if (bytes === 1) w.u8(v);
        else if (bytes === 2) w.u16(v & 0xffff);
        else w.u32(v);
      },
      (r) => {
        const v = bytes === 1 ? r.u8() : bytes === 2 ? r.u16() : r.u32();
        return signed && v >= max ? v - 2 * max : v;
      },
      () => prim(name),
    );
  }
  const bits = BigInt(bytes * 8);
  const max = signed ? 1n << (bits - 1n) : 1n << bits;
  const min = signed ? -max : 0n;
  return make<bigint>(
    (w, v) => {
      const x = BigInt(v);
      if (x < min || x >= max) throw new ScaleError(`${name}: ${x} out of range`);
      w.uint(x, bytes);
    },
    (r) => r.uint(bytes, signed),
    () => prim(name),
  );
}

export const u8: Codec<number> = intCodec('u8', 1, false);
export const u16: Codec<number> = intCodec('u16', 2, false);
export const u32: Codec<number> = intCodec('u32', 4, false);
export const u64: Codec<bigint> = intCodec('u64', 8, false);
export const u128: Codec<bigint> = intCodec('u128', 16, false);
export const u256: Codec<bigint> = intCodec('u256', 32, false);
export const i8: Codec<number> = intCodec('i8', 1, true);
export const i16: Codec<number> = intCodec('i16', 2, true);
export const i32: Codec<number> = intCodec('i32', 4, true);
export const i64: Codec<bigint> = intCodec('i64', 8, true);
export const i128: Codec<bigint> = intCodec('i128', 16, true);

export const bool: Codec<boolean> = make<boolean>(
  (w, v) => w.u8(v ? 1 : 0),
  (r) => {
    const b = r.u8();
    if (b > 1) throw new ScaleError(`bool: invalid byte ${b}`);
    return b === 1;
  },
  () => prim('bool'),
);

const utf8 = new TextEncoder();
const utf8Strict = new TextDecoder('utf-8', { fatal: true });

export const str: Codec<string> = make<string>(
  (w, v) => {
    const b = utf8.encode(v);
    w.compact(b.length);
    w.bytes(b);
  },
  (r) => {
    try {
      return utf8Strict.decode(r.bytes(r.length()));
    } catch (e) {
      if (e instanceof ScaleError) throw e;
      throw new ScaleError('str: invalid UTF-8');
    }
  },
  () => prim('str'),
);

/** Compact<T>; the JS value has the same type as T's. */
export function compact<T extends number | bigint>(of: Codec<T>): Codec<T> {
  const def = of.info.def;
  const small = def.kind === 'primitive' && ['u8', 'u16', 'u32'].includes(def.name);
  // A compact may encode up to 536 bits: a value wider than T is malformed input, refused here.
  const bits = def.kind === 'primitive' ? Number(/^u(\d+)$/.exec(def.name)?.[1] ?? 256) : 256;
  const max = (1n << BigInt(bits)) - 1n;
  return make<T>(
    (w, v) => w.compact(v),
    (r) => {
      const v = r.compact();
      if (v > max) throw new ScaleError(`Compact<${describe(of)}>: value out of range (more than ${bits} bits)`);
      return (small ? Number(v) : v) as T;
    },
    () => ({ path: [], params: [], def: { kind: 'compact', of }, docs: [] }),
  );
}

/** Vec<T>; Vec<u8> is a Uint8Array. */
export function vec<T>(of: Codec<T>): Codec<T[]> {
  return make<T[]>(
    (w, v) => {
      w.compact(v.length);
      for (const x of v) of.enc(w, x);
    },
    (r) => {
      const n = r.length();
      return r.nested(() => {
        const out: T[] = [];
        for (let i = 0; i < n; i++) out.push(of.dec(r));
        return out;
      });
    },
    () => ({ path: [], params: [], def: { kind: 'sequence', of }, docs: [] }),
  );
}

export const bytes: Codec<Uint8Array> = make<Uint8Array>(
  (w, v) => {
    w.compact(v.length);
    w.bytes(v);
  },
  (r) => r.bytes(r.length()).slice(),
  () => ({ path: [], params: [], def: { kind: 'sequence', of: u8 }, docs: [] }),
);

/** [T; N]; [u8; N] is a Uint8Array. */
export function array<T>(of: Codec<T>, len: number): Codec<T[]> {
  return make<T[]>(
    (w, v) => {
      if (v.length !== len) throw new ScaleError(`[${describe(of)}; ${len}]: got ${v.length} items`);
      for (const x of v) of.enc(w, x);
    },
    (r) => {
      const out: T[] = [];
      for (let i = 0; i < len; i++) out.push(of.dec(r));
      return out;
    },
    () => ({ path: [], params: [], def: { kind: 'array', len, of }, docs: [] }),
  );
}

export function fixedBytes(len: number): Codec<Uint8Array> {
  return make<Uint8Array>(
    (w, v) => {
      if (!(v instanceof Uint8Array) || v.length !== len) throw new ScaleError(`[u8; ${len}]: got ${v?.length} bytes`);
      w.bytes(v);
    },
    (r) => r.bytes(len).slice(),
    () => ({ path: [], params: [], def: { kind: 'array', len, of: u8 }, docs: [] }),
  );
}

export function tuple<T extends unknown[]>(...items: { [K in keyof T]: Codec<T[K]> }): Codec<T> {
  return make<T>(
    (w, v) => items.forEach((c, i) => c.enc(w, v[i])),
    (r) => items.map((c) => c.dec(r)) as T,
    () => ({ path: [], params: [], def: { kind: 'tuple', items }, docs: [] }),
  );
}

/** `()`: the empty tuple. */
export const unit: Codec<null> = make<null>(
  () => undefined,
  () => null,
  () => ({ path: [], params: [], def: { kind: 'tuple', items: [] }, docs: [] }),
);

export interface Named {
  path: string;
  params?: TypeParam[];
  docs?: string[];
}

const splitPath = (p: string): string[] => (p ? p.split('::') : []);

type FieldSpec = Codec<any> | { type: Codec<any>; typeName?: string; docs?: string[] };
const toField = (name: string | undefined, s: FieldSpec): Field =>
  'enc' in s ? { name, type: s } : { name, type: s.type, typeName: s.typeName, docs: s.docs };

type StructValue<F extends Record<string, FieldSpec>> = {
  [K in keyof F]: F[K] extends Codec<infer T> ? T : F[K] extends { type: Codec<infer T> } ? T : never;
};

/** A composite with named fields, in declaration order. */
export function struct<F extends Record<string, FieldSpec>>(named: Named, fields: F): Codec<StructValue<F>> {
  const entries = Object.entries(fields).map(([k, s]) => [k, toField(k, s)] as const);
  return make<StructValue<F>>(
    (w, v) => {
      for (const [k, f] of entries) {
        if (!(k in (v as object))) throw new ScaleError(`${named.path}: missing field ${k}`);
        f.type.enc(w, (v as Record<string, unknown>)[k]);
      }
    },
    (r) => {
      const out: Record<string, unknown> = {};
      for (const [k, f] of entries) out[k] = f.type.dec(r);
      return out as StructValue<F>;
    },
    () => ({
      path: splitPath(named.path),
      params: named.params ?? [],
      def: { kind: 'composite', fields: entries.map(([, f]) => f) },
      docs: named.docs ?? [],
    }),
  );
}

/** A composite with one unnamed field (a Rust newtype): its value is the inner value. */
export function wrapper<T>(named: Named, inner: Codec<T>, typeName?: string): Codec<T> {
  return make<T>(
    (w, v) => inner.enc(w, v),
    (r) => inner.dec(r),
    () => ({
      path: splitPath(named.path),
      params: named.params ?? [],
      def: { kind: 'composite', fields: [{ type: inner, typeName }] },
      docs: named.docs ?? [],
    }),
  );
}

/** A composite with no fields (a marker type such as a signed extension). */
export function empty(named: Named): Codec<null> {
  return make<null>(
    () => undefined,
    () => null,
    () => ({ path: splitPath(named.path), params: named.params ?? [], def: { kind: 'composite', fields: [] }, docs: named.docs ?? [] }),
  );
}

/**
 * A variant's fields: none, one unnamed codec (value is the inner value), a list of unnamed
 * codecs (value is an array) or a record of named fields (value is an object).
 */
export type VariantSpec = null | FieldSpec | FieldSpec[] | Record<string, FieldSpec>;

export interface VariantDecl {
  index: number;
  fields: VariantSpec;
  docs?: string[];
}

function variantFields(spec: VariantSpec): { fields: Field[]; shape: 'none' | 'one' | 'list' | 'record' } {
  if (spec === null) return { fields: [], shape: 'none' };
  if (Array.isArray(spec)) return { fields: spec.map((s) => toField(undefined, s)), shape: 'list' };
  if (
    'enc' in spec ||
    ('type' in spec && typeof (spec as { type: unknown }).type === 'object' && 'enc' in (spec as { type: object }).type)
  ) {
    return { fields: [toField(undefined, spec as FieldSpec)], shape: 'one' };
  }
  return { fields: Object.entries(spec as Record<string, FieldSpec>).map(([k, s]) => toField(k, s)), shape: 'record' };
}

/**
 * An enum. `variants` maps names to `[index, fields]` or a declaration; a plain list of names
 * gives field-less variants indexed 0, 1, 2, ...
 */
export function enumeration(named: Named, variants: string[] | Record<string, VariantDecl | [number, VariantSpec]>): Codec<Enum> {
  const list = Array.isArray(variants)
    ? variants.map((name, index) => ({ name, index, fields: null as VariantSpec, docs: [] as string[] }))
    : Object.entries(variants).map(([name, d]) =>
        Array.isArray(d) ? { name, index: d[0], fields: d[1], docs: [] } : { name, index: d.index, fields: d.fields, docs: d.docs ?? [] },
      );
  const compiled = list.map((v) => ({ ...v, ...variantFields(v.fields) }));
  const byName = new Map(compiled.map((v) => [v.name, v]));
  const byIndex = new Map(compiled.map((v) => [v.index, v]));
  return make<Enum>(
    (w, e) => {
      const v = byName.get(e?.type);
      if (!v) throw new ScaleError(`${named.path}: unknown variant ${String(e?.type)}`);
      w.u8(v.index);
      if (v.shape === 'one') v.fields[0]!.type.enc(w, e.value);
      else if (v.shape === 'list') v.fields.forEach((f, i) => f.type.enc(w, (e.value as unknown[])[i]));
      else if (v.shape === 'record') v.fields.forEach((f) => f.type.enc(w, (e.value as Record<string, unknown>)[f.name!]));
    },
    (r) => {
      const idx = r.u8();
      const v = byIndex.get(idx);
      if (!v) throw new ScaleError(`${named.path}: no variant with index ${idx}`);
      if (v.shape === 'none') return { type: v.name };
      return r.nested((): Enum => {
        if (v.shape === 'one') return { type: v.name, value: v.fields[0]!.type.dec(r) };
        if (v.shape === 'list') return { type: v.name, value: v.fields.map((f) => f.type.dec(r)) };
        const value: Record<string, unknown> = {};
        for (const f of v.fields) value[f.name!] = f.type.dec(r);
        return { type: v.name, value };
      });
    },
    () => ({
      path: splitPath(named.path),
      params: named.params ?? [],
      def: {
        kind: 'variant',
        variants: compiled.map((v) => ({ name: v.name, index: v.index, fields: v.fields, docs: v.docs })),
      },
      docs: named.docs ?? [],
    }),
  );
}

/** Option<T>: `undefined` is None. Option<bool> packs into one byte, as parity-scale-codec does. */
export function option<T>(of: Codec<T>): Codec<T | undefined> {
  const isBool = of === (bool as Codec<unknown>);
  return make<T | undefined>(
    (w, v) => {
      if (isBool) w.u8(v === undefined ? 0 : v ? 1 : 2);
      else if (v === undefined) w.u8(0);
      else {
        w.u8(1);
        of.enc(w, v);
      }
    },
    (r) => {
      const b = r.u8();
      if (isBool) {
        if (b > 2) throw new ScaleError(`Option<bool>: invalid byte ${b}`);
        return (b === 0 ? undefined : b === 1) as T | undefined;
      }
      if (b === 0) return undefined;
      if (b === 1) return of.dec(r);
      throw new ScaleError(`Option<${describe(of)}>: invalid byte ${b}`);
    },
    () => ({
      path: ['Option'],
      params: [{ name: 'T', type: of }],
      def: {
        kind: 'variant',
        variants: [
          { name: 'None', index: 0, fields: [] },
          { name: 'Some', index: 1, fields: [{ type: of }] },
        ],
      },
      docs: [],
    }),
  );
}

export type ResultValue<T, E> = { type: 'Ok'; value: T } | { type: 'Err'; value: E };

export function result<T, E>(ok: Codec<T>, err: Codec<E>): Codec<ResultValue<T, E>> {
  return make<ResultValue<T, E>>(
    (w, v) => {
      w.u8(v.type === 'Ok' ? 0 : 1);
      if (v.type === 'Ok') ok.enc(w, v.value);
      else err.enc(w, v.value);
    },
    (r) => {
      const b = r.u8();
      if (b === 0) return { type: 'Ok', value: ok.dec(r) };
      if (b === 1) return { type: 'Err', value: err.dec(r) };
      throw new ScaleError(`Result: invalid byte ${b}`);
    },
    () => ({
      path: ['Result'],
      params: [
        { name: 'T', type: ok },
        { name: 'E', type: err },
      ],
      def: {
        kind: 'variant',
        variants: [
          { name: 'Ok', index: 0, fields: [{ type: ok }] },
          { name: 'Err', index: 1, fields: [{ type: err }] },
        ],
      },
      docs: [],
    }),
  );
}

/** A reference to a codec declared later (recursive types); it is the same type in metadata. */
export function lazy<T>(get: () => Codec<T>): Codec<T> & { readonly target: Codec<T> } {
  return {
    enc: (w, v) => get().enc(w, v),
    dec: (r) => get().dec(r),
    get info() {
      return get().info;
    },
    get target() {
      return get();
    },
  };
}

/** The codec behind any chain of `lazy` references: what identifies a type in the registry. */
export function resolve(c: Codec<any>): Codec<any> {
  let cur: Codec<any> = c;
  while ('target' in cur) cur = (cur as { target: Codec<any> }).target;
  return cur;
}

/** Custom encoding with the info of another codec (e.g. an opaque wrapper around bytes). */
export function custom<T>(enc: Codec<T>['enc'], dec: Codec<T>['dec'], info: () => TypeInfo): Codec<T> {
  return make(enc, dec, info);
}
