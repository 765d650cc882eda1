// dev_setRuntime: a runtime upgrade on the dev chain (served only with --dev, like the other dev_*).

import { invalidParams } from '../error';
import { objectParam } from './common';
import type { Handler } from './context';

/** most pallets one dev_setRuntime call may move (the runtime has a dozen) */
const MAX_MOVED_PALLETS = 64;

/**
 * Upgrades the runtime: `[{specVersion?, pallets?: {Name: index}}]`. The spec version must rise
 * (default: one more); named pallets move to their new index, the others keep theirs. Two blocks
 * are built, as a real upgrade makes them: one (still the old runtime) that sets `:code` and records
 * System.CodeUpdated, and the new runtime's first, which records System.LastRuntimeUpgrade. From it
 * on, the metadata and version served, and the indices of calls, events and errors, are the new
 * runtime's. Answers `{specVersion, pallets, codeBlock: {number, hash}, firstBlock: {number, hash}}`.
 */
export const dev_setRuntime: Handler = ({ chain }, params) => {
  const opts = objectParam(params, 0, 'runtime') ?? {};
  const extra = Object.keys(opts).filter((k) => k !== 'specVersion' && k !== 'pallets');
  if (extra.length)
    throw invalidParams(`runtime has unsupported field(s): ${extra.join(', ').slice(0, 200)} (known: specVersion, pallets)`);
  const specVersion: unknown = opts.specVersion ?? undefined;
  if (specVersion !== undefined && (typeof specVersion !== 'number' || !Number.isInteger(specVersion)))
    throw invalidParams('runtime.specVersion must be an integer');
  const pallets: unknown = opts.pallets ?? undefined;
  if (pallets !== undefined && (typeof pallets !== 'object' || pallets === null || Array.isArray(pallets))) {
    throw invalidParams('runtime.pallets must be an object {PalletName: index}');
  }
  const moved = Object.entries((pallets ?? {}) as Record<string, unknown>);
  if (moved.length > MAX_MOVED_PALLETS)
    throw invalidParams(`runtime.pallets names at most ${MAX_MOVED_PALLETS} pallets, got ${moved.length}`);
  for (const [name, index] of moved) {
    if (typeof index !== 'number') throw invalidParams(`runtime.pallets.${name.slice(0, 64)} must be a number`);
  }
  return chain.setRuntime({
    ...(specVersion !== undefined ? { specVersion: specVersion as number } : {}),
    ...(pallets !== undefined ? { pallets: pallets as Record<string, number> } : {}),
  });
};
