/** The API's answers as the page reads them: nodes and farms are the explorer's answer types (src/answers.ts). */
export type { ExplorerCapacity as Resources, ExplorerNodeStatus as Status, ExplorerNode as Node, ExplorerPublicIp as PublicIp, ExplorerFarm as Farm } from '../../src/answers';
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
