/**
 * `RuntimeMetadataPrefixed` V14 and V15 from the runtime's declaration.
 *
 * Each version has its own registry holding only the types it reaches, registered in the order
 * frame-metadata walks them (per pallet: storage, calls, event, constants, error; then the
 * extrinsic; then the runtime type; V15 adds the runtime APIs and the outer enums). The
 * metadata is assembled twice with the same function: once to register the types, once, after
 * the registry is numbered, to read their ids.
 */
import { encode, tuple, type Codec } from '../scale/codec';
import type { ConstantDecl, PalletDecl, RuntimeDecl, StorageDecl } from '../pallets/definition/types';
import {
  META_RESERVED,
  runtimeMetadataPrefixed,
  type MetadataV14Value,
  type MetadataV15Value,
  type PalletV14Value,
  type SignedExtensionValue,
  type StorageEntryValue,
} from './frame-metadata';
import { PortableRegistryBuilder, type PortableRegistry, type TypeId } from './registry';
import { registryValue } from './scale-info';

type Ty = (codec: Codec<any>) => TypeId;

/** Runs `assemble` to register every type it names, then again with the final ids. */
function withRegistry<T>(assemble: (ty: Ty) => T): { registry: PortableRegistry; value: T } {
  const builder = new PortableRegistryBuilder();
  assemble((c) => builder.register(c));
  const registry = builder.finish();
  return { registry, value: assemble((c) => registry.idOf(c)) };
}

function describeError(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function storageEntry(pallet: PalletDecl, s: StorageDecl, ty: Ty): StorageEntryValue {
  const where = `${pallet.name}.${s.name}`;
  if (s.keys.length !== s.hashers.length) {
    throw new Error(`storage ${where}: ${s.hashers.length} hasher(s) but ${s.keys.length} key(s)`);
  }
  let fallback: Uint8Array;
  if (s.modifier === 'Optional') fallback = new Uint8Array([0]);
  else {
    if (!('fallback' in s)) throw new Error(`storage ${where}: Default modifier needs a fallback value for the metadata`);
    try {
      fallback = encode(s.value, s.fallback);
    } catch (e) {
      throw new Error(`storage ${where}: cannot encode the fallback: ${describeError(e)}`, { cause: e });
    }
  }
  const entryType: StorageEntryValue['ty'] =
    s.hashers.length === 0
      ? { type: 'Plain', value: ty(s.value) }
      : {
          type: 'Map',
          value: {
            hashers: s.hashers.map((h) => ({ type: h })),
            key: ty(s.keys.length === 1 ? s.keys[0]! : tuple(...s.keys)),
            value: ty(s.value),
          },
        };
  return { name: s.name, modifier: { type: s.modifier }, ty: entryType, default: fallback, docs: s.docs ?? [] };
}

function constantValue(pallet: PalletDecl, c: ConstantDecl): Uint8Array {
  try {
    return encode(c.type, c.value);
  } catch (e) {
    throw new Error(`constant ${pallet.name}.${c.name}: cannot encode its value: ${describeError(e)}`, { cause: e });
  }
}

function pallet(p: PalletDecl, ty: Ty): PalletV14Value {
  // Property order is registration order: storage, calls, event, constants, error.
  return {
    name: p.name,
    storage: p.storage && { prefix: p.name, entries: p.storage.map((s) => storageEntry(p, s, ty)) },
    calls: p.calls && { ty: ty(p.calls) },
    event: p.events && { ty: ty(p.events) },
    constants: (p.constants ?? []).map((c) => ({
      name: c.name,
      ty: ty(c.type),
      value: constantValue(p, c),
      docs: c.docs ?? [],
    })),
    error: p.errors && { ty: ty(p.errors) },
    index: p.index,
  };
}

function signedExtensions(rt: RuntimeDecl, ty: Ty): SignedExtensionValue[] {
  return rt.extrinsic.signedExtensions.map((x) => ({
    identifier: x.identifier,
    ty: ty(x.type),
    additionalSigned: ty(x.additionalSigned),
  }));
}

function prefixed(metadata: { type: 'V14'; value: MetadataV14Value } | { type: 'V15'; value: MetadataV15Value }): Uint8Array {
  return encode(runtimeMetadataPrefixed, { magic: META_RESERVED, metadata });
}

export function encodeMetadataV14(rt: RuntimeDecl): Uint8Array {
  const { registry, value } = withRegistry((ty) => ({
    pallets: rt.pallets.map((p) => pallet(p, ty)),
    extrinsic: { ty: ty(rt.extrinsic.type), version: rt.extrinsic.version, signedExtensions: signedExtensions(rt, ty) },
    ty: ty(rt.runtimeType),
  }));
  return prefixed({ type: 'V14', value: { types: registryValue(registry), ...value } });
}

export function encodeMetadataV15(rt: RuntimeDecl): Uint8Array {
  const { registry, value } = withRegistry((ty) => {
    const pallets = rt.pallets.map((p) => ({ ...pallet(p, ty), docs: p.docs ?? [] }));
    const extrinsic = {
      version: rt.extrinsic.version,
      addressTy: ty(rt.extrinsic.address),
      callTy: ty(rt.call),
      signatureTy: ty(rt.extrinsic.signature),
      extraTy: ty(rt.extrinsic.extra),
      signedExtensions: signedExtensions(rt, ty),
    };
    // V15 has no field for it, but tools look the extrinsic type up by its path.
    ty(rt.extrinsic.type);
    const runtimeTy = ty(rt.runtimeType);
    const apis = rt.apis.map((api) => ({
      name: api.name,
      methods: api.methods.map((m) => ({
        name: m.name,
        inputs: m.inputs.map((i) => ({ name: i.name, ty: ty(i.type) })),
        output: ty(m.output),
        docs: m.docs ?? [],
      })),
      docs: api.docs ?? [],
    }));
    const outerEnums = { callEnumTy: ty(rt.call), eventEnumTy: ty(rt.event), errorEnumTy: ty(rt.error) };
    return { pallets, extrinsic, ty: runtimeTy, apis, outerEnums, custom: { map: [] } };
  });
  return prefixed({ type: 'V15', value: { types: registryValue(registry), ...value } });
}
