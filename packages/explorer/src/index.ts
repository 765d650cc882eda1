/**
 * @tfgrid/explorer: an indexer of TFChain over LevelDB and a grid-proxy-compatible HTTP API.
 * Its users start an explorer (the local grid, `npm start`, the CLI's tests) or an API over a
 * database, and read its answers' shapes; the folders' indexes (api, db, indexer, model, rewards, view)
 * hold what the explorer's own white-box tests reach.
 */
export { startExplorer, type Explorer, type ExplorerOptions } from './server';
export { buildApp, type AppOptions } from './api';
export { ExplorerDb } from './db';
export { ExplorerMetrics } from './metrics/explorer-metrics';
export { GridView } from './view';
export type { BlockChanges, Change, ChangeType } from './view';
// The records the view holds (an AppOptions view is made of them).
export type { NodeRecord, FarmRecord, TwinRecord, ContractRecord, BillRecord } from './model';
// The answers' JSON shapes (types only: the web page and the CLI read them).
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
} from './model';
