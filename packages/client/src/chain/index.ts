/**
 * The chain vocabulary: TFChain's structs and events as typed values, and their decoders from
 * chain JSON (what `toJSON()` and the events stream give). The client's modules, the explorer's
 * indexer and the agent read the chain through these; nothing else decodes a chain struct.
 */
/** The readers of chain JSON values every decoder is made of (Bytes as text, integers, enums), for a field no struct decoder covers. */
export * as chainJson from './json';
export * from './constants';
export * from './twin';
export * from './farm';
export * from './node';
export * from './contract';
export * from './service';
export * from './policy';
export * from './events';
