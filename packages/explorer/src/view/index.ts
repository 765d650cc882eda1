/** The in-memory view the routes answer from, its indexes, and the change feed of committed blocks. */
export { GridView } from './grid';
export { ChangeFeed, CHANGE_TYPES, type BlockChanges, type Change, type ChangeType } from './feed';
export { CONTRACT_SORT, contractSortKey, type ContractSort } from './contract-index';
export { staticSortKey, type StaticNodeSort } from './node-index';
export { NodeColumns, COVERED } from './node-columns';
export { nodeStatus, UP_WINDOW_S, STANDBY_WINDOW_S, type NodeStatus } from './node-status';
export { REPUTATION_WINDOWS, reputation, addReport, emptyCoverage, type Coverage } from './reputation';
