/**
 * TfgridModule's genesis from the chain spec's `tfgridModule` section, with the fields of the
 * real pallet's GenesisConfig (camelCase): the default pricing policy (when both accounts are
 * given; as in the real runtime its name is not indexed), the DIY and Certified default farming
 * policies, the connection price and the storage version.
 */
import type { Overlay } from '../../state/overlay';
import { ChainSpecError, resolveAccount } from '../genesis-input';
import { TFGRID_STORAGE_VERSION } from '../definition/tfgrid';
import { devPublicRangesGenesis } from './dev-public-ranges';
import {
  bytes,
  ConnectionPrice,
  FarmingPoliciesMap,
  FarmingPolicyID,
  PalletVersion,
  PricingPolicies,
  PricingPolicyID,
  type FarmingPolicy,
  type Policy,
} from './store';

export interface TfgridGenesis {
  suPriceValue?: number;
  suPriceUnit?: number | string;
  nuPriceValue?: number;
  nuPriceUnit?: number | string;
  ipuPriceValue?: number;
  ipuPriceUnit?: number | string;
  cuPriceValue?: number;
  cuPriceUnit?: number | string;
  domainNamePriceValue?: number;
  uniqueNamePriceValue?: number;
  /** dev URI, SS58 or hex */
  foundationAccount?: string;
  salesAccount?: string;
  discountForDedicationNodes?: number;
  farmingPolicyDiyCu?: number;
  farmingPolicyDiyNu?: number;
  farmingPolicyDiySu?: number;
  farmingPolicyDiyIpu?: number;
  farmingPolicyDiyMinimalUptime?: number;
  farmingPolicyCertifiedCu?: number;
  farmingPolicyCertifiedNu?: number;
  farmingPolicyCertifiedSu?: number;
  farmingPolicyCertifiedIpu?: number;
  farmingPolicyCertifiedMinimalUptime?: number;
  connectionPrice?: number;
  /** The pallet's storage version (default: the one spec 152 runs). */
  palletVersion?: string;
  /**
   * Dev chains only, not a TFChain field: CIDRs that count as public unicast on this chain, e.g.
   * `["198.18.0.0/15"]` for a grid on one machine (see dev-public-ranges.ts). Default none.
   */
  devPublicRanges?: string[];
}

const UNITS = ['Bytes', 'Kilobytes', 'Megabytes', 'Gigabytes', 'Terrabytes'];
/** `Unit::from_u32`: 1 Bytes … 5 Terrabytes, anything else Gigabytes; a unit's name is accepted too. */
function unit(u: number | string | undefined): { type: string } {
  if (typeof u === 'string') {
    if (!UNITS.includes(u)) throw new ChainSpecError(`chain spec: tfgridModule: unknown unit ${u} (${UNITS.join(', ')})`);
    return { type: u };
  }
  return { type: u !== undefined && u >= 1 && u <= 5 ? UNITS[u - 1]! : 'Gigabytes' };
}
const policy = (value: number, u?: number | string): Policy => ({ value, unit: unit(u) });

function num(c: TfgridGenesis, key: keyof TfgridGenesis): number {
  const v = c[key] ?? 0;
  if (typeof v !== 'number' || !Number.isInteger(v) || v < 0)
    throw new ChainSpecError(`chain spec: tfgridModule.${key} must be a non-negative integer`);
  return v;
}

function farmingPolicy(id: number, name: string, c: TfgridGenesis, kind: 'Diy' | 'Certified'): FarmingPolicy {
  return {
    version: 1,
    id,
    name: bytes(name),
    cu: num(c, `farmingPolicy${kind}Cu`),
    su: num(c, `farmingPolicy${kind}Su`),
    nu: num(c, `farmingPolicy${kind}Nu`),
    ipv4: num(c, `farmingPolicy${kind}Ipu`),
    minimal_uptime: num(c, `farmingPolicy${kind}MinimalUptime`),
    policy_created: 0,
    policy_end: 0,
    immutable: false,
    default: true,
    node_certification: { type: kind },
    farm_certification: { type: 'NotCertified' },
  };
}

export function tfgridGenesis(state: Overlay, config: Record<string, unknown>): void {
  const c = (config.tfgridModule ?? {}) as TfgridGenesis;
  if (c.foundationAccount && c.salesAccount) {
    const name = bytes('threefold_default_pricing_policy');
    PricingPolicies.set(
      state,
      {
        version: 1,
        id: 1,
        name,
        su: policy(num(c, 'suPriceValue'), c.suPriceUnit),
        cu: policy(num(c, 'cuPriceValue'), c.cuPriceUnit),
        nu: policy(num(c, 'nuPriceValue'), c.nuPriceUnit),
        ipu: policy(num(c, 'ipuPriceValue'), c.ipuPriceUnit),
        unique_name: policy(num(c, 'uniqueNamePriceValue')),
        domain_name: policy(num(c, 'domainNamePriceValue')),
        foundation_account: resolveAccount(c.foundationAccount),
        certified_sales_account: resolveAccount(c.salesAccount),
        discount_for_dedication_nodes: num(c, 'discountForDedicationNodes'),
      },
      1,
    );
    PricingPolicyID.set(state, 1);
  }
  FarmingPoliciesMap.set(state, farmingPolicy(1, 'threefold_default_diy_farming_policy', c, 'Diy'), 1);
  FarmingPoliciesMap.set(state, farmingPolicy(2, 'threefold_default_certified_farming_policy', c, 'Certified'), 2);
  FarmingPolicyID.set(state, 2);
  ConnectionPrice.set(state, num(c, 'connectionPrice'));
  PalletVersion.set(state, c.palletVersion ? { type: c.palletVersion } : TFGRID_STORAGE_VERSION);
  devPublicRangesGenesis(state, c.devPublicRanges);
}
