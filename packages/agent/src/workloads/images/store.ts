/**
 * Images by content hash. `ensure({url, sha256})` gives the unpacked root filesystem
 * `<dir>/<sha256>/rootfs`, downloading and unpacking it once: the download is checked against
 * the sha256 before anything is unpacked, the unpacking happens in `<dir>/.tmp/` and the finished
 * entry is renamed into place in one step, so a cache entry either is complete or does not exist
 * (an entry without its `image.json` record — left by hand or by a crash of an older version — is
 * discarded and fetched again). Concurrent calls for one hash share one download. The cache
 * directory belongs to one agent process.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { mounts } from '../disk/mounts';
import { ImageError } from './errors';
import { RECORD, type ImageRecord } from './record';
import { fetchInChild } from './fetcher';
import { checkImageRef } from './source';

export const IMAGE_DEFAULTS = {
  /** Largest download. */
  maxBytes: 1024 ** 3,
  /** Whole download, redirects included. */
  timeoutMs: 10 * 60_000,
  /** Decompressed bytes of the archive and all its layers together. */
  maxUnpackedBytes: 4 * 1024 ** 3,
  /** Entries of the archive and all its layers together. */
  maxEntries: 200_000,
  /** Decompressing and unpacking, after the download (the fetcher process is killed past both). */
  unpackTimeoutMs: 10 * 60_000,
} as const;

export interface ImageStoreOptions {
  dir: string;
  maxBytes?: number;
  timeoutMs?: number;
  maxUnpackedBytes?: number;
  maxEntries?: number;
  unpackTimeoutMs?: number;
  logger: Logger;
  /** Told the pid of each fetcher process as it starts (diagnostics, tests). */
  onFetcher?: (pid: number) => void;
}

const TMP = '.tmp';

export class ImageStore {
  readonly #dir: string;
  readonly #limits: Required<Omit<ImageStoreOptions, 'dir' | 'logger' | 'onFetcher'>>;
  readonly #log: Logger;
  readonly #onFetcher: ((pid: number) => void) | undefined;
  readonly #inflight = new Map<string, Promise<string>>();
  #cleaned = false;

  constructor(opts: ImageStoreOptions) {
    this.#dir = path.resolve(opts.dir);
    this.#limits = {
      maxBytes: positive(opts.maxBytes ?? IMAGE_DEFAULTS.maxBytes, 'maxBytes'),
      timeoutMs: positive(opts.timeoutMs ?? IMAGE_DEFAULTS.timeoutMs, 'timeoutMs'),
      maxUnpackedBytes: positive(opts.maxUnpackedBytes ?? IMAGE_DEFAULTS.maxUnpackedBytes, 'maxUnpackedBytes'),
      maxEntries: positive(opts.maxEntries ?? IMAGE_DEFAULTS.maxEntries, 'maxEntries'),
      unpackTimeoutMs: positive(opts.unpackTimeoutMs ?? IMAGE_DEFAULTS.unpackTimeoutMs, 'unpackTimeoutMs'),
    };
    this.#log = opts.logger.child({ module: 'images' });
    this.#onFetcher = opts.onFetcher;
  }

  /** The absolute path of the image's unpacked root filesystem, fetched if not cached; rejects with an ImageError. */
  async ensure(image: { url: string; sha256: string }): Promise<string> {
    const { url, sha256 } = checkImageRef(image);
    const cached = this.cached(sha256);
    if (cached) return cached;
    let pending = this.#inflight.get(sha256);
    if (!pending) {
      pending = this.#fetch(url, sha256).finally(() => this.#inflight.delete(sha256));
      this.#inflight.set(sha256, pending);
    }
    return pending;
  }

  /** The rootfs of a complete cache entry, or undefined. */
  cached(sha256: string): string | undefined {
    const entry = path.join(this.#dir, sha256.toLowerCase());
    const rootfs = path.join(entry, 'rootfs');
    try {
      const rec = JSON.parse(readFileSync(path.join(entry, RECORD), 'utf8')) as Partial<ImageRecord>;
      if (rec.sha256 === sha256.toLowerCase() && existsSync(rootfs)) return rootfs;
    } catch {
      // no record: not complete
    }
    return undefined;
  }

  /**
   * Deletes the cached images not named in `inUse` (sha256s), except one being fetched and any
   * whose root is an overlay's lower layer right now (a machine runs on it). The names removed.
   */
  prune(inUse: Iterable<string>): string[] {
    const keep = new Set([...inUse].map((s) => s.toLowerCase()));
    const lowers = mounts()
      .filter((m) => m.fstype === 'overlay')
      .map((m) => m.superOptions);
    const removed: string[] = [];
    if (!existsSync(this.#dir)) return removed;
    for (const name of readdirSync(this.#dir)) {
      if (!/^[0-9a-f]{64}$/.test(name) || keep.has(name) || this.#inflight.has(name)) continue;
      const rootfs = path.join(this.#dir, name, 'rootfs');
      if (lowers.some((o) => o.includes(rootfs))) continue;
      rmSync(path.join(this.#dir, name), { recursive: true, force: true });
      removed.push(name);
    }
    if (removed.length) this.#log.info({ removed }, 'unused images removed');
    return removed;
  }

  async #fetch(url: URL, sha256: string): Promise<string> {
    const entry = path.join(this.#dir, sha256);
    if (existsSync(entry)) {
      this.#log.warn({ sha256 }, 'discarding an incomplete image cache entry');
      rmSync(entry, { recursive: true, force: true });
    }
    const tmpRoot = path.join(this.#dir, TMP);
    if (!this.#cleaned) {
      // Work directories of an earlier process are never resumed.
      rmSync(tmpRoot, { recursive: true, force: true });
      this.#cleaned = true;
    }
    mkdirSync(tmpRoot, { recursive: true, mode: 0o700 });
    chmodSync(this.#dir, 0o711);
    const work = mkdtempSync(path.join(tmpRoot, `${sha256.slice(0, 16)}-`));
    const where = `${url.origin}${url.pathname}`; // the query may carry a token: not logged
    try {
      const started = Date.now();
      const { unpackTimeoutMs, ...limits } = this.#limits;
      const rec = await fetchInChild({ url: url.href, sha256, work, limits }, limits.timeoutMs + unpackTimeoutMs, this.#onFetcher);
      renameSync(path.join(work, 'entry'), entry);
      this.#log.info(
        {
          sha256,
          url: where,
          bytes: rec.bytes,
          unpackedBytes: rec.unpackedBytes,
          entries: rec.entries,
          format: rec.format,
          ms: Date.now() - started,
        },
        'image cached',
      );
      return path.join(entry, 'rootfs');
    } catch (e) {
      const stderr = (e as { stderr?: string }).stderr;
      this.#log.info(
        { sha256, url: where, code: (e as ImageError).code, err: (e as Error).message, ...(stderr ? { stderr } : {}) },
        'image refused',
      );
      throw e;
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }
}

function positive(n: number, name: string): number {
  if (!Number.isSafeInteger(n) || n <= 0) throw new ImageError('invalid', `ImageStore ${name} must be a positive integer, got ${n}`);
  return n;
}
