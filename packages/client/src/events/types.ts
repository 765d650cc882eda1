/** The events stream's plain data: what indexers and followers consume and persist. */

/** Where a consumer is: the last event it has handled (resuming continues after it). */
export interface EventCursor {
  blockNumber: number;
  eventIndex: number;
}

export type EventPhase = 'ApplyExtrinsic' | 'Finalization' | 'Initialization';

export interface ChainEvent {
  blockNumber: number;
  blockHash: string;
  /** Position of the event in its block's System.Events. */
  eventIndex: number;
  /** The extrinsic that emitted it, or null in the Initialization/Finalization phases. */
  extrinsicIndex: number | null;
  phase: EventPhase;
  /** @polkadot/api's names: 'tfgridModule', 'TwinStored'. */
  section: string;
  method: string;
  /** The metadata's names: 'TfgridModule' and 'TfgridModule.TwinStored'. */
  pallet: string;
  name: string;
  /** The arguments in order, as JSON values (numbers, hex bytes, SS58 accounts, objects). */
  data: unknown[];
  /** The same by field name, for events whose fields are named; else null. */
  fields: Record<string, unknown> | null;
  /** This event's cursor: save it with what you derive from the event, resume from it. */
  cursor: EventCursor;
}

export interface EventsOptions {
  /**
   * A block number: start with all events of that block. A cursor: continue right after that
   * event. Omitted: start with the first block finalized after the stream starts.
   */
  from?: number | EventCursor;
  /** Looks for new finalized blocks at least this often even without a head notification. Default 2000 ms. */
  pollMs?: number;
  /** First retry delay after a failure (doubles up to maxRetryMs). Default 250 ms. */
  retryMs?: number;
  maxRetryMs?: number;
  /** Stops the stream like `return()`. */
  signal?: AbortSignal;
  /** Told about every failure that is retried (disconnects, a restarting chain). */
  onError?: (error: unknown) => void;
}
