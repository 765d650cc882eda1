/**
 * @tfgrid/devchain: a TFChain-compatible Substrate dev node, embeddable in tests. What its users
 * take: start a chain (`startDevchain`), the chain spec it starts from and the error a bad spec
 * gives, and the declared runtime with its metadata (for clients checking their decoders).
 */
export { startDevchain, DEFAULT_CHAIN_SPEC, type Devchain, type DevchainOptions } from './node';
export { loadChainSpec, ChainSpecError, type ChainSpec } from './chain';
export { buildMetadata } from './metadata';
export { runtime } from './pallets/definition';
