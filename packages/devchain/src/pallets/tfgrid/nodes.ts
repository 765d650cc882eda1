/** Nodes: registration, updates, deletion, certification, uptime, public config and power. */
import { tfgridEvents } from './hooks';
import type { Enum } from '../../scale/codec';
import { bytesEqual } from '../../util/hex';
import { depositEvent, ensureSigned, type CallImpl, type DispatchContext, type PostInfo } from '../dispatch';
import { storageOf } from '../storage';
import { constantOf, palletDecl } from '../decls';
import { ensureCertifier, farmingPolicyFor } from './policies';
import {
  ConnectionPrice,
  err,
  FarmingPoliciesMap,
  Farms,
  farmOf,
  NodeID,
  NodeIdByTwinID,
  NodePower,
  Nodes,
  NodesByFarmID,
  nodeOf,
  ownNode,
  tfgrid,
  twinIdOf,
  Twins,
  VERSION,
  type Interface,
  type Location,
  type Node,
  type PublicConfig,
  type Resources,
} from './store';
import { devPublicRanges } from './dev-public-ranges';
import * as validate from './validate';

/** SmartContractModule's view of a node's contracts (read through its declaration only). */
const smartContract = palletDecl('SmartContractModule');
const ActiveNodeContracts = storageOf<bigint[], [number]>(smartContract, 'ActiveNodeContracts');
const ActiveRentContractForNode = storageOf<bigint, [number]>(smartContract, 'ActiveRentContractForNode');

const FREE: PostInfo = { paysFee: 'No' };
/** The drift allowed between a node's timestamp hint and the block's time (seconds). */
const TIMESTAMP_HINT_DRIFT = constantOf<bigint>(tfgrid, 'TimestampHintDrift');

interface NodeInput {
  farm_id: number;
  resources: Resources;
  location: Location;
  interfaces: Interface[];
  secure_boot: boolean;
  virtualized: boolean;
  serial_number?: Uint8Array;
}

function validateNode(a: NodeInput): void {
  validate.resources(a.resources);
  validate.location(a.location);
  validate.interfaces(a.interfaces);
  validate.serialNumber(a.serial_number);
}

function removeFromFarm(ctx: DispatchContext, farmId: number, nodeId: number): void {
  const list = NodesByFarmID.read(ctx.state, farmId);
  if (!list.includes(nodeId)) throw err('NodeNotExists');
  NodesByFarmID.set(
    ctx.state,
    list.filter((id) => id !== nodeId),
    farmId,
  );
}

function deleteNode(ctx: DispatchContext, node: Node): void {
  tfgridEvents.nodeDeleted(ctx.state, ctx.block, node.id);
  removeFromFarm(ctx, node.farm_id, node.id);
  Nodes.remove(ctx.state, node.id);
  NodeIdByTwinID.remove(ctx.state, node.twin_id);
  depositEvent(ctx, tfgrid, 'NodeDeleted', node.id);
}

export const nodeCalls: Record<string, CallImpl> = {
  create_node(ctx, a: NodeInput) {
    const who = ensureSigned(ctx.origin);
    if (!Farms.exists(ctx.state, a.farm_id)) throw err('FarmNotExists');
    const twinId = twinIdOf(ctx.state, who);
    if (NodeIdByTwinID.exists(ctx.state, twinId)) throw err('NodeWithTwinIdExists');
    const id = NodeID.read(ctx.state) + 1;
    validateNode(a);
    const node: Node = {
      version: VERSION.node,
      id,
      farm_id: a.farm_id,
      twin_id: twinId,
      resources: a.resources,
      location: a.location,
      public_config: undefined,
      created: ctx.block.timestamp / 1000n,
      farming_policy_id: 0,
      interfaces: a.interfaces,
      certification: { type: 'Diy' },
      secure_boot: a.secure_boot,
      virtualized: a.virtualized,
      serial_number: a.serial_number,
      connection_price: ConnectionPrice.read(ctx.state),
    };
    const policy = farmingPolicyFor(ctx, node);
    node.farming_policy_id = policy.id;
    node.certification = policy.node_certification;
    Nodes.set(ctx.state, node, id);
    NodeID.set(ctx.state, id);
    NodeIdByTwinID.set(ctx.state, id, twinId);
    NodesByFarmID.set(ctx.state, [...NodesByFarmID.read(ctx.state, a.farm_id), id], a.farm_id);
    depositEvent(ctx, tfgrid, 'NodeStored', node);
  },
  /** Free when it succeeds. A Certified node whose resources change (> 1 %) becomes Diy. */
  update_node(ctx, a: NodeInput & { node_id: number }) {
    const who = ensureSigned(ctx.origin);
    const node = nodeOf(ctx.state, a.node_id);
    if (node.twin_id !== twinIdOf(ctx.state, who)) throw err('NodeUpdateNotAuthorized');
    if (!Farms.exists(ctx.state, a.farm_id)) throw err('FarmNotExists');
    if (node.farm_id !== a.farm_id) {
      NodesByFarmID.set(
        ctx.state,
        NodesByFarmID.read(ctx.state, node.farm_id).filter((id) => id !== node.id),
        node.farm_id,
      );
      NodesByFarmID.set(ctx.state, [...NodesByFarmID.read(ctx.state, a.farm_id), node.id], a.farm_id);
    }
    validateNode(a);
    let certification = node.certification;
    if (validate.resourcesChanged(node.resources, a.resources, 1) && certification.type === 'Certified') {
      certification = { type: 'Diy' };
      depositEvent(ctx, tfgrid, 'NodeCertificationSet', [node.id, certification]);
    }
    const updated: Node = {
      ...node,
      farm_id: a.farm_id,
      resources: a.resources,
      location: a.location,
      interfaces: a.interfaces,
      secure_boot: a.secure_boot,
      virtualized: a.virtualized,
      serial_number: a.serial_number,
      certification,
    };
    Nodes.set(ctx.state, updated, node.id);
    depositEvent(ctx, tfgrid, 'NodeUpdated', updated);
    return FREE;
  },
  /** By the node's own twin. */
  delete_node(ctx, a: { node_id: number }) {
    const who = ensureSigned(ctx.origin);
    const node = nodeOf(ctx.state, a.node_id);
    if (node.twin_id !== twinIdOf(ctx.state, who)) throw err('NodeUpdateNotAuthorized');
    deleteNode(ctx, node);
  },
  /** By the twin of the node's farm. */
  delete_node_farm(ctx, a: { node_id: number }) {
    const who = ensureSigned(ctx.origin);
    const twinId = twinIdOf(ctx.state, who);
    const node = nodeOf(ctx.state, a.node_id);
    const farm = farmOf(ctx.state, node.farm_id);
    if (!Twins.exists(ctx.state, farm.twin_id)) throw err('TwinNotExists');
    if (farm.twin_id !== twinId) throw err('FarmerNotAuthorized');
    deleteNode(ctx, node);
  },
  /** Council, root or an allowed certifier. A node on a default policy gets the best policy for its new level. */
  set_node_certification(ctx, a: { node_id: number; node_certification: Enum }) {
    ensureCertifier(ctx);
    const node = { ...nodeOf(ctx.state, a.node_id), certification: a.node_certification };
    if (FarmingPoliciesMap.read(ctx.state, node.farming_policy_id).default) node.farming_policy_id = farmingPolicyFor(ctx, node).id;
    Nodes.set(ctx.state, node, node.id);
    depositEvent(ctx, tfgrid, 'NodeUpdated', node);
    depositEvent(ctx, tfgrid, 'NodeCertificationSet', [node.id, a.node_certification]);
  },
  report_uptime(ctx, a: { uptime: bigint }) {
    return reportUptime(ctx, a.uptime, ctx.block.timestamp / 1000n);
  },
  report_uptime_v2(ctx, a: { uptime: bigint; timestamp_hint: bigint }) {
    return reportUptime(ctx, a.uptime, a.timestamp_hint);
  },
  /** By the farm's twin; the node must be in that farm. `None` clears the config. */
  add_node_public_config(ctx, a: { farm_id: number; node_id: number; public_config?: PublicConfig }) {
    const who = ensureSigned(ctx.origin);
    const farm = farmOf(ctx.state, a.farm_id);
    const farmTwin = Twins.get(ctx.state, farm.twin_id);
    if (!farmTwin) throw err('TwinNotExists');
    if (!bytesEqual(farmTwin.account_id, who)) throw err('CannotUpdateFarmWrongTwin');
    const node = nodeOf(ctx.state, a.node_id);
    if (node.farm_id !== a.farm_id) throw err('NodeUpdateNotAuthorized');
    if (a.public_config && !validate.publicConfig(a.public_config, devPublicRanges(ctx.state))) throw err('InvalidPublicConfig');
    Nodes.set(ctx.state, { ...node, public_config: a.public_config }, node.id);
    depositEvent(ctx, tfgrid, 'NodePublicConfigStored', [node.id, a.public_config]);
  },
  /** Signed by the node; free. Down is stored with the block it happened at; an event only on change. */
  change_power_state(ctx, a: { power_state: Enum }) {
    const who = ensureSigned(ctx.origin);
    const node = ownNode(ctx.state, who);
    const state: Enum = a.power_state.type === 'Down' ? { type: 'Down', value: ctx.block.number } : { type: 'Up' };
    const power = NodePower.read(ctx.state, node.id);
    if (power.state.type !== state.type || power.state.value !== state.value) {
      NodePower.set(ctx.state, { ...power, state }, node.id);
      depositEvent(ctx, tfgrid, 'PowerStateChanged', { farm_id: node.farm_id, node_id: node.id, power_state: state });
      tfgridEvents.nodePowerStateChanged(ctx.state, ctx.block, node.id);
    }
    return FREE;
  },
  /** Only the farmer; Down is refused while the node has node contracts or a rent contract. */
  change_power_target(ctx, a: { node_id: number; power_target: Enum }) {
    const who = ensureSigned(ctx.origin);
    const twinId = twinIdOf(ctx.state, who);
    const node = nodeOf(ctx.state, a.node_id);
    const farm = farmOf(ctx.state, node.farm_id);
    if (farm.twin_id !== twinId) throw err('UnauthorizedToChangePowerTarget');
    if (a.power_target.type === 'Down') {
      const busy = ActiveNodeContracts.read(ctx.state, node.id).length > 0 || ActiveRentContractForNode.exists(ctx.state, node.id);
      if (busy) throw err('NodeHasActiveContracts');
    }
    NodePower.set(ctx.state, { ...NodePower.read(ctx.state, node.id), target: a.power_target }, node.id);
    depositEvent(ctx, tfgrid, 'PowerTargetChanged', { farm_id: node.farm_id, node_id: node.id, power_target: a.power_target });
  },
};

/** Free; the hint (node's unix time, s) must be within 60 s of the block's time. */
function reportUptime(ctx: DispatchContext, uptime: bigint, hint: bigint): PostInfo {
  const node = ownNode(ctx.state, ensureSigned(ctx.origin));
  const now = ctx.block.timestamp / 1000n;
  const low = now > TIMESTAMP_HINT_DRIFT ? now - TIMESTAMP_HINT_DRIFT : 0n;
  if (hint < low || hint > now + TIMESTAMP_HINT_DRIFT) throw err('InvalidTimestampHint');
  depositEvent(ctx, tfgrid, 'NodeUptimeReported', [node.id, now, uptime]);
  return FREE;
}
