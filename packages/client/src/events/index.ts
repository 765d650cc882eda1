/** The finalized events stream. */
export { events, type EventSource, type EventStream } from './stream';
// One block at a time, for indexers that write a block's records together with their cursor.
export { blockEvents, blockEventsWith, finalizedNumber, rangeEventsWith, MAX_RANGE_BLOCKS } from './decode';
export { Waker } from './waker';
export type { ChainEvent, EventCursor, EventPhase, EventsOptions } from './types';
