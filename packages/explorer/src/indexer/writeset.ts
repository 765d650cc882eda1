/**
 * One block's writes: reads see the block's own earlier writes; `ops` become one batch with the
 * cursor. Twins, farms, nodes and contracts are read from the in-memory view (which holds exactly
 * what the database holds up to the previous block) instead of LevelDB: no disk read per event.
 * Blocks written in one batch share their reads: a block's set made with the `previous` block's
 * set sees the earlier blocks' writes (not yet in the view or the database), and keeps its own ops.
 */
import { idOf } from '../db/keys';
import type { ExplorerDb, Op, SublevelName } from '../db/store';
import type { GridView } from '../view/grid';

export class WriteSet {
  #db: ExplorerDb;
  #view: GridView | undefined;
  #cache: Map<string, unknown>;
  /** The last write of each record: a block that updates a node ten times writes it once. */
  #ops = new Map<string, Op>();

  constructor(db: ExplorerDb, view?: GridView, previous?: WriteSet) {
    this.#db = db;
    this.#view = view;
    this.#cache = previous ? previous.#cache : new Map();
  }

  async get<T>(sub: SublevelName, key: string): Promise<T | undefined> {
    const k = `${sub}\0${key}`;
    if (this.#cache.has(k)) return (this.#cache.get(k) ?? undefined) as T | undefined;
    const held = this.#fromView(sub, key);
    const v = held !== undefined ? (held ?? undefined) : await this.#db.get<T>(sub, key);
    this.#cache.set(k, v ?? null);
    return v as T | undefined;
  }

  #fromView(sub: SublevelName, key: string): unknown {
    const v = this.#view;
    if (!v) return undefined;
    switch (sub) {
      case 'twin':
        return v.twins.get(idOf(key)) ?? null;
      case 'farm':
        return v.farms.get(idOf(key)) ?? null;
      case 'node':
        return v.nodes.get(idOf(key)) ?? null;
      case 'contract':
        return v.contracts.get(idOf(key)) ?? null;
      default:
        return undefined;
    }
  }

  /** The batch: each record's last write, in the order of those writes. */
  get ops(): Op[] {
    return [...this.#ops.values()];
  }

  put(sub: SublevelName, key: string, value: unknown): void {
    this.#write(`${sub}\0${key}`, value, { type: 'put', sub, key, value });
  }

  del(sub: SublevelName, key: string): void {
    this.#write(`${sub}\0${key}`, null, { type: 'del', sub, key });
  }

  #write(k: string, value: unknown, op: Op): void {
    this.#cache.set(k, value);
    this.#ops.delete(k);
    this.#ops.set(k, op);
  }
}
