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

/**
 * The gateway domain a `TfgridModule.NodePublicConfigStored(node_id, Option<PublicConfig>)` event
 * gives this node: a string, null when the config (or its domain) was removed, undefined when the
 * event is about something else. Feed it to Gateway.setDomain (and start/stop the gateway on it).
 */
export function publicConfigDomain(e: ContractEventLike, nodeId: number): string | null | undefined {
  const module = (e.section ?? e.pallet ?? '').toLowerCase();
  if (module !== 'tfgridmodule' || e.method !== 'NodePublicConfigStored' || num(e.data[0]) !== nodeId) return undefined;
  const cfg = e.data[1] as { domain?: unknown } | null | undefined;
  const d = cfg?.domain;
  if (typeof d !== 'string' || d === '' || d === '0x') return null;
  return /^0x([0-9a-f]{2})+$/i.test(d) ? Buffer.from(d.slice(2), 'hex').toString('utf8') : d;
}
