/**
 * The chain layer: `Chain` (what the RPC layer serves, `ChainApi`), the coded `ChainError`s it
 * refuses requests with, and the chain spec it starts from.
 */
export { Chain, type ChainOptions } from './chain';
export type * from './api';
export { ChainError, type ChainErrorCode } from './error';
export { ChainSpecError, loadChainSpec, type ChainSpec } from './genesis';
