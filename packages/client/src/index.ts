/** @tfgrid/client: the TFChain client the agent, the explorer and the CLI stand on. */
export { connect, TfchainClient, type ClientOptions } from './client';
export { NETWORKS, networkUrl, type NetworkName } from './networks';
export { keyFromSecret, keysReady, type KeyType, type KeyringPair } from './keys';
export { ChainError, InvalidTransactionError, type RefusalKind } from './tx/errors';
export { LinkError, isLinkError, LINK_DOWN } from './link/errors';
export type { WaitLevel, TxResult, TxEvent, SubmitOptions } from './tx/types';
export type { NodeInput } from './modules/nodes';
export { EVENT_MISSING, RUNTIME_LACKS_ITEM, RuntimeItemMissingError } from './modules/context';
export type { Balance } from './modules/balances';
export { reservedCapacity, freeCapacity, SYSTEM_SSD_RESERVE } from './capacity';
export { writeFileAtomic, type AtomicWriteOptions } from './atomic-file';
export { cloudUnitsPermill, fromPermill, type CloudUnitsPermill } from './cloud-units';
export type { TftPrice } from './modules/price';
// The chain vocabulary: TFChain's structs and events, typed, and their decoders from chain JSON.
export * from './chain';
// Finalized events stream and the deployment (notary) protocol.
export * from './events';
export * from './deployment';
export * from './network';
