/**
 * What contracts cost (the pallet's cost.rs): resources per second against the hourly prices
 * of the pricing policy, in "units USD" (1 mUSD = 10,000 units), converted to TFT units at
 * the average TFT price clamped to its bounds, with the discount for months of coverage.
 */
import type { StateReader } from '../../state/overlay';
import type { Enum } from '../../scale/codec';
import { ceil, div, divInt, floor, fx, fxFloat, mul, mulInt, percentOf, round, type Fixed } from './fixed';
import {
  AverageTftPrice,
  ContractBillingInformationByID,
  ActiveRentContractForNode,
  DedicatedNodesExtraFee,
  MaxTftPrice,
  MinTftPrice,
  NodeContractResources,
  Nodes,
  scError,
  SECS_PER_HOUR,
  SECS_PER_MONTH,
  type Contract,
  type Policy,
  type PricingPolicy,
  type Resources,
  type ServiceContract,
} from './store';

const UNITS = ['Bytes', 'Kilobytes', 'Megabytes', 'Gigabytes', 'Terrabytes'];
const unitPower = (u: Enum): bigint => BigInt(Math.max(0, UNITS.indexOf(u.type)));
export const factorBase1024 = (p: Policy): bigint => 1024n ** unitPower(p.unit);
export const factorBase1000 = (p: Policy): bigint => 1000n ** unitPower(p.unit);

const perSecond = (p: Policy): Fixed => div(fx(p.value), fx(SECS_PER_HOUR));

/** CU = min(max(cru/2, mru/4), max(cru, mru/8), max(cru/4, mru/2)). */
export function computeUnits(cru: Fixed, mru: Fixed): Fixed {
  const hi = (a: Fixed, b: Fixed): Fixed => (a > b ? a : b);
  const cu1 = hi(divInt(mru, 4n), divInt(cru, 2n));
  const cu2 = hi(divInt(mru, 8n), cru);
  const cu3 = hi(divInt(mru, 2n), divInt(cru, 4n));
  const lo = cu1 > cu2 ? cu2 : cu1;
  return lo > cu3 ? cu3 : lo;
}

/** `calculate_resources_cost`: CU and SU (if billed) and public IPs for `secs` seconds, rounded up. */
export function resourcesCost(res: Resources, ipu: number, secs: bigint, policy: PricingPolicy, billResources: boolean): bigint {
  let total: Fixed = 0n;
  if (billResources) {
    const su1024 = fx(factorBase1024(policy.su));
    const hru = div(fx(res.hru), su1024);
    const sru = div(fx(res.sru), su1024);
    const mru = div(fx(res.mru), fx(factorBase1024(policy.cu)));
    const cru = fx(res.cru);
    const suUsed = divInt(hru, 1200n) + divInt(sru, 200n);
    const suCost = mul(mul(perSecond(policy.su), fx(secs)), suUsed);
    const cuCost = mul(mul(perSecond(policy.cu), fx(secs)), computeUnits(cru, mru));
    total = suCost + cuCost;
  }
  if (ipu > 0) total += mul(mul(fx(ipu), perSecond(policy.ipu)), fx(secs));
  return ceil(total);
}

/** `calculate_contract_cost`: units USD a contract owes for `secs` seconds (before discount). */
export function contractCost(state: StateReader, c: Contract, policy: PricingPolicy, secs: bigint): bigint {
  const ct = c.contract_type;
  if (ct.type === 'NodeContract') {
    const unbilled = ContractBillingInformationByID.read(state, c.contract_id).amount_unbilled;
    if (!Nodes.exists(state, ct.value.node_id)) throw scError('NodeNotExists');
    const used = NodeContractResources.read(state, c.contract_id).used;
    // Capacity on a rented node is paid by the rent contract: only IPs (and NRU) remain.
    const billResources = !ActiveRentContractForNode.exists(state, ct.value.node_id);
    return resourcesCost(used, ct.value.public_ips, secs, policy, billResources) + unbilled;
  }
  if (ct.type === 'RentContract') {
    const node = Nodes.get(state, ct.value.node_id);
    if (!node) throw scError('NodeNotExists');
    return percentOf(policy.discount_for_dedication_nodes, resourcesCost(node.resources, 0, secs, policy, true));
  }
  return floor(mul(perSecond(policy.unique_name), fx(secs)));
}

/** `calculate_extra_fee_cost`: a dedicated node's extra fee (mUSD per month) for `secs` seconds. */
export function extraFeeCost(state: StateReader, nodeId: number, secs: bigint): bigint {
  const feeMusdPerMonth = DedicatedNodesExtraFee.read(state, nodeId);
  if (feeMusdPerMonth === 0n) return 0n;
  return floor(div(fx(feeMusdPerMonth * 10_000n * secs), fx(SECS_PER_MONTH)));
}

/** The TFT price used for billing: the average price, clamped to [MinTftPrice, MaxTftPrice] (mUSD). */
export function billingTftPrice(state: StateReader): number {
  const avg = AverageTftPrice.read(state);
  const lo = MinTftPrice.read(state);
  const hi = MaxTftPrice.read(state);
  return Math.min(Math.max(avg, lo), hi);
}

/** `calculate_cost_in_tft_from_musd`: units USD → TFT units (7 decimals), rounded down. */
export function unitsUsdToTft(state: StateReader, cost: bigint): bigint {
  const price = billingTftPrice(state);
  if (price === 0) throw scError('TFTPriceValueError');
  const priceUnitsUsd = mulInt(fx(price), 10_000n);
  return floor(mul(div(fx(cost), priceUnitsUsd), fx(10_000_000n)));
}

export type DiscountLevel = 'None' | 'Default' | 'Bronze' | 'Silver' | 'Gold';
const MULTIPLIER: Record<DiscountLevel, Fixed> = {
  None: fx(1),
  Default: fxFloat(0.8),
  Bronze: fxFloat(0.7),
  Silver: fxFloat(0.6),
  Gold: fxFloat(0.4),
};

/**
 * `calculate_discount`: the discount for the months of usage the balance covers (≥1.5 Default
 * −20 %, ≥3 Bronze −30 %, ≥6 Silver −40 %, ≥18 Gold −60 %), then +25 % on certified nodes.
 * The monthly cost is this bill scaled from `secs` seconds to 30 days (on the real network a
 * cycle is one hour, where this is the pallet's `amount × 24 × 30`).
 */
export function applyDiscount(amount: bigint, secs: bigint, balance: bigint, certified: boolean): { amount: bigint; level: DiscountLevel } {
  if (amount === 0n) return { amount: 0n, level: 'None' };
  let level: DiscountLevel = 'None';
  if (secs > 0n) {
    const hourly = div(mul(fx(amount), fx(SECS_PER_HOUR)), fx(secs));
    const monthly = round(mulInt(hourly, 24n * 30n));
    const months = monthly === 0n ? fx(1n << 62n) : div(fx(balance), fx(monthly));
    if (months >= fx(18)) level = 'Gold';
    else if (months >= fx(6)) level = 'Silver';
    else if (months >= fx(3)) level = 'Bronze';
    else if (months >= fxFloat(1.5)) level = 'Default';
  }
  let due = mul(fx(amount), MULTIPLIER[level]);
  if (certified) due = mul(due, fxFloat(1.25));
  return { amount: ceil(due), level };
}

/** `calculate_contract_cost_tft`: what the contract owes in TFT units and the discount received. */
export function contractCostTft(
  state: StateReader,
  c: Contract,
  policy: PricingPolicy,
  balance: bigint,
  secs: bigint,
  certified: boolean,
): { amount: bigint; level: DiscountLevel } {
  const cost = contractCost(state, c, policy, secs);
  if (cost === 0n) return { amount: 0n, level: 'None' };
  return applyDiscount(unitsUsdToTft(state, cost), secs, balance, certified);
}

export function extraFeeCostTft(state: StateReader, nodeId: number, secs: bigint): bigint {
  const cost = extraFeeCost(state, nodeId, secs);
  return cost === 0n ? 0n : unitsUsdToTft(state, cost);
}

/** NRU report: nru bytes / 10^9 (per the nu unit) × hourly nu price / 3600 × window, rounded. */
export function nruCost(nru: bigint, window: bigint, policy: PricingPolicy): bigint {
  const used = div(fx(nru), fx(factorBase1000(policy.nu)));
  return round(mul(mul(used, perSecond(policy.nu)), fx(window)));
}

/** A service contract bill in units USD: base fee per hour over the window, plus the variable amount. */
export function serviceBillCost(sc: ServiceContract, variableAmount: bigint, window: bigint): bigint {
  const cost = div(mul(fx(sc.base_fee), fx(window)), fx(SECS_PER_HOUR)) + fx(variableAmount);
  return round(cost);
}
