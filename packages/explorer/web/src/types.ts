/** The API's answers as the page reads them: nodes, farms, uptime reports and rewards are the explorer's answer types (src/model/answers.ts). */
export type {
  ExplorerCapacity as Resources,
  ExplorerNodeStatus as Status,
  ExplorerNode as Node,
  ExplorerPublicIp as PublicIp,
  ExplorerFarm as Farm,
  ExplorerUptimeReport as UptimeReport,
  ExplorerPeriod as Period,
  ExplorerPeriods as Periods,
  ExplorerNodeReward as NodeReward,
  ExplorerFarmReward as FarmReward,
} from '../../src/model/answers';
export interface Contract {
  contract_id: number;
  twin_id: number;
  state: string;
  created_at: number;
  type: string;
  details: Record<string, unknown>;
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
/** The live stream's blocks of changes, as the explorer's change feed sends them. */
export type { BlockChanges, Change } from '../../src/view/feed';
