/**
 * What a finalized SmartContractModule event means for the routes: grace of the node or the
 * name contract pauses the name at once (503), its end lifts that, cancellation (or grace
 * running out) takes the name away (404). The follower feeds every contract event; the rest
 * are ignored.
 */

/** The part of the client's ChainEvent this needs (ChainEvent itself fits). */
export interface ContractEventLike {
  section?: string;
  pallet?: string;
  method: string;
  fields?: Record<string, unknown> | null;
  data: unknown[];
}

export type ContractEffect = 'grace' | 'grace-ended' | 'gone';

const EFFECTS: Record<string, ContractEffect> = {
  ContractGracePeriodStarted: 'grace',
  ContractGracePeriodEnded: 'grace-ended',
  NameContractCanceled: 'gone',
  NodeContractCanceled: 'gone',
  ContractCanceled: 'gone',
  ContractGracePeriodElapsed: 'gone',
};

function num(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isSafeInteger(v)) return v;
  if (typeof v === 'bigint') return Number(v);
  if (typeof v === 'string' && /^(0x[0-9a-f]+|\d+)$/i.test(v)) return Number(v);
  return undefined;
}

/** The contract an event is about and what it does to routes, or undefined when it does nothing. */
export function contractEffect(e: ContractEventLike): { contractId: number; effect: ContractEffect } | undefined {
  const module = (e.section ?? e.pallet ?? 'smartContractModule').toLowerCase();
  if (module !== 'smartcontractmodule') return undefined;
  const effect = EFFECTS[e.method];
  if (!effect) return undefined;
  const f = e.fields ?? undefined;
  const contractId = num(f?.contract_id ?? f?.contractId ?? e.data[0]);
  return contractId === undefined ? undefined : { contractId, effect };
}
