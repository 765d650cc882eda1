/** @tfgrid/devchain: a TFChain-compatible Substrate dev node, embeddable in tests. */
export { startDevchain, DEFAULT_CHAIN_SPEC, type Devchain, type DevchainOptions } from './node';
export type { ChainApi, HeaderJson, TxStatus } from './chain/api';
export type { Chain } from './chain/chain';
export { loadChainSpec, type ChainSpec } from './chain/genesis';
export { buildMetadata } from './metadata';
export { runtime } from './pallets/definition/runtime';
export { ChainError, type ChainErrorCode } from './chain/error';
export { RpcError } from './rpc/error';
