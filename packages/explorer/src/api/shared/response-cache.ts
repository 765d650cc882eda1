/**
 * A cache of serialized list answers (/nodes, /gateways, /farms, /contracts), so a popular query
 * costs only its HTTP write. An entry is served only while the view is at the version it was
 * computed at (no block committed since) and within the same second of "now" (status and
 * reputation depend on it): it never shows data older than the last committed block.
 * Key: route + the validated query (defaults applied, parameters sorted), so `a=1&b=2` and
 * `b=2&a=1` share one entry.
 */
import type { FastifyInstance, FastifyReply, FastifyRequest, HookHandlerDoneFunction, RouteShorthandOptions } from 'fastify';
import { nowOf, type ApiContext } from './context';

interface Entry {
  version: number;
  second: number;
  body: Buffer;
  type: string;
  count?: string;
  pages?: string;
}

export interface ResponseCacheOptions {
  /** At most this many entries (least recently used dropped first). */
  maxEntries?: number;
  /** At most this many body bytes in all. */
  maxBytes?: number;
}

/** A miss being computed: where to store its answer, and under which version and second. */
interface Pending {
  key: string;
  version: number;
  second: number;
}

export class ResponseCache {
  readonly #entries = new Map<string, Entry>();
  /**
   * Raw request URL → its normalized key, learned when a request passed validation (validation is
   * a function of the URL alone), so a repeated URL is answered before validation runs.
   */
  readonly #keyOfUrl = new Map<string, string>();
  /**
   * Keys asked for once before: an answer is stored only the second time its key misses, so a
   * stream of one-off queries stores nothing (copying each 50 KB answer into a Buffer that is never
   * read again cost more in GC than the cache saves).
   */
  readonly #seen = new Set<string>();
  readonly #pending = new WeakMap<FastifyRequest, Pending>();
  readonly #maxEntries: number;
  readonly #maxBytes: number;
  #bytes = 0;
  hits = 0;
  misses = 0;

  constructor(
    private readonly ctx: ApiContext,
    opts: ResponseCacheOptions = {},
  ) {
    this.#maxEntries = opts.maxEntries ?? 1000;
    // Small: hot queries are few; a large pool of never-reused 50 KB answers only feeds the GC.
    this.#maxBytes = opts.maxBytes ?? 16 * 1024 * 1024;
  }

  get size(): number {
    return this.#entries.size;
  }

  /** Route options (onRequest: known URL; preHandler: validated query; onSend: store) that make a GET list route cached. */
  route(): Pick<RouteShorthandOptions, 'onRequest' | 'preHandler' | 'onSend'> {
    return {
      onRequest: (req, reply, done) => {
        const key = this.#keyOfUrl.get(req.url);
        if (key === undefined || !this.#serve(key, reply)) done();
      },
      preHandler: (req, reply, done) => this.#lookup(req, reply, done),
      onSend: (req, reply, payload, done) => done(null, this.#store(req, reply, payload)),
    };
  }

  #lookup(req: FastifyRequest, reply: FastifyReply, done: HookHandlerDoneFunction): void {
    const key = cacheKey(req.routeOptions.url ?? req.url, req.query as Record<string, unknown>);
    // Both read before the answer is computed: a block committed meanwhile makes the stored entry stale, never the reverse.
    const version = this.ctx.view.version;
    const second = nowOf(this.ctx);
    // Only a key asked for before is worth its URL's entry: a stream of one-off queries (each URL
    // once) would keep every URL and key until the map is cleared, old-generation garbage for the GC.
    const again = this.#seen.has(key);
    if (again || this.#entries.has(key)) {
      if (this.#keyOfUrl.size >= 4 * this.#maxEntries) this.#keyOfUrl.clear(); // bounded; relearned on the next miss
      this.#keyOfUrl.set(req.url, key);
    }
    if (this.#serve(key, reply)) return; // answered: the handler does not run (and done must not be called)
    this.misses++;
    if (again) this.#pending.set(req, { key, version, second });
    else {
      if (this.#seen.size >= 4 * this.#maxEntries) this.#seen.clear(); // bounded
      this.#seen.add(key);
    }
    done();
  }

  /** Sends the entry under `key` when it is current (same view version, same second); false otherwise. */
  #serve(key: string, reply: FastifyReply): boolean {
    const e = this.#entries.get(key);
    if (e === undefined || e.version !== this.ctx.view.version || e.second !== nowOf(this.ctx)) return false;
    this.hits++;
    // Most recently used last, so eviction drops the oldest.
    this.#entries.delete(key);
    this.#entries.set(key, e);
    if (e.count !== undefined) reply.header('count', e.count);
    if (e.pages !== undefined) reply.header('pages', e.pages);
    reply.type(e.type).send(e.body);
    return true;
  }

  #store(req: FastifyRequest, reply: FastifyReply, payload: unknown): unknown {
    const p = this.#pending.get(req);
    if (!p || reply.statusCode !== 200 || (typeof payload !== 'string' && !Buffer.isBuffer(payload))) return payload;
    this.#pending.delete(req);
    // A copy: a list body may be a pooled slab, reused once its response closes.
    const body = typeof payload === 'string' ? Buffer.from(payload) : Buffer.from(payload);
    const header = (h: string): string | undefined => {
      const v = reply.getHeader(h);
      return v === undefined ? undefined : String(v);
    };
    this.#put(p.key, {
      version: p.version,
      second: p.second,
      body,
      type: header('content-type') ?? 'application/json; charset=utf-8',
      count: header('count'),
      pages: header('pages'),
    });
    return body;
  }

  #put(key: string, e: Entry): void {
    if (e.body.length > this.#maxBytes / 4) return; // one huge answer would flush everything else
    const old = this.#entries.get(key);
    if (old) {
      this.#bytes -= old.body.length;
      this.#entries.delete(key);
    }
    this.#entries.set(key, e);
    this.#bytes += e.body.length;
    for (const [k, v] of this.#entries) {
      if (this.#entries.size <= this.#maxEntries && this.#bytes <= this.#maxBytes) break;
      this.#entries.delete(k);
      this.#bytes -= v.body.length;
    }
  }
}

const ofApp = new WeakMap<FastifyInstance, ResponseCache>();
/** The app's response cache (for tests and diagnostics), if it has one. */
export const responseCacheOf = (app: FastifyInstance): ResponseCache | undefined => ofApp.get(app);
export const setResponseCache = (app: FastifyInstance, c: ResponseCache): void => void ofApp.set(app, c);

/** The route and its validated query, parameters sorted (JSON, so values with `&` or `=` cannot collide). */
export function cacheKey(route: string, query: Record<string, unknown>): string {
  const names = Object.keys(query).sort();
  const parts: unknown[] = [route];
  for (const k of names) if (query[k] !== undefined) parts.push(k, query[k]);
  return JSON.stringify(parts);
}
