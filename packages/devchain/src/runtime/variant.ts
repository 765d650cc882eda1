/**
 * Runtime variants: the declared runtime with another spec version and pallet indices, as a dev
 * chain's stand-in for a runtime upgrade (dev_setRuntime). A variant is recorded in `:code` (where
 * a real chain keeps its wasm), so the runtime of any block is the one its state names: metadata
 * and versions served at a block, and the codecs used to build the next one, follow it.
 * No `:code` means the declared runtime (genesis stores none, so its hash is unchanged).
 */
import { buildMetadata, type BuiltMetadata } from '../metadata';
import { keyOf } from '../util/hex';
import { deriveOuterEnums, setActiveOuter, type OuterEnums, type RuntimePallet } from '../pallets/definition/outer';
import { pallets as declaredPallets, runtime as declaredRuntime } from '../pallets/definition/runtime';
import type { RuntimeDecl } from '../pallets/definition/types';
import { version as declaredVersion, type RuntimeVersion } from './version';

/** What a variant changes: the spec version and each pallet's index. */
export interface RuntimeLayout {
  specVersion: number;
  /** Every pallet's index, by name. */
  pallets: Record<string, number>;
}

export interface RuntimeVariant {
  layout: RuntimeLayout;
  decl: RuntimeDecl;
  version: RuntimeVersion;
  metadata: BuiltMetadata;
  /** The `:code` value that names it (null: the declared runtime, stored as no `:code`). */
  code: Uint8Array | null;
  /** What the codecs follow while it is active (null: the declared runtime's own). */
  outer: { outer: OuterEnums; indices: ReadonlyMap<string, number> } | null;
}

/** The storage key of `:code`. */
export const CODE_KEY = keyOf(new TextEncoder().encode(':code'));
/** What a dev variant's `:code` starts with (a real runtime's starts with the wasm magic). */
const CODE_PREFIX = 'tfchain-devchain-runtime:';
/** Variants remembered (each holds its metadata); a dev chain sees a handful. */
const MAX_VARIANTS = 32;

/** A runtime layout dev_setRuntime cannot make, or a `:code` this chain did not write; the message says why. */
export class RuntimeLayoutError extends Error {
  readonly code = 'InvalidRuntimeLayout';
  override name = 'RuntimeLayoutError';
}

function declaredLayout(): RuntimeLayout {
  return { specVersion: declaredVersion.spec_version, pallets: Object.fromEntries(declaredPallets.map((p) => [p.name, p.index])) };
}

export const declaredVariant: RuntimeVariant = {
  layout: declaredLayout(),
  decl: declaredRuntime,
  version: declaredVersion,
  metadata: buildMetadata(declaredRuntime),
  code: null,
  outer: null,
};

const variants = new Map<string, RuntimeVariant>();

/**
 * The layout `change` makes of `base`: pallets named in `change.pallets` move to their new
 * index, the others keep theirs. Throws RuntimeLayoutError naming what is wrong.
 */
export function nextLayout(base: RuntimeLayout, change: { specVersion?: number; pallets?: Record<string, number> }): RuntimeLayout {
  const specVersion = change.specVersion ?? base.specVersion + 1;
  if (!Number.isInteger(specVersion) || specVersion <= base.specVersion || specVersion > 0xffff_ffff) {
    throw new RuntimeLayoutError(
      `specVersion must be an integer above the current ${base.specVersion} (at most 4294967295), got ${specVersion}`,
    );
  }
  const pallets = { ...base.pallets };
  for (const [name, index] of Object.entries(change.pallets ?? {})) {
    if (!Object.hasOwn(pallets, name))
      throw new RuntimeLayoutError(
        `the runtime has no pallet ${JSON.stringify(name).slice(0, 80)} (known: ${Object.keys(pallets).join(', ')})`,
      );
    if (!Number.isInteger(index) || index < 0 || index > 255)
      throw new RuntimeLayoutError(`pallet ${name}'s index must be an integer from 0 to 255, got ${index}`);
    pallets[name] = index;
  }
  const byIndex = new Map<number, string>();
  for (const [name, index] of Object.entries(pallets)) {
    const other = byIndex.get(index);
    if (other) throw new RuntimeLayoutError(`pallets ${other} and ${name} would both have index ${index}`);
    byIndex.set(index, name);
  }
  return { specVersion, pallets };
}

/** The variant of a layout (built once: its codecs and metadata). */
export function variantOf(layout: RuntimeLayout): RuntimeVariant {
  const code = encodeCode(layout);
  const id = keyOf(code);
  let v = variants.get(id);
  if (v) return v;
  const version: RuntimeVersion = { ...declaredVersion, spec_version: layout.specVersion };
  const pallets: RuntimePallet[] = declaredPallets
    .map((p) => ({
      ...p,
      index: layout.pallets[p.name]!,
      // System's Version constant declares the spec version in the metadata.
      constants: p.name === 'System' ? p.constants?.map((c) => (c.name === 'Version' ? { ...c, value: version } : c)) : p.constants,
    }))
    .sort((a, b) => a.index - b.index);
  const outer = deriveOuterEnums(pallets);
  const decl: RuntimeDecl = { ...declaredRuntime, pallets, call: outer.call, event: outer.event, error: outer.error };
  // The metadata resolves the outer enums nested in calls (batches, motions) and events through
  // the active runtime: it is built with this variant active.
  const active = { outer, indices: new Map(pallets.map((p) => [p.name, p.index])) };
  const before = activeVariant;
  useVariant({ layout, decl, version, metadata: declaredVariant.metadata, code, outer: active });
  let metadata: BuiltMetadata;
  try {
    metadata = buildMetadata(decl);
  } finally {
    useVariant(before);
  }
  v = { layout, decl, version, metadata, code, outer: active };
  if (variants.size >= MAX_VARIANTS) variants.delete(variants.keys().next().value!);
  variants.set(id, v);
  return v;
}

/** The variant a state's `:code` value names (none: the declared runtime). */
export function variantOfCode(code: Uint8Array | undefined | null): RuntimeVariant {
  if (!code) return declaredVariant;
  const text = new TextDecoder().decode(code);
  if (!text.startsWith(CODE_PREFIX)) throw new RuntimeLayoutError('the chain state holds a :code this dev chain did not write');
  return variantOf(JSON.parse(text.slice(CODE_PREFIX.length)) as RuntimeLayout);
}

function encodeCode(layout: RuntimeLayout): Uint8Array {
  const sorted = Object.fromEntries(Object.entries(layout.pallets).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  return new TextEncoder().encode(CODE_PREFIX + JSON.stringify({ specVersion: layout.specVersion, pallets: sorted }));
}

let activeVariant: RuntimeVariant = declaredVariant;

/**
 * Makes `v` the runtime the codecs follow. The chain calls it synchronously before each block it
 * builds and each call it decodes, so two chains in one process each use their own.
 */
export function useVariant(v: RuntimeVariant): void {
  activeVariant = v;
  setActiveOuter(v.outer);
}
