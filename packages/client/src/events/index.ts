/** The finalized events stream. */
export { events, type EventSource, type EventStream } from './stream';
export type { ChainEvent, EventCursor, EventPhase, EventsOptions } from './types';
