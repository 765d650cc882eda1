/** The API's records as the page reads them (the explorer's TypeBox schemas are the reference). */
export interface Resources {
  cru: number;
  mru: number;
  sru: number;
  hru: number;
}
export type Status = 'up' | 'down' | 'standby';
export interface Node {
  nodeId: number;
  farmId: number;
  farmName: string;
  twinId: number;
  country: string;
  city: string;
  uptime: number;
  created: number;
  updatedAt: number;
  farmingPolicyId: number;
  total_resources: Resources;
  used_resources: Resources;
  free_resources: Resources;
  location: { country: string; city: string; region: string; longitude: number | null; latitude: number | null };
  publicConfig: { domain: string; gw4: string; gw6: string; ipv4: string; ipv6: string };
  status: Status;
  certificationType: string;
  dedicated: boolean;
  rentContractId: number;
  rentedByTwinId: number;
  rented: boolean;
  rentable: boolean;
  serialNumber: string;
  power: { state: string; target: string };
  num_contracts: number;
  interfaces: { name: string; mac: string; ips: string }[];
  price_usd: number;
  reputation: { last_24h: number; last_7d: number; last_30d: number };
}
export interface PublicIp {
  id: string;
  ip: string;
  farm_id: number;
  contract_id: number;
  gateway: string;
}
export interface Farm {
  name: string;
  farmId: number;
  twinId: number;
  pricingPolicyId: number;
  certificationType: string;
  stellarAddress: string;
  dedicated: boolean;
  publicIps: PublicIp[];
}
export interface Contract {
  contract_id: number;
  twin_id: number;
  state: string;
  created_at: number;
  type: string;
  details: Record<string, unknown>;
}
export interface UptimeReport {
  timestamp: number;
  uptime: number;
  block: number;
}
export interface Period {
  id: number;
  start: number;
  end: number;
}
export interface Periods {
  now: number;
  current: Period;
  last_ended: Period;
  recent: Period[];
}
export interface NodeReward {
  node_id: number;
  farm_id?: number;
  period: Period & { complete: boolean; indexed_until: number };
  units: { cu: number; su: number; nu: number; public_ip_hours: number };
  policy: { id: number; name: string } | null;
  uptime: { ratio: number; required_ratio: number | null; sla_met: boolean; reports: number; reboots: number };
  violation_count: number;
  violations: { kind: string; message: string }[];
  reward: { musd: number; usd: number; tft: number; tft_units: string };
  reason: string | null;
}
export interface FarmReward {
  farm_id: number;
  farm_name: string;
  period: Period & { complete: boolean; indexed_until: number };
  total: { musd: number; usd: number; tft: number; nodes: number; nodes_rewarded: number };
  nodes: NodeReward[];
}
export interface Stats {
  nodes: number;
  farms: number;
  countries: number;
  totalCru: number;
  totalSru: number;
  totalMru: number;
  totalHru: number;
  publicIps: number;
  gateways: number;
  twins: number;
  contracts: number;
  nodesDistribution: Record<string, number>;
}
export interface Change {
  type: string;
  key: string;
  action: 'created' | 'updated' | 'deleted';
  record: Record<string, unknown> | null;
}
export interface BlockChanges {
  block: number;
  hash: string;
  timestamp: number;
  changes: Change[];
}
