/**
 * The change feed behind the live stream: each committed block's changes, kept for the last
 * FEED_BLOCKS blocks so a reconnecting client resumes (Last-Event-ID = block number) without a gap.
 */
import { CHANGED_RECORDS } from '../model/changes';

/** The kinds of change the feed reports: a write to one of these records. */
export type ChangeType = (typeof CHANGED_RECORDS)[number];
export const CHANGE_TYPES: readonly ChangeType[] = CHANGED_RECORDS;

export interface Change {
  type: ChangeType;
  /** The record's key in its sublevel (`0000000042`, or `contract/block/event` for bills, reports). */
  key: string;
  action: 'created' | 'updated' | 'deleted';
  /** The record after the change (null when deleted). */
  record: unknown;
}

export interface BlockChanges {
  block: number;
  hash: string;
  /** Chain time, unix s. */
  timestamp: number;
  changes: Change[];
}

export const FEED_BLOCKS = 1024;

export class ChangeFeed {
  readonly #recent: BlockChanges[] = [];
  readonly #listeners = new Set<(b: BlockChanges) => void>();

  publish(b: BlockChanges): void {
    this.#recent.push(b);
    if (this.#recent.length > FEED_BLOCKS) this.#recent.shift();
    for (const l of this.#listeners) l(b);
  }

  subscribe(l: (b: BlockChanges) => void): () => void {
    this.#listeners.add(l);
    return () => void this.#listeners.delete(l);
  }

  get listeners(): number {
    return this.#listeners.size;
  }

  /** Blocks after `block` still held, or null when some of them are no longer held. */
  since(block: number): BlockChanges[] | null {
    const first = this.#recent[0];
    if (!first) return [];
    if (block < first.block - 1) return null;
    return this.#recent.filter((b) => b.block > block);
  }
}
