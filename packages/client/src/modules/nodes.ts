/** 3Nodes: registration (signed by the node's own key), updates, uptime, public config and power. */
import type { ModuleContext, ReadOptions } from './context';
import { enumName, eventData, prim, unwrap, storageItem } from './context';
import type { SubmitOptions } from '../tx/types';

/** Sizes in bytes (GiB = 1024^3), cru in logical cores. Numbers: exact up to 8 PiB. */
export interface Resources {
  hru: number;
  sru: number;
  cru: number;
  mru: number;
}
export interface Location {
  city: string;
  country: string;
  latitude: string;
  longitude: string;
}
export interface NetworkInterface {
  name: string;
  mac: string;
  ips: string[];
}
export interface PublicConfig {
  ip4: { ip: string; gw: string };
  ip6: { ip: string; gw: string } | null;
  domain: string | null;
}
export type Power = 'Up' | 'Down';
export type NodeCertification = 'Diy' | 'Certified';

export interface NodeInput {
  farmId: number;
  resources: Resources;
  location: Location;
  interfaces: NetworkInterface[];
  secureBoot?: boolean;
  virtualized?: boolean;
  serialNumber?: string | null;
}

export interface Node {
  id: number;
  farmId: number;
  twinId: number;
  resources: Resources;
  location: Location;
  publicConfig: PublicConfig | null;
  /** Unix seconds of registration. */
  created: number;
  farmingPolicyId: number;
  interfaces: NetworkInterface[];
  certification: NodeCertification;
  secureBoot: boolean;
  virtualized: boolean;
  serialNumber: string | null;
  connectionPrice: number;
}

export interface NodePower {
  state: Power;
  /** The block at which the node went down (state Down). */
  downSince?: number;
  target: Power;
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
      return (eventData(r, 'tfgridModule.NodeStored')?.[0] as { id: number }).id;
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
      const v = unwrap(await (await storageItem(api, o.at, 'tfgridModule', 'nodes'))(id));
      if (!v) return undefined;
      const n = prim<Node & { interfaces: NetworkInterface[]; publicConfig: PublicConfig | null }>(v);
      return {
        id: n.id,
        farmId: n.farmId,
        twinId: n.twinId,
        resources: { hru: Number(n.resources.hru), sru: Number(n.resources.sru), cru: Number(n.resources.cru), mru: Number(n.resources.mru) },
        location: n.location,
        publicConfig: n.publicConfig ? { ip4: n.publicConfig.ip4, ip6: n.publicConfig.ip6 ?? null, domain: n.publicConfig.domain ?? null } : null,
        created: n.created,
        farmingPolicyId: n.farmingPolicyId,
        interfaces: n.interfaces.map((i) => ({ name: i.name, mac: i.mac, ips: i.ips })),
        certification: enumName(n.certification) as NodeCertification,
        secureBoot: n.secureBoot,
        virtualized: n.virtualized,
        serialNumber: n.serialNumber ?? null,
        connectionPrice: n.connectionPrice,
      };
    },
    /** The node id of a twin, or undefined. */
    async idByTwin(twinId: number, o: ReadOptions = {}): Promise<number | undefined> {
      const id = prim<number>(await (await storageItem(api, o.at, 'tfgridModule', 'nodeIdByTwinID'))(twinId));
      return id === 0 ? undefined : id;
    },
    async power(nodeId: number, o: ReadOptions = {}): Promise<NodePower> {
      const p = prim<{ state: unknown; target: unknown }>(await (await storageItem(api, o.at, 'tfgridModule', 'nodePower'))(nodeId));
      const state = enumName(p.state) as Power;
      const downSince = state === 'Down' ? (Object.values(p.state as object)[0] as number) : undefined;
      return downSince === undefined ? { state, target: enumName(p.target) as Power } : { state, downSince, target: enumName(p.target) as Power };
    },
  };
}
export type NodesModule = ReturnType<typeof nodes>;
