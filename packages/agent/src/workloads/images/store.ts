/**
 * Images by content hash. `ensure({url, sha256})` gives the unpacked root filesystem
 * `<dir>/<sha256>/rootfs`, downloading and unpacking it once: the download is checked against
 * the sha256 before anything is unpacked, the unpacking happens in `<dir>/.tmp/` and the finished
 * entry is renamed into place in one step, so a cache entry either is complete or does not exist
 * (an entry without its `image.json` record — left by hand or by a crash of an older version — is
 * discarded and fetched again). Concurrent calls for one hash share one download. The cache
 * directory belongs to one agent process.
 */
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import { mounts } from '../disk/mounts';
import { toPlainTar, type Budget } from './decompress';
import { download } from './download';
import { ImageError } from './errors';
import { applyLayer, scanLayer, type EntryBudget } from './layer';
import { isOciLayout, ociLayers } from './oci';
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
} as const;

export interface ImageStoreOptions {
  dir: string;
  maxBytes?: number;
  timeoutMs?: number;
  maxUnpackedBytes?: number;
  maxEntries?: number;
  logger: Logger;
}

const RECORD = 'image.json';
const TMP = '.tmp';

interface ImageRecord {
  sha256: string;
  format: string;
  bytes: number;
  unpackedBytes: number;
  entries: number;
  fetchedAt: number;
}

export class ImageStore {
  readonly #dir: string;
  readonly #limits: Required<Omit<ImageStoreOptions, 'dir' | 'logger'>>;
  readonly #log: Logger;
  readonly #inflight = new Map<string, Promise<string>>();
  #cleaned = false;

  constructor(opts: ImageStoreOptions) {
    this.#dir = path.resolve(opts.dir);
    this.#limits = {
      maxBytes: positive(opts.maxBytes ?? IMAGE_DEFAULTS.maxBytes, 'maxBytes'),
      timeoutMs: positive(opts.timeoutMs ?? IMAGE_DEFAULTS.timeoutMs, 'timeoutMs'),
      maxUnpackedBytes: positive(opts.maxUnpackedBytes ?? IMAGE_DEFAULTS.maxUnpackedBytes, 'maxUnpackedBytes'),
      maxEntries: positive(opts.maxEntries ?? IMAGE_DEFAULTS.maxEntries, 'maxEntries'),
    };
    this.#log = opts.logger.child({ module: 'images' });
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
    const lowers = mounts().filter((m) => m.fstype === 'overlay').map((m) => m.superOptions);
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
      const got = await download(url, path.join(work, 'download'), { maxBytes: this.#limits.maxBytes, timeoutMs: this.#limits.timeoutMs });
      if (got.sha256 !== sha256) {
        throw new ImageError('hash-mismatch', `the image at ${where} has sha256 ${got.sha256}, not ${sha256} as the deployment says`);
      }
      const record = await this.#unpack(work, path.join(work, 'entry'));
      const rec: ImageRecord = { sha256, bytes: got.bytes, ...record, fetchedAt: Date.now() };
      writeFileSync(path.join(work, 'entry', RECORD), `${JSON.stringify(rec)}\n`, { mode: 0o644 });
      renameSync(path.join(work, 'entry'), entry);
      this.#log.info({ sha256, url: where, bytes: got.bytes, unpackedBytes: rec.unpackedBytes, entries: rec.entries, format: rec.format, ms: Date.now() - started }, 'image cached');
      return path.join(entry, 'rootfs');
    } catch (e) {
      this.#log.info({ sha256, url: where, code: (e as ImageError).code, err: (e as Error).message }, 'image refused');
      throw e;
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  }

  /** The downloaded archive → `<entry>/rootfs`: a root filesystem tarball, or an OCI layout's layers in order. */
  async #unpack(work: string, entry: string): Promise<Omit<ImageRecord, 'sha256' | 'bytes' | 'fetchedAt'>> {
    const bytes: Budget = { bytesLeft: this.#limits.maxUnpackedBytes, maxBytes: this.#limits.maxUnpackedBytes };
    const entries: EntryBudget = { entriesLeft: this.#limits.maxEntries, maxEntries: this.#limits.maxEntries };
    const rootfs = path.join(entry, 'rootfs');
    mkdirSync(rootfs, { recursive: true, mode: 0o755 });
    const archive = path.join(work, 'archive.tar');
    await toPlainTar(path.join(work, 'download'), archive, bytes, 'the image');
    rmSync(path.join(work, 'download'));
    const scan = await scanLayer(archive, 'the image', entries, { whiteouts: false });
    let format = 'rootfs tar';
    if (isOciLayout(scan.names)) {
      format = 'oci layout';
      const layout = path.join(work, 'layout');
      mkdirSync(layout);
      await applyLayer(archive, layout, scan, 'the OCI image layout');
      rmSync(archive);
      const layers = await ociLayers(layout);
      for (const [i, blob] of layers.entries()) {
        const what = `layer ${i + 1} of ${layers.length} of the OCI image`;
        const plain = path.join(work, `layer-${i}.tar`);
        await toPlainTar(blob, plain, bytes, what);
        await applyLayer(plain, rootfs, await scanLayer(plain, what, entries, { whiteouts: true }), what);
        rmSync(plain);
      }
    } else {
      await applyLayer(archive, rootfs, scan, 'the image');
    }
    chmodSync(rootfs, 0o755);
    return { format, unpackedBytes: bytes.maxBytes - bytes.bytesLeft, entries: entries.maxEntries - entries.entriesLeft };
  }
}

function positive(n: number, name: string): number {
  if (!Number.isSafeInteger(n) || n <= 0) throw new ImageError('invalid', `ImageStore ${name} must be a positive integer, got ${n}`);
  return n;
}
