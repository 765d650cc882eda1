/**
 * What rewards need beyond the current records: the node as it was at the end of each period.
 * After an event changes a node's reward inputs, a snapshot of them is written under
 * `nodeHistory/<node>/<time>/<event>` in the same block batch (so with the cursor).
 */
import { key } from '../db/keys';
import type { BlockContext, BlockEvent } from '../indexer/handlers';
import { num, type NodeRecord } from '../indexer/records';
import type { WriteSet } from '../indexer/writeset';
import type { NodeState } from './compute';

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

/** Called after the event's own handler, on the same write set. */
export async function recordRewardInputs(w: WriteSet, e: BlockEvent, b: BlockContext): Promise<void> {
  if (!NODE_CHANGES.has(e.name)) return;
  const first = e.data[0];
  const id = first !== null && typeof first === 'object' ? num((first as Record<string, unknown>).id) : num(first);
  const n = await w.get<NodeRecord>('node', key(id));
  if (n) w.put('nodeHistory', key(id, b.timestamp, e.eventIndex), nodeState(n, b.timestamp));
}
