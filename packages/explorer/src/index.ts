/** @tfgrid/explorer: an indexer of TFChain over LevelDB and a grid-proxy-compatible HTTP API. */
export { startExplorer, type Explorer, type ExplorerOptions } from './server';
export { buildApp, type AppOptions } from './api/app';
export { Indexer, type IndexerOptions, type IndexerStatus } from './indexer/indexer';
export { ExplorerDb, type Cursor } from './db/store';
export { ExplorerMetrics } from './metrics';
export { nodeStatus, UP_WINDOW_S, STANDBY_WINDOW_S, type NodeStatus } from './api/nodes/view';
export { MAX_PAGE_SIZE } from './api/common';
export { GridView } from './view/grid';
export { ChangeFeed, CHANGE_TYPES, type BlockChanges, type Change, type ChangeType } from './view/feed';
export { REPUTATION_WINDOWS, reputation, addReport, emptyCoverage, type Coverage } from './view/reputation';
export type { NodeRecord, FarmRecord, TwinRecord, ContractRecord, BillRecord } from './indexer/records';
// The answers' JSON shapes (types only: the web page and the CLI read them).
export type {
  ExplorerCapacity,
  ExplorerFarm,
  ExplorerFarmReward,
  ExplorerNode,
  ExplorerNodeReward,
  ExplorerNodeStatus,
  ExplorerPeriod,
  ExplorerPeriods,
  ExplorerPublicIp,
  ExplorerUptimeReport,
  ExplorerViolation,
} from './answers';
