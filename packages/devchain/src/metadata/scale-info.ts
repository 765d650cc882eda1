/**
 * scale-info's portable form, declared with our own codecs: the `types` part of the metadata.
 * Field and variant order follow scale-info's `Type`, `Field`, `Variant` and `TypeDef`.
 */
import { compact, enumeration, option, str, struct, u32, u8, vec, type ValueOf } from '../scale/codec';
import type { PortableDef, PortableField, PortableRegistry, PortableType } from './registry';

/** A reference into the registry: `UntrackedSymbol<TypeId>`, a compact u32. */
export const typeId = compact(u32);

const docs = vec(str);

const field = struct({ path: '' }, { name: option(str), type: typeId, typeName: option(str), docs });

const variant = struct({ path: '' }, { name: str, fields: vec(field), index: u8, docs });

/** `TypeDefPrimitive`, in scale-info's variant order. */
const primitive = enumeration({ path: '' }, [
  'bool',
  'char',
  'str',
  'u8',
  'u16',
  'u32',
  'u64',
  'u128',
  'u256',
  'i8',
  'i16',
  'i32',
  'i64',
  'i128',
  'i256',
]);

/** `TypeDef`: each variant holds its struct's fields (a one-field struct encodes as its field). */
const typeDef = enumeration(
  { path: '' },
  {
    Composite: [0, vec(field)],
    Variant: [1, vec(variant)],
    Sequence: [2, typeId],
    Array: [3, [u32, typeId]],
    Tuple: [4, vec(typeId)],
    Primitive: [5, primitive],
    Compact: [6, typeId],
    BitSequence: [7, [typeId, typeId]],
  },
);

const typeParam = struct({ path: '' }, { name: str, type: option(typeId) });

const portableType = struct({ path: '' }, { id: typeId, path: vec(str), params: vec(typeParam), def: typeDef, docs });

/** `PortableRegistry { types: Vec<PortableType> }` */
export const portableRegistry = vec(portableType);

export type PortableRegistryValue = ValueOf<typeof portableRegistry>;

function fieldValue(f: PortableField): ValueOf<typeof field> {
  return { name: f.name, type: f.type, typeName: f.typeName, docs: f.docs };
}

function defValue(d: PortableDef): ValueOf<typeof typeDef> {
  switch (d.kind) {
    case 'composite':
      return { type: 'Composite', value: d.fields.map(fieldValue) };
    case 'variant':
      return {
        type: 'Variant',
        value: d.variants.map((v) => ({ name: v.name, fields: v.fields.map(fieldValue), index: v.index, docs: v.docs })),
      };
    case 'sequence':
      return { type: 'Sequence', value: d.of };
    case 'array':
      return { type: 'Array', value: [d.len, d.of] };
    case 'tuple':
      return { type: 'Tuple', value: d.items };
    case 'primitive':
      return { type: 'Primitive', value: { type: d.name } };
    case 'compact':
      return { type: 'Compact', value: d.of };
  }
}

function typeValue(t: PortableType): ValueOf<typeof portableType> {
  return {
    id: t.id,
    path: t.path,
    params: t.params.map((p) => ({ name: p.name, type: p.type })),
    def: defValue(t.def),
    docs: t.docs,
  };
}

export function registryValue(registry: PortableRegistry): PortableRegistryValue {
  return registry.types.map(typeValue);
}
