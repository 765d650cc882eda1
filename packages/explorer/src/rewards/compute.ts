/**
 * A node's farming reward for one minting period, as ThreeFold's capacity minting (minting_v3)
 * computes it, with every input next to the result. Pure: the inputs are read by load.ts.
 *
 * Reward in mUSD = CU × policy.cu + SU × policy.su + NU × policy.nu (rates in mUSD per unit per
 * period) + public-IP hours × policy.ipv4; certified nodes on policy 1 get 25 % more. In TFT:
 * mUSD × 10⁷ / connection price (mUSD per TFT, fixed when the node registered), in units of 10⁻⁷
 * TFT. Then the uptime SLA: on the standard policies (1, 2, and a non-default mutable policy 3
 * with minimal uptime 95) a DIY node needs 95 % and a certified node 98 % of the period, and the
 * reward scales with the uptime; on other policies the policy's minimal uptime is needed and the
 * reward is whole. Zero for a node with a violation, a virtualized node, or no uptime report.
 * Time a node spent powered down by its farm (farmerbot) counts as up within minting's limits.
 */
import { cloudUnitsPermill, fromPermill, TFT, type FarmingPolicy, type Resources } from '@tfgrid/client';
import { PERIOD_SECONDS, POST_PERIOD_SECONDS, type Period } from './period';
import type { ExplorerNodeReward } from '../model/answers';
import type { NodeRecord } from '../model/records';
import { measureUptime, type PowerInput, type UptimeReport, type Violation } from './uptime';

const MILLION = 1_000_000n;

/** The node as minting sees it at the end of the period. */
export interface NodeState {
  nodeId: number;
  farmId: number;
  twinId: number;
  total: Resources;
  certificationType: string;
  farmingPolicyId: number;
  /** TFT price in mUSD when the node registered (the node's `connection_price`). */
  connectionPrice: number;
  virtualized: boolean;
  /** Chain time of the state used; null when only the current record is known. */
  at: number | null;
}

/** The node's reward inputs from its record; `at` is the snapshot's chain time, null for the current record. */
export function nodeState(n: NodeRecord, at: number | null): NodeState {
  return {
    nodeId: n.nodeId,
    farmId: n.farmId,
    twinId: n.twinId,
    total: n.total,
    certificationType: n.certificationType,
    farmingPolicyId: n.farmingPolicyId,
    connectionPrice: n.connectionPrice,
    virtualized: n.virtualized,
    at,
  };
}

/** The part of the chain's farming policy (the client's `FarmingPolicy`) a reward reads and shows. */
export type RewardPolicy = Pick<FarmingPolicy, 'id' | 'name' | 'cu' | 'su' | 'nu' | 'ipv4' | 'minimalUptime' | 'default' | 'immutable'>;

export interface UsageInput {
  /** Public traffic reported by the node's contracts' NRU reports in the period, bytes. */
  nruBytes: number;
  /** Σ public IPs × window of those reports, seconds. */
  publicIpSeconds: number;
  nruReports: number;
}

export interface TwinInput {
  relay: string | null;
  publicKey: string | null;
}

export interface RewardInput {
  period: Period;
  node: NodeState;
  policy: RewardPolicy | null;
  reports: readonly UptimeReport[];
  /** The node's power target and state events (farmerbot); none: always up as far as power goes. */
  power?: PowerInput;
  usage: UsageInput;
  /** The node's twin at the end; null when it does not exist. */
  twin: TwinInput | null;
  /** Chain time up to which the index holds events. */
  indexedUntil: number;
}

export type ExtraViolationKind = 'missing_twin' | 'missing_relay' | 'invalid_public_key';

/** What a reward answers (the explorer's answer type), violations being minting's and the twin's. */
export type NodeReward = Omit<ExplorerNodeReward, 'violations'> & {
  violations: (Violation | { kind: ExtraViolationKind; message: string })[];
};

/** minting_v3's standard policies: the reward scales with uptime, SLA 95 % DIY / 98 % certified. */
export function scaledPolicy(p: RewardPolicy): boolean {
  return p.id === 1 || p.id === 2 || (p.id === 3 && !p.default && !p.immutable && p.minimalUptime === 95);
}

const certified = (c: string): boolean => c.toLowerCase() === 'certified';

function twinViolation(t: TwinInput | null): { kind: ExtraViolationKind; message: string } | null {
  if (!t) return { kind: 'missing_twin', message: 'the node twin does not exist' };
  if (!t.relay) return { kind: 'missing_relay', message: 'the node twin has no relay set' };
  // A node twin's key is a compressed secp256k1 key: 33 bytes.
  if (t.publicKey) {
    const hex = t.publicKey.startsWith('0x') ? t.publicKey.slice(2) : t.publicKey;
    if (hex.length !== 66) return { kind: 'invalid_public_key', message: 'the node twin has a public key that is not 33 bytes' };
  }
  return null;
}

/** A period as the answers show it: complete once the index holds the 27 h after its end. */
export function periodView(p: Period, indexedUntil: number): NodeReward['period'] {
  const end = p.end + POST_PERIOD_SECONDS;
  return {
    id: p.id,
    start: p.start,
    end: p.end,
    seconds: PERIOD_SECONDS,
    post_period_end: end,
    complete: indexedUntil >= end,
    indexed_until: indexedUntil,
  };
}

const pct = (permille: bigint): string => `${(Number(permille) / 10).toFixed(1)} %`;

export function computeReward(i: RewardInput): NodeReward {
  const { period, node, policy } = i;
  const up = measureUptime(i.reports, period, i.power);
  const units = cloudUnitsPermill(node.total, i.usage.nruBytes);
  const isCertified = certified(node.certificationType);
  const violations: NodeReward['violations'] = [...up.violations];
  let violationCount = up.violationCount;
  // Twin checks apply to nodes with uptime only, as in minting.
  const twinIssue = up.hasUptime ? twinViolation(i.twin) : null;
  if (twinIssue) {
    violations.push(twinIssue);
    violationCount++;
  }

  let base = 0n;
  if (policy) {
    const rated = units.cu * BigInt(policy.cu) + units.su * BigInt(policy.su) + units.nu * BigInt(policy.nu);
    base = rated / MILLION + (BigInt(i.usage.publicIpSeconds) * BigInt(policy.ipv4)) / 3600n;
  }
  const bonus = isCertified && node.farmingPolicyId === 1;
  if (bonus) base = (base * 5n) / 4n;
  const price = BigInt(node.connectionPrice);
  const baseTft = price > 0n ? (base * TFT) / price : 0n;

  let permille = (BigInt(up.seconds) * 1000n) / BigInt(PERIOD_SECONDS);
  if (permille > 1000n) permille = 1000n;
  const rule = policy ? (scaledPolicy(policy) ? 'scaled' : 'threshold') : null;
  const required = rule === 'scaled' ? (isCertified ? 980n : 950n) : policy ? BigInt(policy.minimalUptime) * 10n : null;
  const slaMet = required !== null && permille >= required;

  let reason: string | null = null;
  if (!up.hasUptime) reason = 'no uptime report in the period';
  else if (violations.length) reason = `violation: ${violations[0]!.message}`;
  else if (node.virtualized) reason = 'the node runs virtualized (Zero-OS in a VM) and earns nothing';
  else if (!policy) reason = `farming policy ${node.farmingPolicyId} does not exist`;
  else if (price === 0n) reason = 'the node has no connection price (TFT price at registration)';
  else if (!slaMet) reason = `uptime ${pct(permille)} is below the required ${pct(required!)}`;
  const view = periodView(period, i.indexedUntil);
  if (reason && !view.complete) reason += ' (so far: the index does not reach 27 h past the period end yet)';

  const paid = reason === null;
  const scale = rule === 'scaled' ? permille : 1000n;
  const musd = paid ? (base * scale) / 1000n : 0n;
  const tft = paid ? (baseTft * scale) / 1000n : 0n;
  return {
    node_id: node.nodeId,
    farm_id: node.farmId,
    twin_id: node.twinId,
    period: view,
    node: {
      resources: node.total,
      certification: node.certificationType,
      virtualized: node.virtualized,
      farming_policy_id: node.farmingPolicyId,
      state_at: node.at,
    },
    units: {
      cu: fromPermill(units.cu),
      su: fromPermill(units.su),
      nu: fromPermill(units.nu),
      public_ip_hours: i.usage.publicIpSeconds / 3600,
      cu_permill: String(units.cu),
      su_permill: String(units.su),
      nu_permill: String(units.nu),
    },
    usage: { nru_bytes: i.usage.nruBytes, nru_reports: i.usage.nruReports, public_ip_seconds: i.usage.publicIpSeconds },
    policy: policy && rule ? { ...policy, rule } : null,
    uptime: {
      measured_seconds: up.seconds,
      period_seconds: PERIOD_SECONDS,
      ratio: Number(permille) / 1000,
      required_ratio: required === null ? null : Number(required) / 1000,
      sla_met: slaMet,
      reports: up.reports,
      reboots: up.reboots,
      first_report: up.firstReport,
      last_report: up.lastReport,
      post_period_report: up.postPeriodReport,
      power_managed: { shutdowns: up.powerManaged.shutdowns, wakeups: up.powerManaged.wakeups, failed_boots: up.powerManaged.failedBoots },
    },
    violation_count: violationCount,
    violations,
    price: { tft_musd: node.connectionPrice, source: 'connection_price' },
    reward: {
      base_musd: Number(base),
      certified_bonus: bonus,
      uptime_scale: Number(scale) / 1000,
      musd: Number(musd),
      usd: Number(musd) / 1000,
      tft_units: String(tft),
      tft: Number(tft) / Number(TFT),
    },
    reason,
  };
}
