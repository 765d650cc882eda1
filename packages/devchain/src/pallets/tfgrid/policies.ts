/**
 * Pricing and farming policies (restricted calls), the connection price, the ZOS version, the
 * storage version, node certifiers, and the farming policy a node gets.
 */
import type { Overlay } from '../../state/overlay';
import type { Enum } from '../../scale/codec';
import { bytesEqual } from '../../util/hex';
import { badOrigin, depositEvent, ensureRootOrCouncil, type CallImpl, type DispatchContext } from '../dispatch';
import {
  AllowedNodeCertifiers,
  ConnectionPrice,
  err,
  FarmingPoliciesMap,
  FarmingPolicyID,
  Farms,
  farmOf,
  PalletVersion,
  PricingPolicies,
  PricingPolicyID,
  PricingPolicyIdByName,
  tfgrid,
  values,
  VERSION,
  ZosVersion,
  type Farm,
  type FarmingPolicy,
  type Node,
  type PricingPolicy,
} from './store';
import { cuOf, suOf } from './validate';

const rank = (e: Enum): number => (e.type === 'Certified' || e.type === 'Gold' ? 1 : 0);

/** All policies, ranked as the runtime does: sorted by (farm, node) certification, then reversed. */
function ranked(state: Overlay): FarmingPolicy[] {
  const list = values(state, FarmingPoliciesMap);
  // A stable sort, then reverse: ties end up in reverse storage order, as in the runtime.
  list.sort((a, b) => rank(a.farm_certification) - rank(b.farm_certification) || rank(a.node_certification) - rank(b.node_certification));
  return list.reverse();
}

function bestPolicy(state: Overlay, node: Node, farm: Farm, defaultOnly: boolean): FarmingPolicy {
  const p = ranked(state).find(
    (x) =>
      (!defaultOnly || x.default) &&
      rank(x.node_certification) <= rank(node.certification) &&
      rank(x.farm_certification) <= rank(farm.certification),
  );
  if (!p) throw err('FarmingPolicyNotExists');
  return p;
}

/**
 * The farming policy a node gets: the one attached to its farm while the farm's limits allow
 * (consuming them: cu, su, node count; emits FarmUpdated), else the best default policy;
 * without limits, the best policy for the node's and farm's certification.
 */
export function farmingPolicyFor(ctx: DispatchContext, node: Node): FarmingPolicy {
  const { state } = ctx;
  const farm = farmOf(state, node.farm_id);
  const limits = farm.farming_policy_limits;
  if (!limits) return bestPolicy(state, node, farm, false);
  if (!FarmingPoliciesMap.exists(state, limits.farming_policy_id)) throw err('FarmingPolicyNotExists');
  const fallback = (): FarmingPolicy => bestPolicy(state, node, farm, true);
  if (limits.node_certification && node.certification.type !== 'Certified') return fallback();
  if (limits.end !== undefined && ctx.block.timestamp / 1000n > limits.end) return fallback();
  const next = { ...limits };
  if (limits.cu !== undefined) {
    const cu = cuOf(node.resources);
    if (cu > limits.cu) return fallback();
    next.cu = limits.cu - cu;
  }
  if (limits.su !== undefined) {
    const su = suOf(node.resources);
    if (su > limits.su) return fallback();
    next.su = limits.su - su;
  }
  if (limits.node_count !== undefined) {
    if (limits.node_count === 0) return fallback();
    next.node_count = limits.node_count - 1;
  }
  const updated = { ...farm, farming_policy_limits: next };
  Farms.set(state, updated, farm.id);
  depositEvent(ctx, tfgrid, 'FarmUpdated', updated);
  return FarmingPoliciesMap.read(state, limits.farming_policy_id);
}

type PricingArgs = Omit<PricingPolicy, 'version' | 'id'>;

const pricingFields = (a: PricingArgs): Omit<PricingPolicy, 'version' | 'id'> => ({
  name: a.name,
  su: a.su,
  cu: a.cu,
  nu: a.nu,
  ipu: a.ipu,
  unique_name: a.unique_name,
  domain_name: a.domain_name,
  foundation_account: a.foundation_account,
  certified_sales_account: a.certified_sales_account,
  discount_for_dedication_nodes: a.discount_for_dedication_nodes,
});

interface FarmingArgs {
  name: Uint8Array;
  su: number;
  cu: number;
  nu: number;
  ipv4: number;
  minimal_uptime: number;
  policy_end: number;
  default: boolean;
  node_certification: Enum;
  farm_certification: Enum;
}

const farmingFields = (a: FarmingArgs) => ({
  name: a.name,
  cu: a.cu,
  su: a.su,
  nu: a.nu,
  ipv4: a.ipv4,
  minimal_uptime: a.minimal_uptime,
  policy_end: a.policy_end,
  default: a.default,
  node_certification: a.node_certification,
  farm_certification: a.farm_certification,
});

const sortAccounts = (a: Uint8Array, b: Uint8Array): number => Buffer.compare(Buffer.from(a), Buffer.from(b));

export const policyCalls: Record<string, CallImpl> = {
  create_pricing_policy(ctx, a: PricingArgs) {
    ensureRootOrCouncil(ctx.origin);
    if (PricingPolicyIdByName.exists(ctx.state, a.name)) throw err('PricingPolicyExists');
    const id = PricingPolicyID.read(ctx.state) + 1;
    const policy: PricingPolicy = { version: VERSION.pricingPolicy, id, ...pricingFields(a) };
    PricingPolicies.set(ctx.state, policy, id);
    PricingPolicyIdByName.set(ctx.state, id, a.name);
    PricingPolicyID.set(ctx.state, id);
    depositEvent(ctx, tfgrid, 'PricingPolicyStored', policy);
  },
  update_pricing_policy(ctx, a: PricingArgs & { pricing_policy_id: number }) {
    ensureRootOrCouncil(ctx.origin);
    const stored = PricingPolicies.get(ctx.state, a.pricing_policy_id);
    if (!stored) throw err('PricingPolicyNotExists');
    if (PricingPolicyIdByName.exists(ctx.state, a.name) && PricingPolicyIdByName.read(ctx.state, a.name) !== a.pricing_policy_id) {
      throw err('PricingPolicyWithDifferentIdExists');
    }
    if (!bytesEqual(a.name, stored.name)) PricingPolicyIdByName.remove(ctx.state, stored.name);
    const policy: PricingPolicy = { ...stored, ...pricingFields(a) };
    PricingPolicies.set(ctx.state, policy, a.pricing_policy_id);
    PricingPolicyIdByName.set(ctx.state, a.pricing_policy_id, a.name);
    depositEvent(ctx, tfgrid, 'PricingPolicyStored', policy);
  },
  create_farming_policy(ctx, a: FarmingArgs & { immutable: boolean }) {
    ensureRootOrCouncil(ctx.origin);
    const id = FarmingPolicyID.read(ctx.state) + 1;
    const policy: FarmingPolicy = {
      version: VERSION.farmingPolicy,
      id,
      ...farmingFields(a),
      policy_created: ctx.block.number,
      immutable: a.immutable,
    };
    FarmingPoliciesMap.set(ctx.state, policy, id);
    FarmingPolicyID.set(ctx.state, id);
    depositEvent(ctx, tfgrid, 'FarmingPolicyStored', policy);
  },
  update_farming_policy(ctx, a: FarmingArgs & { farming_policy_id: number }) {
    ensureRootOrCouncil(ctx.origin);
    if (!FarmingPoliciesMap.exists(ctx.state, a.farming_policy_id)) throw err('FarmingPolicyNotExists');
    const policy = { ...FarmingPoliciesMap.read(ctx.state, a.farming_policy_id), ...farmingFields(a) };
    FarmingPoliciesMap.set(ctx.state, policy, a.farming_policy_id);
    depositEvent(ctx, tfgrid, 'FarmingPolicyUpdated', policy);
  },
  set_connection_price(ctx, a: { price: number }) {
    ensureRootOrCouncil(ctx.origin);
    ConnectionPrice.set(ctx.state, a.price);
    depositEvent(ctx, tfgrid, 'ConnectionPriceSet', a.price);
  },
  set_zos_version(ctx, a: { zos_version: Uint8Array }) {
    ensureRootOrCouncil(ctx.origin);
    if (bytesEqual(ZosVersion.read(ctx.state), a.zos_version)) throw err('InvalidZosVersion');
    ZosVersion.set(ctx.state, a.zos_version);
    depositEvent(ctx, tfgrid, 'ZosVersionUpdated', a.zos_version);
  },
  set_storage_version(ctx, a: { version: Enum }) {
    ensureRootOrCouncil(ctx.origin);
    PalletVersion.set(ctx.state, a.version);
  },
  add_node_certifier(ctx, a: { certifier: Uint8Array }) {
    ensureRootOrCouncil(ctx.origin);
    const list = AllowedNodeCertifiers.get(ctx.state) ?? [];
    if (list.some((x) => bytesEqual(x, a.certifier))) throw err('AlreadyCertifier');
    AllowedNodeCertifiers.set(ctx.state, [...list, a.certifier].sort(sortAccounts));
    depositEvent(ctx, tfgrid, 'NodeCertifierAdded', a.certifier);
  },
  remove_node_certifier(ctx, a: { certifier: Uint8Array }) {
    ensureRootOrCouncil(ctx.origin);
    const list = AllowedNodeCertifiers.get(ctx.state);
    if (!list) return;
    if (!list.some((x) => bytesEqual(x, a.certifier))) throw err('NotCertifier');
    AllowedNodeCertifiers.set(
      ctx.state,
      list.filter((x) => !bytesEqual(x, a.certifier)),
    );
    depositEvent(ctx, tfgrid, 'NodeCertifierRemoved', a.certifier);
  },
};

function passes(check: () => void): boolean {
  try {
    check();
    return true;
  } catch {
    return false;
  }
}

/** Council/root, or else a signed account listed in AllowedNodeCertifiers (NotAllowedToCertifyNode). */
export function ensureCertifier(ctx: DispatchContext): void {
  const o = ctx.origin;
  if (passes(() => ensureRootOrCouncil(o))) return;
  if (o.type !== 'Signed') throw badOrigin();
  if (!(AllowedNodeCertifiers.get(ctx.state) ?? []).some((x) => bytesEqual(x, o.who))) throw err('NotAllowedToCertifyNode');
}
