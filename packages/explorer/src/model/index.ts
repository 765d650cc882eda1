/** The explorer's data: the records it indexes (and the view holds) and the answers' JSON shapes. */
export type {
  BillRecord,
  ContractRecord,
  ContractType,
  EntityRecord,
  FarmRecord,
  NodeRecord,
  PublicIpRecord,
  ServiceContractRecord,
  SolutionProviderRecord,
  TwinRecord,
} from './records';
export type {
  ExplorerCapacity,
  ExplorerContract,
  ExplorerFarm,
  ExplorerFarmReward,
  ExplorerHealth,
  ExplorerNode,
  ExplorerNodeReward,
  ExplorerNodeStatus,
  ExplorerPeriod,
  ExplorerPeriods,
  ExplorerPublicIp,
  ExplorerUptimeReport,
  ExplorerViolation,
} from './answers';
export { CHANGED_RECORDS } from './changes';
