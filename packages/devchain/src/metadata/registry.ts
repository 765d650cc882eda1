/**
 * The metadata's type registry (scale-info's PortableRegistry) built from the codecs' own
 * descriptions.
 *
 * - Named types (a non-empty path, and any composite or variant) are identified by the codec
 *   object behind any `lazy` reference; their id is reserved before their fields are walked,
 *   so recursive types (a call holding calls) terminate.
 * - Path-less structural types (primitive, compact, sequence, array, tuple) are deduplicated by
 *   shape: two `vec(u8)` are one type.
 * - `finish()` then merges types whose whole description is identical (the same Rust type
 *   declared twice, e.g. two `option(u64)` codecs) and numbers the survivors in first-seen
 *   (pre-order) order, as scale-info does.
 */
import { resolve, type Codec, type Field, type Primitive, type TypeInfo } from '../scale/codec';

export type TypeId = number;

export interface PortableField {
  name?: string;
  type: TypeId;
  typeName?: string;
  docs: string[];
}

export interface PortableVariant {
  name: string;
  index: number;
  fields: PortableField[];
  docs: string[];
}

export type PortableDef =
  | { kind: 'composite'; fields: PortableField[] }
  | { kind: 'variant'; variants: PortableVariant[] }
  | { kind: 'sequence'; of: TypeId }
  | { kind: 'array'; len: number; of: TypeId }
  | { kind: 'tuple'; items: TypeId[] }
  | { kind: 'primitive'; name: Primitive }
  | { kind: 'compact'; of: TypeId };

export interface PortableType {
  id: TypeId;
  path: string[];
  params: { name: string; type?: TypeId }[];
  def: PortableDef;
  docs: string[];
}

export interface PortableRegistry {
  /** Ids are the positions: `types[i].id === i`. */
  readonly types: readonly PortableType[];
  /** The id of a codec that was registered before `finish()`; throws for any other. */
  idOf(codec: Codec<any>): TypeId;
}

const isStructural = (info: TypeInfo): boolean => info.path.length === 0 && info.def.kind !== 'composite' && info.def.kind !== 'variant';

export class PortableRegistryBuilder {
  #types: (PortableType | undefined)[] = [];
  #byCodec = new Map<Codec<any>, TypeId>();
  #byShape = new Map<string, TypeId>();
  #shapeKeys = new WeakMap<Codec<any>, string>();
  #serials = new WeakMap<Codec<any>, number>();
  #nextSerial = 0;
  #frozen = false;

  /** Registers a codec (and everything it references); returns its provisional id. */
  register(codec: Codec<any>): TypeId {
    const c = resolve(codec);
    const info = c.info;
    if (isStructural(info)) {
      const key = this.#shapeKey(c);
      const known = this.#byShape.get(key);
      if (known !== undefined) return known;
      const id = this.#reserve(info);
      this.#byShape.set(key, id);
      this.#types[id] = this.#convert(id, info);
      return id;
    }
    const known = this.#byCodec.get(c);
    if (known !== undefined) return known;
    const id = this.#reserve(info);
    this.#byCodec.set(c, id);
    this.#types[id] = this.#convert(id, info);
    return id;
  }

  /** Merges identical types, renumbers them and freezes the builder. */
  finish(): PortableRegistry {
    this.#frozen = true;
    const types = this.#types.map((t, i) => {
      if (!t) throw new Error(`metadata registry: type ${i} was never completed`);
      return t;
    });
    const { types: merged, remap } = mergeIdentical(types);
    return {
      types: merged,
      idOf: (codec) => remap[this.register(codec)]!,
    };
  }

  #reserve(info: TypeInfo): TypeId {
    if (this.#frozen) {
      const name = info.path.length ? info.path.join('::') : info.def.kind;
      throw new Error(`metadata registry: type ${name} was not registered before the registry was finished`);
    }
    this.#types.push(undefined);
    return this.#types.length - 1;
  }

  #convert(id: TypeId, info: TypeInfo): PortableType {
    const params = info.params.map((p) => (p.type ? { name: p.name, type: this.register(p.type) } : { name: p.name }));
    return { id, path: [...info.path], params, def: this.#convertDef(info), docs: [...info.docs] };
  }

  #convertDef(info: TypeInfo): PortableDef {
    const d = info.def;
    switch (d.kind) {
      case 'primitive':
        return { kind: 'primitive', name: d.name };
      case 'compact':
        return { kind: 'compact', of: this.register(d.of) };
      case 'sequence':
        return { kind: 'sequence', of: this.register(d.of) };
      case 'array':
        return { kind: 'array', len: d.len, of: this.register(d.of) };
      case 'tuple':
        return { kind: 'tuple', items: d.items.map((c) => this.register(c)) };
      case 'composite':
        return { kind: 'composite', fields: d.fields.map((f) => this.#field(f)) };
      case 'variant':
        return {
          kind: 'variant',
          variants: d.variants.map((v) => ({
            name: v.name,
            index: v.index,
            fields: v.fields.map((f) => this.#field(f)),
            docs: [...(v.docs ?? [])],
          })),
        };
    }
  }

  #field(f: Field): PortableField {
    const out: PortableField = { type: this.register(f.type), docs: [...(f.docs ?? [])] };
    if (f.name !== undefined) out.name = f.name;
    if (f.typeName !== undefined) out.typeName = f.typeName;
    return out;
  }

  /** A structural key that names no ids: named children are referred to by identity. */
  #shapeKey(codec: Codec<any>): string {
    const c = resolve(codec);
    const info = c.info;
    if (!isStructural(info)) {
      let serial = this.#serials.get(c);
      if (serial === undefined) this.#serials.set(c, (serial = this.#nextSerial++));
      return `#${serial}`;
    }
    const cached = this.#shapeKeys.get(c);
    if (cached !== undefined) return cached;
    const d = info.def;
    let key: string;
    if (d.kind === 'primitive') key = d.name;
    else if (d.kind === 'compact') key = `Compact<${this.#shapeKey(d.of)}>`;
    else if (d.kind === 'sequence') key = `Vec<${this.#shapeKey(d.of)}>`;
    else if (d.kind === 'array') key = `[${this.#shapeKey(d.of)};${d.len}]`;
    else if (d.kind === 'tuple') key = `(${d.items.map((x) => this.#shapeKey(x)).join(',')})`;
    else throw new Error('unreachable');
    if (info.params.length) {
      key += `<${info.params.map((p) => `${p.name}=${p.type ? this.#shapeKey(p.type) : ''}`).join(',')}>`;
    }
    if (info.docs.length) key += JSON.stringify(info.docs);
    this.#shapeKeys.set(c, key);
    return key;
  }
}

/** The ids a type refers to, in a fixed order. */
function children(t: PortableType): TypeId[] {
  const out: TypeId[] = [];
  for (const p of t.params) if (p.type !== undefined) out.push(p.type);
  const d = t.def;
  if (d.kind === 'composite') for (const f of d.fields) out.push(f.type);
  else if (d.kind === 'variant') for (const v of d.variants) for (const f of v.fields) out.push(f.type);
  else if (d.kind === 'tuple') out.push(...d.items);
  else if (d.kind !== 'primitive') out.push(d.of);
  return out;
}

/** Everything about a type except the ids it refers to. */
function signature(t: PortableType): string {
  const field = (f: PortableField) => [f.name ?? null, f.typeName ?? null, f.docs];
  const d = t.def;
  const def =
    d.kind === 'composite'
      ? ['composite', d.fields.map(field)]
      : d.kind === 'variant'
        ? ['variant', d.variants.map((v) => [v.name, v.index, v.docs, v.fields.map(field)])]
        : d.kind === 'array'
          ? ['array', d.len]
          : d.kind === 'tuple'
            ? ['tuple', d.items.length]
            : d.kind === 'primitive'
              ? ['primitive', d.name]
              : [d.kind];
  return JSON.stringify([t.path, t.params.map((p) => [p.name, p.type !== undefined]), def, t.docs]);
}

/**
 * Partition refinement: types are equal when their signatures are equal and the types they
 * refer to are equal, position by position (the coarsest such partition, so recursive types
 * that are identical merge too). Keeps the first of each class, in order.
 */
function mergeIdentical(types: PortableType[]): { types: PortableType[]; remap: TypeId[] } {
  const kids = types.map(children);
  let cls = classify(types.map(signature));
  let count = new Set(cls).size;
  for (;;) {
    const next = classify(types.map((_, i) => `${cls[i]}|${kids[i]!.map((k) => cls[k]).join(',')}`));
    const nextCount = new Set(next).size;
    cls = next;
    if (nextCount === count) break;
    count = nextCount;
  }
  const firstOfClass = new Map<number, TypeId>();
  const remap: TypeId[] = [];
  const kept: PortableType[] = [];
  types.forEach((t, i) => {
    const c = cls[i]!;
    const known = firstOfClass.get(c);
    if (known !== undefined) {
      remap[i] = known;
      return;
    }
    firstOfClass.set(c, kept.length);
    remap[i] = kept.length;
    kept.push(t);
  });
  return { types: kept.map((t, id) => renumber(t, id, remap)), remap };
}

function classify(keys: string[]): number[] {
  const ids = new Map<string, number>();
  return keys.map((k) => {
    let id = ids.get(k);
    if (id === undefined) ids.set(k, (id = ids.size));
    return id;
  });
}

function renumber(t: PortableType, id: TypeId, remap: TypeId[]): PortableType {
  const r = (x: TypeId) => remap[x]!;
  const field = (f: PortableField): PortableField => ({ ...f, type: r(f.type) });
  const d = t.def;
  const def: PortableDef =
    d.kind === 'composite'
      ? { kind: 'composite', fields: d.fields.map(field) }
      : d.kind === 'variant'
        ? { kind: 'variant', variants: d.variants.map((v) => ({ ...v, fields: v.fields.map(field) })) }
        : d.kind === 'tuple'
          ? { kind: 'tuple', items: d.items.map(r) }
          : d.kind === 'primitive'
            ? d
            : { ...d, of: r(d.of) };
  return {
    id,
    path: t.path,
    params: t.params.map((p) => (p.type === undefined ? { name: p.name } : { name: p.name, type: r(p.type) })),
    def,
    docs: t.docs,
  };
}
