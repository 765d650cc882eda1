/** 3Nodes: registration (signed by the node's own key), updates, uptime, public config and power. */
import type { ModuleContext, ReadOptions } from './context';
import { eventArg, prim, readEntry, storageItem } from './context';
import type { SubmitOptions } from '../tx/types';
import {
  decodeNode,
  decodeNodePower,
  type Location,
  type NetworkInterface,
  type Node,
  type NodePower,
  type Power,
  type PublicConfig,
  type Resources,
} from '../chain';

export interface NodeInput {
  farmId: number;
  resources: Resources;
  location: Location;
  interfaces: NetworkInterface[];
  secureBoot?: boolean;
  virtualized?: boolean;
  serialNumber?: string | null;
}

function nodeArgs(n: NodeInput) {
  return [n.resources, n.location, n.interfaces, n.secureBoot ?? false, n.virtualized ?? false, n.serialNumber ?? null] as const;
}

export function nodes(ctx: ModuleContext) {
  const { api } = ctx;
  return {
    /** Registers the signer (the node's key, which needs a twin) as a node of `farmId`; answers the node id. */
    async create(input: NodeInput, opts?: SubmitOptions): Promise<number> {
      const r = await ctx.send(api.tx.tfgridModule.createNode(input.farmId, ...nodeArgs(input)), opts);
      return decodeNode(eventArg(r, 'tfgridModule.NodeStored')).id;
    },
    async update(nodeId: number, input: NodeInput, opts?: SubmitOptions): Promise<void> {
      await ctx.send(api.tx.tfgridModule.updateNode(nodeId, input.farmId, ...nodeArgs(input)), opts);
    },
    /** `report_uptime_v2`: seconds since boot, and the node's clock (unix seconds) as a hint. */
    async reportUptime(input: { uptime: number; timestampHint?: number }, opts?: SubmitOptions): Promise<void> {
      const hint = input.timestampHint ?? Math.floor(Date.now() / 1000);
      await ctx.send(api.tx.tfgridModule.reportUptimeV2(input.uptime, hint), opts);
    },
    /** By the farm's twin; null removes the config. */
    async setPublicConfig(input: { farmId: number; nodeId: number; config: PublicConfig | null }, opts?: SubmitOptions): Promise<void> {
      await ctx.send(api.tx.tfgridModule.addNodePublicConfig(input.farmId, input.nodeId, input.config), opts);
    },
    /** Signed by the node itself. */
    async changePowerState(state: Power, opts?: SubmitOptions): Promise<void> {
      await ctx.send(api.tx.tfgridModule.changePowerState(state), opts);
    },
    /** Signed by the farmer. */
    async changePowerTarget(nodeId: number, target: Power, opts?: SubmitOptions): Promise<void> {
      await ctx.send(api.tx.tfgridModule.changePowerTarget(nodeId, target), opts);
    },
    async delete(nodeId: number, opts?: SubmitOptions): Promise<void> {
      await ctx.send(api.tx.tfgridModule.deleteNodeFarm(nodeId), opts);
    },
    async get(id: number, o: ReadOptions = {}): Promise<Node | undefined> {
      return readEntry(api, o.at, 'tfgridModule', 'nodes', id, decodeNode);
    },
    /** The node id of a twin, or undefined. */
    async idByTwin(twinId: number, o: ReadOptions = {}): Promise<number | undefined> {
      const id = prim<number>(await (await storageItem(api, o.at, 'tfgridModule', 'nodeIdByTwinID'))(twinId));
      return id === 0 ? undefined : id;
    },
    async power(nodeId: number, o: ReadOptions = {}): Promise<NodePower> {
      return decodeNodePower((await (await storageItem(api, o.at, 'tfgridModule', 'nodePower'))(nodeId)).toJSON());
    },
  };
}
export type NodesModule = ReturnType<typeof nodes>;
