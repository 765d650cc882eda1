/** One block's writes: reads see the block's own earlier writes; `ops` become one batch with the cursor. */
import type { ExplorerDb, Op, SublevelName } from '../db/store';

export class WriteSet {
  #db: ExplorerDb;
  #cache = new Map<string, unknown>();
  readonly ops: Op[] = [];

  constructor(db: ExplorerDb) {
    this.#db = db;
  }

  async get<T>(sub: SublevelName, key: string): Promise<T | undefined> {
    const k = `${sub}\0${key}`;
    if (this.#cache.has(k)) return (this.#cache.get(k) ?? undefined) as T | undefined;
    const v = await this.#db.get<T>(sub, key);
    this.#cache.set(k, v ?? null);
    return v;
  }

  put(sub: SublevelName, key: string, value: unknown): void {
    this.#cache.set(`${sub}\0${key}`, value);
    this.ops.push({ type: 'put', sub, key, value });
  }

  del(sub: SublevelName, key: string): void {
    this.#cache.set(`${sub}\0${key}`, null);
    this.ops.push({ type: 'del', sub, key });
  }
}
