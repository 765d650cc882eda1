/**
 * What TfgridModule tells other pallets, as the real runtime's `NodeChanged` and
 * `PublicIpModifier` config does: the runtime (`pallets/index.ts`) wires the listeners in.
 */
import type { Overlay } from '../../state/overlay';
import type { BlockEnv } from '../dispatch';

export interface TfgridListener {
  /** Before the node leaves storage: its contracts must go. */
  nodeDeleted(state: Overlay, block: BlockEnv, nodeId: number): void;
  /** After the node's power state changed. */
  nodePowerStateChanged(state: Overlay, block: BlockEnv, nodeId: number): void;
  /** A public IP held by a contract was taken back by the council. */
  publicIpRemoved(state: Overlay, ip: { ip: Uint8Array; gateway: Uint8Array; contract_id: bigint }): void;
}

const listeners: TfgridListener[] = [];

export function addTfgridListener(l: TfgridListener): void {
  listeners.push(l);
}

export const tfgridEvents: TfgridListener = {
  nodeDeleted: (state, block, nodeId) => listeners.forEach((l) => l.nodeDeleted(state, block, nodeId)),
  nodePowerStateChanged: (state, block, nodeId) => listeners.forEach((l) => l.nodePowerStateChanged(state, block, nodeId)),
  publicIpRemoved: (state, ip) => listeners.forEach((l) => l.publicIpRemoved(state, ip)),
};
