/**
 * The runtime's metadata, as `state_getMetadata` / `Metadata_metadata` (V14) and
 * `Metadata_metadata_at_version(15)` (V15) return it: full `RuntimeMetadataPrefixed` bytes.
 */
import type { RuntimeDecl } from '../pallets/definition/types';
import { encodeMetadataV14, encodeMetadataV15 } from './encode';

export interface BuiltMetadata {
  /** `RuntimeMetadataPrefixed` V14: what `state_getMetadata` and `Metadata_metadata` return. */
  v14: Uint8Array;
  /** `RuntimeMetadataPrefixed` V15 (unwrapped; the caller adds `Option<OpaqueMetadata>`). */
  v15: Uint8Array;
  /** `Metadata_metadata_versions`: [14, 15]. */
  versions: number[];
}

const built = new WeakMap<RuntimeDecl, BuiltMetadata>();

/** Builds (once per runtime object) the metadata of the runtime. */
export function buildMetadata(runtime: RuntimeDecl): BuiltMetadata {
  let m = built.get(runtime);
  if (!m) {
    m = { v14: encodeMetadataV14(runtime), v15: encodeMetadataV15(runtime), versions: [14, 15] };
    built.set(runtime, m);
  }
  return m;
}

export { encodeMetadataV14, encodeMetadataV15 } from './encode';
export { runtimeMetadataPrefixed } from './frame-metadata';
export { PortableRegistryBuilder } from './registry';
export type { PortableRegistry, PortableType, PortableDef, PortableField, PortableVariant, TypeId } from './registry';
