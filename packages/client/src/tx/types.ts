/** What a transaction's caller gets back: plain data, never codecs. */

/**
 * How long `submit` waits: `ready` = accepted by the node's pool, `inBlock` = included in a best
 * block (dispatch outcome known), `finalized` = its block is finalized.
 */
export type WaitLevel = 'ready' | 'inBlock' | 'finalized';

/** One event of a transaction, as JSON-like data (`section` is the pallet's camelCase name). */
export interface TxEvent {
  section: string;
  method: string;
  data: unknown[];
}

export interface TxResult {
  /** The extrinsic hash (hex). */
  hash: string;
  nonce: number;
  /** Set from `inBlock` on. */
  blockHash?: string;
  blockNumber?: number;
  /** The extrinsic's events (from `inBlock` on; empty at `ready`). */
  events: TxEvent[];
}

export interface SubmitOptions {
  wait?: WaitLevel;
}
