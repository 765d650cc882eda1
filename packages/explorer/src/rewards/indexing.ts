/**
 * What rewards need beyond the current records, written in the same block batch (so with the
 * cursor): the node as it was at the end of each period — after an event changes a node's reward
 * inputs, a snapshot of them under `nodeHistory/<node>/<time>/<block>/<event>` — and its power target and
 * state changes (farmerbot) under `power/<node>/<time>/<block>/<event>` (several blocks share a second).
 */
import { key } from '../db/keys';
import type { BlockContext, BlockEvent } from '../indexer/handlers';
import { num, variant, type NodeRecord } from '../indexer/records';
import type { WriteSet } from '../indexer/writeset';
import type { NodeState } from './compute';
import type { PowerEvent } from './uptime';

const NODE_CHANGES = new Set(['TfgridModule.NodeStored', 'TfgridModule.NodeUpdated', 'TfgridModule.NodeCertificationSet']);

export function nodeState(n: NodeRecord, at: number | null): NodeState {
  return {
    nodeId: n.nodeId,
    farmId: n.farmId,
    twinId: n.twinId,
    total: n.total,
    certificationType: n.certificationType,
    farmingPolicyId: n.farmingPolicyId,
    connectionPrice: n.connectionPrice,
    virtualized: n.virtualized,
    at,
  };
}

const POWER_CHANGES: Record<string, keyof PowerEvent> = { 'TfgridModule.PowerTargetChanged': 'target', 'TfgridModule.PowerStateChanged': 'state' };

/** Called after the event's own handler, on the same write set. */
export async function recordRewardInputs(w: WriteSet, e: BlockEvent, b: BlockContext): Promise<void> {
  const power = POWER_CHANGES[e.name];
  if (power) {
    // (farm_id, node_id, power_target | power_state): `Up`, `Down` or `{ down: block }`.
    const [, id, value] = e.data;
    const p: PowerEvent = { timestamp: b.timestamp, block: b.number, [power]: variant(value) === 'Down' ? 'Down' : 'Up' };
    w.put('power', key(num(id), b.timestamp, b.number, e.eventIndex), p);
    return;
  }
  if (!NODE_CHANGES.has(e.name)) return;
  const first = e.data[0];
  const id = first !== null && typeof first === 'object' ? num((first as Record<string, unknown>).id) : num(first);
  const n = await w.get<NodeRecord>('node', key(id));
  if (n) w.put('nodeHistory', key(id, b.timestamp, b.number, e.eventIndex), nodeState(n, b.timestamp));
}
