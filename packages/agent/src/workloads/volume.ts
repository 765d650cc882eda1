/**
 * `volume`: real disk space reserved on a storage pool. The volume is a directory
 * `<pool>/tfgrid-volumes/<contractId>-<name>/` holding `data.img`, a file of the volume's size
 * allocated up front (`fallocate -l`, or written out with zeros where fallocate is missing or
 * unsupported), so the space is taken from the filesystem, not promised. A vm mounting it gets
 * the directory. Limit of the process runtime: writes into the directory beside data.img are not
 * confined to the reserved size (a VM backend would format data.img and attach it as a disk).
 */
import { execFile } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, openSync, rmSync, statSync, truncateSync, writeSync } from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Logger } from 'pino';
import type { VolumeData, Workload } from '@tfgrid/client';
import { formatBytes, zero } from './capacity';
import { StoragePools } from './pools';
import type { Capacity, HandlerContext, WorkloadHandler, WorkloadState } from './types';

const run = promisify(execFile);
export const VOLUMES_DIR = 'tfgrid-volumes';
export const IMAGE = 'data.img';

export class VolumeHandler implements WorkloadHandler {
  readonly type = 'volume' as const;
  readonly #pools: StoragePools;
  readonly #log: Logger;
  #fallocate: boolean | undefined;

  readonly #resource: 'sru' | 'hru';

  /** `resource`: what the space counts as (StoragePools.resource with the node's fallback). */
  constructor(pools: StoragePools, logger: Logger, resource: 'sru' | 'hru' = pools.resource()) {
    this.#pools = pools;
    this.#resource = resource;
    this.#log = logger.child({ module: 'volume' });
  }

  needs(w: Workload): Capacity {
    const size = (w.data as Partial<VolumeData>).size;
    if (typeof size !== 'number' || !Number.isSafeInteger(size) || size <= 0) throw new Error('data.size must be a positive integer (bytes)');
    return { ...zero(), [this.#resource]: size };
  }

  async admit(): Promise<void> {
    if (!this.#pools.list().length) throw new Error('no storage pool is configured on this node (--storage-pool)');
  }

  async provision(w: Workload, ctx: HandlerContext, previous?: WorkloadState): Promise<Record<string, unknown>> {
    const size = (w.data as unknown as VolumeData).size;
    const pools = this.#pools.list();
    if (!pools.length) throw new Error('no storage pool is configured on this node (--storage-pool)');
    // An existing volume stays where it is (update = resize in place).
    const existing = this.#find(ctx.contractId, w.name, previous);
    const have = existing ? allocated(existing) : 0;
    let dir = existing;
    if (!dir) {
      const free: string[] = [];
      for (const p of pools) {
        const f = StoragePools.free(p.path);
        if (f >= size) {
          dir = this.#dirIn(p.path, ctx.contractId, w.name);
          break;
        }
        free.push(`${p.path} (${p.kind}) has ${formatBytes(f)} free`);
      }
      if (!dir) throw new Error(`no storage pool has ${formatBytes(size)} free: ${free.join(', ')}`);
    } else if (size > have && StoragePools.free(dir) < size - have) {
      throw new Error(`cannot grow the volume to ${formatBytes(size)}: its pool has ${formatBytes(StoragePools.free(dir))} free, ${formatBytes(size - have)} more needed`);
    }
    mkdirSync(path.dirname(dir), { recursive: true, mode: 0o711 });
    mkdirSync(dir, { recursive: true, mode: 0o755 });
    const img = path.join(dir, IMAGE);
    await this.#reserve(img, size);
    const pool = path.dirname(path.dirname(dir));
    this.#log.info({ contractId: ctx.contractId, name: w.name, path: dir, size }, 'volume reserved');
    return { path: dir, image: img, size, pool, kind: pools.find((p) => p.path === pool)?.kind ?? 'unknown' };
  }

  /** The volume's directory if it exists (from the previous result, else looked up in every pool). */
  #find(contractId: number, name: string, previous?: WorkloadState): string | undefined {
    const prev = previous?.result?.path;
    if (typeof prev === 'string' && this.#owned(prev) && existsSync(prev)) return prev;
    return this.#pools.list().map((p) => this.#dirIn(p.path, contractId, name)).find((d) => existsSync(d));
  }

  #dirIn(pool: string, contractId: number, name: string): string {
    if (!/^[A-Za-z0-9_-]{1,50}$/.test(name)) throw new Error(`invalid volume name '${name}'`);
    return path.join(pool, VOLUMES_DIR, `${contractId}-${name}`);
  }

  /** Only directories under a pool's volume folder are ever deleted (a state file is not trusted with paths). */
  #owned(dir: string): boolean {
    const d = path.resolve(dir);
    return this.#pools.list().some((p) => path.dirname(d) === path.join(p.path, VOLUMES_DIR));
  }

  async #reserve(img: string, size: number): Promise<void> {
    if (existsSync(img) && statSync(img).size === size && allocatedFile(img) >= size) return;
    if (existsSync(img) && statSync(img).size > size) {
      truncateSync(img, size); // shrink: fallocate cannot
      if (allocatedFile(img) >= size) return;
    }
    if (this.#fallocate !== false) {
      try {
        await run('fallocate', ['-l', String(size), img]);
        this.#fallocate = true;
        return;
      } catch (e) {
        const err = e as NodeJS.ErrnoException & { stderr?: string };
        if (err.code === 'ENOENT') {
          this.#fallocate = false;
          this.#log.info('fallocate not found: volumes are reserved by writing them out');
        } else if (!/not supported/i.test(err.stderr ?? '')) {
          throw new Error(`fallocate failed: ${(err.stderr ?? err.message).trim()}`);
        }
      }
    }
    writeZeros(img, size);
  }

  async deprovision(state: WorkloadState): Promise<void> {
    const dirs = new Set<string>();
    const prev = state.result?.path;
    if (typeof prev === 'string' && this.#owned(prev)) dirs.add(path.resolve(prev));
    // A provision interrupted before its result was saved may have left the directory in any pool.
    for (const p of this.#pools.list()) dirs.add(this.#dirIn(p.path, state.contractId, state.name));
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  }

  async pause(): Promise<void> {
    // Storage has nothing to pause; the vm using it is paused.
  }

  async resume(): Promise<void> {}
}

/** Writes `size` bytes of zeros (fallback where fallocate is missing). */
function writeZeros(file: string, size: number): void {
  const chunk = Buffer.alloc(1024 * 1024);
  const fd = openSync(file, 'w', 0o644);
  try {
    for (let off = 0; off < size; off += chunk.length) writeSync(fd, chunk, 0, Math.min(chunk.length, size - off), off);
  } finally {
    closeSync(fd);
  }
}

function allocatedFile(file: string): number {
  return statSync(file).blocks * 512;
}

function allocated(dir: string): number {
  const img = path.join(dir, IMAGE);
  return existsSync(img) ? allocatedFile(img) : 0;
}
