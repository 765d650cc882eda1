/**
 * The explorer's one LevelDB: named sublevels of JSON records under fixed-width keys, secondary
 * index sublevels, and the cursor. Only the indexer writes (one batch per block, cursor included).
 */
import { ClassicLevel } from 'classic-level';
import type { AbstractSublevel } from 'abstract-level';
import { CHANGED_RECORDS } from '../model/changes';

export const RECORDS = [...CHANGED_RECORDS, 'nodeHistory', 'power', 'meta'] as const;
export const INDEXES = ['twinByAccount', 'nodeByFarm', 'nodeByTwin', 'contractByNode', 'contractByTwin', 'farmByName'] as const;
export type SublevelName = (typeof RECORDS)[number] | (typeof INDEXES)[number];

type Root = ClassicLevel<string, unknown>;
export type Sub = AbstractSublevel<Root, string | Buffer | Uint8Array, string, unknown>;

/** The cursor: every event of blocks up to `height` is in the database. */
export interface Cursor {
  height: number;
  hash: string;
  /** Chain time (unix seconds) of that block. */
  timestamp: number;
}

export type Op = { type: 'put'; sub: SublevelName; key: string; value: unknown } | { type: 'del'; sub: SublevelName; key: string };

export class ExplorerDb {
  #db: Root;
  #subs = new Map<SublevelName, Sub>();

  constructor(location: string) {
    this.#db = new ClassicLevel<string, unknown>(location, { valueEncoding: 'json' });
    for (const n of [...RECORDS, ...INDEXES]) this.#subs.set(n, this.#db.sublevel<string, unknown>(n, { valueEncoding: 'json' }) as Sub);
  }

  async open(): Promise<void> {
    await this.#db.open();
  }

  async close(): Promise<void> {
    await this.#db.close();
  }

  sub(name: SublevelName): Sub {
    return this.#subs.get(name)!;
  }

  async get<T>(name: SublevelName, k: string): Promise<T | undefined> {
    return (await this.sub(name).get(k)) as T | undefined;
  }

  async cursor(): Promise<Cursor | undefined> {
    return this.get<Cursor>('meta', 'cursor');
  }

  /** Every value of a sublevel, in key order (optionally within a key prefix). */
  async values<T>(name: SublevelName, prefix?: string): Promise<T[]> {
    const range = prefix === undefined ? {} : { gte: prefix, lt: prefix + '\xff' };
    return (await this.sub(name).values(range).all()) as T[];
  }

  async keys(name: SublevelName, prefix?: string): Promise<string[]> {
    const range = prefix === undefined ? {} : { gte: prefix, lt: prefix + '\xff' };
    return this.sub(name).keys(range).all();
  }

  async count(name: SublevelName): Promise<number> {
    let n = 0;
    for await (const _ of this.sub(name).keys()) n++;
    return n;
  }

  /** One atomic write: records, index entries and the cursor together. */
  async write(ops: Op[], cursor: Cursor): Promise<void> {
    const batch = this.#db.batch();
    for (const op of ops) {
      if (op.type === 'put') batch.put(op.key, op.value, { sublevel: this.sub(op.sub) });
      else batch.del(op.key, { sublevel: this.sub(op.sub) });
    }
    batch.put('cursor', cursor, { sublevel: this.sub('meta') });
    await batch.write();
  }
}
