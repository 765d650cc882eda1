/**
 * What a finalized SmartContractModule event means for the routes: grace of the node or the
 * name contract pauses the name at once (503), its end lifts that, cancellation (or grace
 * running out) takes the name away (404). The follower feeds every contract event; the rest
 * are ignored. The events are read through the client's chain vocabulary (`decodeEvent`).
 */
import { decodeEvent, type TfchainEventName, type TfchainEventOf } from '@tfgrid/client';

/** The part of the client's ChainEvent this needs (ChainEvent itself fits). */
export interface ContractEventLike {
  section?: string;
  pallet?: string;
  method: string;
  /** Not read (`data` holds the same arguments); ChainEvent has it. */
  fields?: Record<string, unknown> | null;
  data: unknown[];
}

export type ContractEffect = 'grace' | 'grace-ended' | 'gone';

/** The contract events that change routes, by their metadata names. */
const EFFECTS = {
  'SmartContractModule.ContractGracePeriodStarted': 'grace',
  'SmartContractModule.ContractGracePeriodEnded': 'grace-ended',
  'SmartContractModule.NameContractCanceled': 'gone',
  'SmartContractModule.NodeContractCanceled': 'gone',
  'SmartContractModule.ContractGracePeriodElapsed': 'gone',
} as const satisfies Partial<Record<TfchainEventName, ContractEffect>>;
type EffectEvent = keyof typeof EFFECTS;
const hasEffect = (name: string): name is EffectEvent => Object.prototype.hasOwnProperty.call(EFFECTS, name);

/** The event's metadata name ('SmartContractModule.NameContractCanceled') from its pallet or @polkadot/api section. */
function eventName(e: ContractEventLike, defaultPallet?: string): string | undefined {
  const p = e.pallet ?? e.section ?? defaultPallet;
  return p ? `${p.charAt(0).toUpperCase()}${p.slice(1)}.${e.method}` : undefined;
}

/** The contract an event is about and what it does to routes, or undefined when it does nothing. */
export function contractEffect(e: ContractEventLike): { contractId: number; effect: ContractEffect } | undefined {
  const name = eventName(e, 'SmartContractModule');
  if (name === undefined || !hasEffect(name)) return undefined;
  const { contractId } = decodeEvent({ name, data: e.data }) as TfchainEventOf<EffectEvent>;
  // Contract ids start at 1: 0 is what a missing id decodes to.
  return Number.isSafeInteger(contractId) && contractId > 0 ? { contractId, effect: EFFECTS[name] } : undefined;
}

/**
 * The gateway domain a `TfgridModule.NodePublicConfigStored(node_id, Option<PublicConfig>)` event
 * gives this node: a string, null when the config (or its domain) was removed, undefined when the
 * event is about something else. Feed it to Gateway.setDomain (and start/stop the gateway on it).
 */
export function publicConfigDomain(e: ContractEventLike, nodeId: number): string | null | undefined {
  const name = eventName(e);
  if (name !== 'TfgridModule.NodePublicConfigStored') return undefined;
  const ev = decodeEvent({ name, data: e.data }) as TfchainEventOf<'TfgridModule.NodePublicConfigStored'>;
  if (ev.nodeId !== nodeId) return undefined;
  // An empty domain is no domain.
  return ev.config?.domain || null;
}
