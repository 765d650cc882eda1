/**
 * Node fields grid-proxy shows that the explorer derives from what it indexes: the monthly price
 * in USD (grid-proxy's formula over the farm's pricing policy), the balance discount, health, and
 * the hardware facts grid-proxy asks nodes for over RMB (GPUs, DMI, speed, features), which
 * TFChain does not hold: they are empty here until the node publishes them.
 */
import { GiB } from '@tfgrid/client';
import type { NodeRecord } from '../model/records';
import type { GridView } from './grid';
import { nodeStatus } from './node-status';

/** The features grid-proxy's `features` filter accepts (its validator's set). */
export const NODE_FEATURES = [
  'zmount',
  'zdb',
  'volume',
  'ipv4',
  'ip',
  'gateway-name-proxy',
  'gateway-fqdn-proxy',
  'qsfs',
  'zlogs',
  'network',
  'zmachine',
  'zmachine-light',
  'network-light',
  'wireguard',
  'yggdrasil',
  'mycelium',
] as const;

/**
 * The node's monthly price in USD before any discount: (CU × cu price + SU × su price + extra fee)
 * × 1.25 when certified × 720 hours ÷ 10^7, with CU and SU from its total resources in GiB
 * (grid-proxy's `calc_price`). A farm on policy 0 uses policy 1.
 */
export function basePriceUsd(view: GridView, n: NodeRecord): number {
  const farm = view.farms.get(n.farmId);
  const policy = view.pricing.get(farm && farm.pricingPolicyId !== 0 ? farm.pricingPolicyId : 1);
  if (!policy) return 0;
  const [cru, mru, sru, hru] = [n.total.cru, n.total.mru / GiB, n.total.sru / GiB, n.total.hru / GiB];
  const cu = Math.min(Math.max(mru / 4, cru / 2), Math.max(mru / 8, cru), Math.max(mru / 2, cru / 4));
  const su = hru / 1200 + sru / 200;
  const certified = n.certificationType === 'Certified' ? 1.25 : 1;
  return ((cu * policy.cu.value + su * policy.su.value + (n.extraFee ?? 0)) * certified * 24 * 30) / 1e7;
}

/** grid-proxy's `calc_discount`: a balance of 1.5, 3, 6 or 18 months of the price takes 20, 30, 40 or 60 % off. */
export function discounted(cost: number, balance: number): number {
  const d = balance >= cost * 18 ? 0.6 : balance >= cost * 6 ? 0.4 : balance >= cost * 3 ? 0.3 : balance >= cost * 1.5 ? 0.2 : 0;
  return cost - cost * d;
}

/** The price shown and filtered on: discounted for `balance`, rounded to 3 decimals as grid-proxy shows it. */
export const priceUsd = (view: GridView, n: NodeRecord, balance: number): number =>
  Math.round(discounted(basePriceUsd(view, n), balance) * 1000) / 1000;

/**
 * Healthy: grid-proxy asks each node over RMB; the explorer's evidence is the chain's — the node is
 * up (power state and target Up, an uptime report or update within the up window).
 */
export const nodeHealthy = (n: NodeRecord, now: number): boolean => nodeStatus(n, now) === 'up';

/** GPUs, DMI, speed and features: not on chain; empty until a node publishes them. */
export const nodeGpus = (_n: NodeRecord): { id: string; vendor: string; device: string; contract: number }[] => [];
export const nodeFeatures = (_n: NodeRecord): string[] => [];
export const EMPTY_DMI = {
  bios: { vendor: '', version: '' },
  baseboard: { manufacturer: '', product_name: '' },
  processor: [],
  memory: [],
};
export const NO_SPEED = { upload: 0, download: 0 };
