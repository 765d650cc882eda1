/**
 * The explorer's answers as the JSON its routes send (the TypeBox schemas in `api/` are what the
 * routes validate and serialize with; `test/answer-types.test.ts` checks these types against
 * them). Types only and no imports, so the web page (built by Vite, with DOM types) and the CLI
 * read the same shapes.
 */

/** `{cru, sru, hru, mru}` as the explorer sends it: logical cores and bytes (the client's `Resources`). */
export interface ExplorerCapacity {
  cru: number;
  sru: number;
  hru: number;
  mru: number;
}

export type ExplorerNodeStatus = 'up' | 'down' | 'standby';

/** One node of `/nodes` and `/nodes/:id` (grid-proxy's fields, and the explorer's own). */
export interface ExplorerNode {
  id: string;
  nodeId: number;
  farmId: number;
  farmName: string;
  twinId: number;
  country: string;
  city: string;
  gridVersion: number;
  uptime: number;
  created: number;
  farmingPolicyId: number;
  updatedAt: number;
  total_resources: ExplorerCapacity;
  used_resources: ExplorerCapacity;
  free_resources: ExplorerCapacity;
  location: { country: string; city: string; region: string; longitude: number | null; latitude: number | null };
  publicConfig: { domain: string; gw4: string; gw6: string; ipv4: string; ipv6: string };
  status: ExplorerNodeStatus;
  certificationType: string;
  dedicated: boolean;
  inDedicatedFarm: boolean;
  rentContractId: number;
  rentedByTwinId: number;
  rented: boolean;
  rentable: boolean;
  serialNumber: string;
  power: { state: string; target: string };
  num_contracts: number;
  farm_free_ips: number;
  secureBoot: boolean;
  virtualized: boolean;
  /** `ips`: the interface's addresses joined by '/'. */
  interfaces: { name: string; mac: string; ips: string }[];
  num_gpu: number;
  gpus: { id: string; vendor: string; device: string; contract: number }[];
  extraFee: number;
  healthy: boolean;
  dmi: {
    bios: { vendor: string; version: string };
    baseboard: { manufacturer: string; product_name: string };
    processor: { version: string; thread_count: string }[];
    memory: { manufacturer: string; type: string }[];
  };
  speed: { upload: number; download: number };
  price_usd: number;
  features: string[];
  reputation: { last_24h: number; last_7d: number; last_30d: number };
}

/** A farm's public IPv4 address in `/farms`. */
export interface ExplorerPublicIp {
  id: string;
  ip: string;
  farm_id: number;
  contract_id: number;
  gateway: string;
}

/** One farm of `/farms`. */
export interface ExplorerFarm {
  name: string;
  farmId: number;
  twinId: number;
  pricingPolicyId: number;
  certificationType: string;
  stellarAddress: string;
  dedicated: boolean;
  publicIps: ExplorerPublicIp[];
}

/** A minting period's bounds (unix s). */
export interface ExplorerPeriod {
  id: number;
  start: number;
  end: number;
}

/** `/rewards/periods`. */
export interface ExplorerPeriods {
  now: number;
  current: ExplorerPeriod;
  last_ended: ExplorerPeriod;
  recent: ExplorerPeriod[];
}

/** One `NodeUptimeReported` as the rewards show it. */
export interface ExplorerUptimeReport {
  /** The event's timestamp (the block's time), unix s. */
  timestamp: number;
  /** Seconds since the node booted. */
  uptime: number;
  /** Block of the event, when the index holds it. */
  block?: number;
}

/** Why uptime was not credited (minting's violations, and the node twin's). */
export interface ExplorerViolation {
  kind: string;
  message: string;
  /** The earlier report it is judged against (for clock skew: the report that set the boot time). */
  previous?: ExplorerUptimeReport;
  reported?: ExplorerUptimeReport;
  failed_boots?: number;
}

/** `/nodes/:id/rewards`: a node's farming reward for a period, with every input. */
export interface ExplorerNodeReward {
  node_id: number;
  farm_id: number;
  twin_id: number;
  period: ExplorerPeriod & { seconds: number; post_period_end: number; complete: boolean; indexed_until: number };
  node: { resources: ExplorerCapacity; certification: string; virtualized: boolean; farming_policy_id: number; state_at: number | null };
  units: { cu: number; su: number; nu: number; public_ip_hours: number; cu_permill: string; su_permill: string; nu_permill: string };
  usage: { nru_bytes: number; nru_reports: number; public_ip_seconds: number };
  /** The node's farming policy (the chain's fields the reward reads) and the SLA rule applied. */
  policy: {
    id: number;
    name: string;
    cu: number;
    su: number;
    nu: number;
    ipv4: number;
    minimalUptime: number;
    default: boolean;
    immutable: boolean;
    rule: 'scaled' | 'threshold';
  } | null;
  uptime: {
    measured_seconds: number;
    period_seconds: number;
    ratio: number;
    required_ratio: number | null;
    sla_met: boolean;
    reports: number;
    reboots: number;
    first_report: ExplorerUptimeReport | null;
    last_report: ExplorerUptimeReport | null;
    post_period_report: ExplorerUptimeReport | null;
    power_managed: { shutdowns: number; wakeups: number; failed_boots: number };
  };
  violation_count: number;
  violations: ExplorerViolation[];
  price: { tft_musd: number; source: 'connection_price' };
  reward: { base_musd: number; certified_bonus: boolean; uptime_scale: number; musd: number; usd: number; tft_units: string; tft: number };
  reason: string | null;
}

/** `/farms/:id/rewards`: the farm's sum and each of its nodes. */
export interface ExplorerFarmReward {
  farm_id: number;
  farm_name: string;
  period: ExplorerNodeReward['period'];
  total: { musd: number; usd: number; tft_units: string; tft: number; nodes: number; nodes_rewarded: number };
  nodes: ExplorerNodeReward[];
}

/** One contract of `/contracts` and `/contracts/:id` (grid-proxy's fields, and the explorer's farm of a node contract). */
export interface ExplorerContract {
  contract_id: number;
  twin_id: number;
  state: string;
  created_at: number;
  /** `node`, `name` or `rent`. */
  type: string;
  details: {
    nodeId?: number;
    deployment_data?: string;
    deployment_hash?: string;
    number_of_public_ips?: number;
    name?: string;
    /** The node's farm (node and rent contracts). */
    farm_name?: string;
    farm_id?: number;
  };
  resources_used: ExplorerCapacity;
  total_billed: number;
}

/** `/health`: the indexer's progress (503 with the same body when degraded). */
export interface ExplorerHealth {
  status: 'ok' | 'degraded';
  indexer: { running: boolean; indexedHeight: number; finalizedHeight: number; lag: number; chainTime: number; lastError: string | null };
}
