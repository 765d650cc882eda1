/** Farms: creation, renaming, public IPs, payout address, and the council's certification, dedication and policy limits. */
import { tfgridEvents } from './hooks';
import type { Enum } from '../../scale/codec';
import { bytesEqual } from '../../util/hex';
import type { StateReader } from '../../state/overlay';
import { depositEvent, ensureRootOrCouncil, ensureSigned, type CallImpl, type DispatchContext } from '../dispatch';
import { farmingPolicyFor } from './policies';
import {
  err,
  FarmID,
  FarmIdByName,
  FarmingPoliciesMap,
  FarmPayoutV2AddressByFarmID,
  Farms,
  farmOf,
  Nodes,
  NodesByFarmID,
  tfgrid,
  twinIdOf,
  twinOf,
  Twins,
  VERSION,
  type Farm,
  type FarmingPolicyLimit,
  type PublicIP,
} from './store';
import { devPublicRanges } from './dev-public-ranges';
import { farmName, publicIp } from './validate';

/** The farm, if `who` is its twin's account (else TwinNotExists / CannotUpdateFarmWrongTwin). */
function ownFarm(state: StateReader, who: Uint8Array, farmId: number): Farm {
  const farm = farmOf(state, farmId);
  const twin = Twins.get(state, farm.twin_id);
  if (!twin) throw err('TwinNotExists');
  if (!bytesEqual(twin.account_id, who)) throw err('CannotUpdateFarmWrongTwin');
  return farm;
}

function save(ctx: DispatchContext, farm: Farm): void {
  Farms.set(ctx.state, farm, farm.id);
  depositEvent(ctx, tfgrid, 'FarmUpdated', farm);
}

export const farmCalls: Record<string, CallImpl> = {
  create_farm(ctx, a: { name: Uint8Array; public_ips: { ip: Uint8Array; gw: Uint8Array }[] }) {
    const who = ensureSigned(ctx.origin);
    const id = FarmID.read(ctx.state) + 1;
    const twinId = twinIdOf(ctx.state, who);
    const twin = twinOf(ctx.state, twinId);
    if (!bytesEqual(twin.account_id, who)) throw err('CannotCreateFarmWrongTwin');
    if (FarmIdByName.exists(ctx.state, a.name)) throw err('FarmExists');
    farmName(a.name);
    const ips: PublicIP[] = [];
    const extra = devPublicRanges(ctx.state);
    for (const { ip, gw } of a.public_ips) {
      publicIp(ip, gw, extra);
      if (ips.some((x) => bytesEqual(x.ip, ip))) throw err('IpExists');
      ips.push({ ip, gateway: gw, contract_id: 0n });
    }
    if (ips.length > 256) throw err('InvalidPublicIP');
    const farm: Farm = {
      version: VERSION.farm,
      id,
      name: a.name,
      twin_id: twinId,
      pricing_policy_id: 1,
      certification: { type: 'NotCertified' },
      public_ips: ips,
      dedicated_farm: false,
      farming_policy_limits: undefined,
    };
    Farms.set(ctx.state, farm, id);
    FarmIdByName.set(ctx.state, id, a.name);
    FarmID.set(ctx.state, id);
    depositEvent(ctx, tfgrid, 'FarmStored', farm);
  },
  update_farm(ctx, a: { farm_id: number; name: Uint8Array }) {
    const who = ensureSigned(ctx.origin);
    farmName(a.name);
    const twinId = twinIdOf(ctx.state, who);
    const farm = farmOf(ctx.state, a.farm_id);
    if (farm.twin_id !== twinId) throw err('CannotUpdateFarmWrongTwin');
    if (FarmIdByName.exists(ctx.state, a.name) && FarmIdByName.read(ctx.state, a.name) !== a.farm_id) throw err('InvalidFarmName');
    FarmIdByName.remove(ctx.state, farm.name);
    FarmIdByName.set(ctx.state, farm.id, a.name);
    save(ctx, { ...farm, name: a.name });
  },
  add_stellar_payout_v2address(ctx, a: { farm_id: number; stellar_address: Uint8Array }) {
    const who = ensureSigned(ctx.origin);
    const twinId = twinIdOf(ctx.state, who);
    const farm = farmOf(ctx.state, a.farm_id);
    if (farm.twin_id !== twinId) throw err('CannotUpdateFarmWrongTwin');
    FarmPayoutV2AddressByFarmID.set(ctx.state, a.stellar_address, a.farm_id);
    depositEvent(ctx, tfgrid, 'FarmPayoutV2AddressRegistered', [a.farm_id, a.stellar_address]);
  },
  add_farm_ip(ctx, a: { farm_id: number; ip: Uint8Array; gw: Uint8Array }) {
    const who = ensureSigned(ctx.origin);
    const farm = ownFarm(ctx.state, who, a.farm_id);
    publicIp(a.ip, a.gw, devPublicRanges(ctx.state));
    if (farm.public_ips.some((x) => bytesEqual(x.ip, a.ip))) throw err('IpExists');
    if (farm.public_ips.length >= 256) throw err('InvalidPublicIP');
    save(ctx, { ...farm, public_ips: [...farm.public_ips, { ip: a.ip, gateway: a.gw, contract_id: 0n }] });
  },
  /** Only a free IP (contract_id 0) can be removed: one in use by a contract is IpNotExists. */
  remove_farm_ip(ctx, a: { farm_id: number; ip: Uint8Array }) {
    const who = ensureSigned(ctx.origin);
    const farm = ownFarm(ctx.state, who, a.farm_id);
    const index = farm.public_ips.findIndex((x) => bytesEqual(x.ip, a.ip) && x.contract_id === 0n);
    if (index < 0) throw err('IpNotExists');
    save(ctx, { ...farm, public_ips: farm.public_ips.filter((_, i) => i !== index) });
  },
  set_farm_certification(ctx, a: { farm_id: number; certification: Enum }) {
    ensureRootOrCouncil(ctx.origin);
    const farm = farmOf(ctx.state, a.farm_id);
    Farms.set(ctx.state, { ...farm, certification: a.certification }, farm.id);
    depositEvent(ctx, tfgrid, 'FarmCertificationSet', [a.farm_id, a.certification]);
  },
  set_farm_dedicated(ctx, a: { farm_id: number; dedicated: boolean }) {
    ensureRootOrCouncil(ctx.origin);
    save(ctx, { ...farmOf(ctx.state, a.farm_id), dedicated_farm: a.dedicated });
  },
  force_reset_farm_ip(ctx, a: { farm_id: number; ip: Uint8Array }) {
    ensureRootOrCouncil(ctx.origin);
    const farm = farmOf(ctx.state, a.farm_id);
    const ip = farm.public_ips.find((x) => bytesEqual(x.ip, a.ip));
    if (!ip) throw err('IpNotExists');
    if (ip.contract_id !== 0n) tfgridEvents.publicIpRemoved(ctx.state, ip);
    save(ctx, { ...farm, public_ips: farm.public_ips.map((x) => (bytesEqual(x.ip, a.ip) ? { ...x, contract_id: 0n } : x)) });
  },
  /**
   * Attaches a farming policy with limits to a farm: the farm takes the policy's farm
   * certification, and its nodes on a default policy are re-assigned. `None` changes nothing.
   */
  attach_policy_to_farm(ctx, a: { farm_id: number; limits?: FarmingPolicyLimit }) {
    ensureRootOrCouncil(ctx.origin);
    const limits = a.limits;
    if (!limits) return;
    const policy = FarmingPoliciesMap.read(ctx.state, limits.farming_policy_id);
    if (policy.policy_end !== 0 && ctx.block.number >= policy.policy_created + policy.policy_end) throw err('FarmingPolicyExpired');
    const farm = farmOf(ctx.state, a.farm_id);
    save(ctx, { ...farm, farming_policy_limits: limits, certification: policy.farm_certification });
    for (const nodeId of NodesByFarmID.read(ctx.state, a.farm_id)) {
      const node = Nodes.get(ctx.state, nodeId);
      if (!node || !FarmingPoliciesMap.read(ctx.state, node.farming_policy_id).default) continue;
      const p = farmingPolicyFor(ctx, node);
      const updated = { ...node, farming_policy_id: p.id, certification: p.node_certification };
      Nodes.set(ctx.state, updated, nodeId);
      depositEvent(ctx, tfgrid, 'NodeUpdated', updated);
    }
    depositEvent(ctx, tfgrid, 'FarmingPolicySet', [a.farm_id, limits]);
  },
};
