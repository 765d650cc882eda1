/**
 * The HTTP API: the app, and the static types of the routes' answer schemas (the answer types of
 * src/model/answers.ts are held to them by test/answer-types.test.ts).
 */
export { buildApp, type AppOptions } from './app';
export type { NodeView } from './nodes/view';
export type { FarmView } from './farms';
export type { ContractView } from './contracts';
export type { HealthView } from './system';
export type { NodeRewardView, FarmRewardView } from './rewards';
// What the API's white-box tests and benchmarks reach: node and contract search, the grid's stats, the response cache, the body pool, the web page's files.
export { nodeReputation } from './nodes/view';
export { NODE_SORT, type NodesQuery } from './nodes/query';
export { nodePredicate, nodePrefilter, searchNodes } from './nodes/search';
export { contractPredicate, searchContracts, type ContractsQuery } from './contracts';
export { gridStats, type GridStats } from './stats';
export { MAX_PAGE_SIZE } from './shared/schemas';
export { responseCacheOf, type ResponseCacheOptions } from './shared/response-cache';
export { BodyPool, type BodyPoolOptions } from './shared/body-pool';
export { WEB_DIST } from './web-page';
