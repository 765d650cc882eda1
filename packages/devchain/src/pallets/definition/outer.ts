/**
 * The runtime's outer enums (construct_runtime!): RuntimeCall, RuntimeEvent and RuntimeError,
 * derived from the pallet list. This module imports no pallet, so that pallets can refer to the
 * outer enums (a batch holds calls, a block's event records hold events) without import cycles;
 * the runtime definition hands its enums over with `declareRuntimeOuter`.
 */
import { type Codec, type Enum, enumeration, lazy, type VariantDecl } from '../../scale/codec';
import type { PalletDecl } from './types';

/** A pallet as placed in the runtime; `instance` names the instance of an instantiable pallet. */
export interface RuntimePallet extends PalletDecl {
  /** e.g. `pallet_collective::Instance1` */
  instance?: string;
}

export interface OuterEnums {
  call: Codec<Enum>;
  event: Codec<Enum>;
  error: Codec<Enum>;
}

export const RUNTIME_CRATE = 'tfchain_runtime';
/** The prefix construct_runtime! leaves in some type names (kept: the metadata must be identical). */
export const HIDDEN_INCLUDE = 'self::sp_api_hidden_includes_construct_runtime::hidden_include::';

/** `frame_system::Event<Runtime>`, `pallet_utility::Event`, `pallet_collective::Error<Runtime, pallet_collective::Instance1>` */
function partTypeName(p: RuntimePallet, part: Codec<Enum>, name: 'Event' | 'Error'): string {
  const crate = part.info.path[0];
  const generic = part.info.params.length > 0;
  return `${crate}::${name}${generic ? `<Runtime${p.instance ? `, ${p.instance}` : ''}>` : ''}`;
}

/** One variant per pallet that has the part, at the pallet's index, in index order. */
export function deriveOuterEnums(pallets: readonly RuntimePallet[]): OuterEnums {
  const sorted = [...pallets].sort((a, b) => a.index - b.index);
  const variants = (kind: 'calls' | 'events' | 'errors', typeName: (p: RuntimePallet, part: Codec<Enum>) => string) => {
    const out: Record<string, VariantDecl> = {};
    for (const p of sorted) {
      const part = p[kind];
      if (part) out[p.name] = { index: p.index, fields: { type: part, typeName: typeName(p, part) } };
    }
    return out;
  };
  return {
    call: enumeration(
      { path: `${RUNTIME_CRATE}::RuntimeCall` },
      variants('calls', (p) => `${HIDDEN_INCLUDE}dispatch\n::CallableCallFor<${p.name}, Runtime>`),
    ),
    event: enumeration(
      { path: `${RUNTIME_CRATE}::RuntimeEvent` },
      variants('events', (p, e) => partTypeName(p, e, 'Event')),
    ),
    error: enumeration(
      { path: `${RUNTIME_CRATE}::RuntimeError` },
      variants('errors', (p, e) => partTypeName(p, e, 'Error')),
    ),
  };
}

/**
 * The outer enums of the runtime the chain executes now, when a dev runtime swap has re-indexed
 * the pallets (null: the declared runtime). Set synchronously by the chain before it builds a
 * block or decodes a call, so every codec below follows the runtime of the state it works on.
 */
let active: { outer: OuterEnums; indices: ReadonlyMap<string, number> } | null = null;

export function setActiveOuter(next: { outer: OuterEnums; indices: ReadonlyMap<string, number> } | null): void {
  active = next;
}

/** A pallet's index in the runtime executing now (DispatchError::Module carries it). */
export function activePalletIndex(pallet: { name: string; index: number }): number {
  return active?.indices.get(pallet.name) ?? pallet.index;
}

/**
 * The declared runtime's outer enums, handed over by `runtime.ts` once it has put the pallets
 * together: the pallets' own declarations use the outer enums, so this module cannot import them.
 */
let declared: OuterEnums | undefined;

export function declareRuntimeOuter(enums: OuterEnums): void {
  declared = enums;
}

function runtimeOuter(): OuterEnums {
  if (active) return active.outer;
  if (!declared) throw new Error('the outer enums were used before the runtime definition (pallets/definition/runtime) was loaded');
  return declared;
}

export const RuntimeCall: Codec<Enum> = lazy(() => runtimeOuter().call);
export const RuntimeEvent: Codec<Enum> = lazy(() => runtimeOuter().event);
export const RuntimeError: Codec<Enum> = lazy(() => runtimeOuter().error);
