/** The indexer: blocks fetched from the chain, their events applied to a write set, the records written. */
export { Indexer, type IndexerOptions, type IndexerStatus } from './indexer';
export { applyEvent, applyDecoded, HANDLED, type BlockContext, type BlockEvent } from './handlers';
export { WriteSet } from './writeset';
export { fetchBlock, fetchRange, rangeReadsRefused, type FetchedBlock } from './source';
