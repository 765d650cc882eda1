/** The pallet declarations, looked up by name so that implementations bind to the definition. */
import { runtime } from './definition/runtime';
import type { PalletDecl } from './definition/types';

export function palletDecl(name: string): PalletDecl {
  const p = runtime.pallets.find((x) => x.name === name);
  if (!p) throw new Error(`the runtime declares no pallet ${name}`);
  return p;
}

export function constantOf<V>(pallet: PalletDecl, name: string): V {
  const c = pallet.constants?.find((x) => x.name === name);
  if (!c) throw new Error(`${pallet.name} has no constant ${name}`);
  return c.value as V;
}
