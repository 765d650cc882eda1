/**
 * What rewards need beyond the current records, written in the same block batch (so with the
 * cursor): the node as it was at the end of each period — after an event changes a node's reward
 * inputs, a snapshot of them under `nodeHistory/<node>/<time>/<block>/<event>` — and its power target and
 * state changes (farmerbot) under `power/<node>/<time>/<block>/<event>` (several blocks share a second).
 */
import type { TfchainEvent } from '@tfgrid/client';
import { key } from '../db/keys';
import type { BlockContext } from './handlers';
import type { NodeRecord } from '../model/records';
import type { WriteSet } from './writeset';
import { nodeState } from '../rewards/compute';
import type { PowerEvent } from '../rewards/uptime';

/** Called after the event's own handler, on the same write set. */
export async function recordRewardInputs(w: WriteSet, ev: TfchainEvent, b: BlockContext, eventIndex: number): Promise<void> {
  const at = (nodeId: number) => key(nodeId, b.timestamp, b.number, eventIndex);
  switch (ev.name) {
    case 'TfgridModule.PowerTargetChanged':
      return w.put('power', at(ev.nodeId), { timestamp: b.timestamp, block: b.number, target: ev.target } satisfies PowerEvent);
    case 'TfgridModule.PowerStateChanged':
      return w.put('power', at(ev.nodeId), { timestamp: b.timestamp, block: b.number, state: ev.state } satisfies PowerEvent);
    case 'TfgridModule.NodeStored':
    case 'TfgridModule.NodeUpdated':
    case 'TfgridModule.NodeCertificationSet': {
      const id = 'node' in ev ? ev.node.id : ev.nodeId;
      const n = await w.get<NodeRecord>('node', key(id));
      if (n) w.put('nodeHistory', at(id), nodeState(n, b.timestamp));
      return;
    }
    default:
      return;
  }
}
