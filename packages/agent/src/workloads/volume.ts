/**
 * `volume` (and, through the same class, `zmount`): an ext4 filesystem of the workload's size in
 * an image file on a storage pool, loop-mounted by the agent. Layout:
 * `<pool>/<folder>/<contractId>-<name>/data.img`, mounted at `…/mnt`; the result's `path` is that
 * mount directory, which a zmachine bind-mounts. Writes past the size fail with ENOSPC whatever
 * the pool has free. Provision is idempotent: after an agent restart it finds the image and mounts
 * it again (or finds it still mounted); an update grows it in place (data kept), a smaller size is
 * refused at admission, so the running version stays; deprovision unmounts, detaches the loop
 * device and deletes the files.
 */
import { existsSync, mkdirSync, rmSync, statSync } from 'node:fs';
import path from 'node:path';
import type { Logger } from 'pino';
import type { Workload, WorkloadType } from '@tfgrid/client';
import { formatBytes, zero } from '../core/capacity';
import { MIN_EXT4_BYTES, createExt4Image, growMustWait, isExt4, isMountpoint, mountExt4Image, unmountExt4Image } from './disk';
import { StoragePools } from './pools';
import type { Capacity, HandlerContext, WorkloadHandler, WorkloadState } from '../core/workload-types';

export const VOLUMES_DIR = 'tfgrid-volumes';
export const IMAGE = 'data.img';
export const MOUNT_DIR = 'mnt';

/** A workload that is an ext4 image file on a pool, mounted on the host. */
export class Ext4DiskHandler implements WorkloadHandler {
  readonly type: WorkloadType;
  readonly #folder: string;
  readonly #pools: StoragePools;
  readonly #log: Logger;
  readonly #resource: 'sru' | 'hru';

  /** `resource`: what the space counts as (StoragePools.resource with the node's fallback). */
  constructor(o: { type: WorkloadType; folder: string; pools: StoragePools; logger: Logger; resource?: 'sru' | 'hru' }) {
    this.type = o.type;
    this.#folder = o.folder;
    this.#pools = o.pools;
    this.#resource = o.resource ?? o.pools.resource();
    this.#log = o.logger.child({ module: o.type });
  }

  needs(w: Workload): Capacity {
    const size = sizeOf(w);
    return { ...zero(), [this.#resource]: size };
  }

  /** Refusals that keep a running version as it is: no pool, a shrink, a grow its pool cannot hold. */
  async admit(w: Workload, ctx: HandlerContext): Promise<void> {
    if (!this.#pools.list().length) throw new Error('no storage pool is configured on this node (--storage-pool)');
    const size = sizeOf(w);
    const dir = this.#find(ctx.contractId, w.name);
    if (!dir || !existsSync(path.join(dir, IMAGE))) return;
    const have = statSync(path.join(dir, IMAGE)).size;
    if (size < have)
      throw new Error(
        `cannot shrink the ${this.type} from ${formatBytes(have)} to ${formatBytes(size)}: its filesystem holds data; deploy a new ${this.type} of the smaller size instead`,
      );
    const free = StoragePools.free(dir);
    if (size - have > free)
      throw new Error(
        `cannot grow the ${this.type} to ${formatBytes(size)}: its pool has ${formatBytes(free)} free, ${formatBytes(size - have)} more needed`,
      );
    if (size > have && growMustWait(path.join(dir, IMAGE))) {
      throw new Error(
        `cannot grow the ${this.type} to ${formatBytes(size)} while the zmachine using it runs: this host does not allow growing a mounted ext4 filesystem (the agent lacks CAP_SYS_RESOURCE); grow it in a deployment version without that zmachine`,
      );
    }
  }

  async provision(w: Workload, ctx: HandlerContext): Promise<Record<string, unknown>> {
    const size = sizeOf(w);
    const pools = this.#pools.list();
    if (!pools.length) throw new Error('no storage pool is configured on this node (--storage-pool)');
    // An existing disk stays where it is (update = grow in place).
    let dir = this.#find(ctx.contractId, w.name);
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
    }
    mkdirSync(path.dirname(dir), { recursive: true, mode: 0o711 });
    mkdirSync(dir, { recursive: true, mode: 0o711 });
    const img = path.join(dir, IMAGE);
    const mnt = path.join(dir, MOUNT_DIR);
    if (existsSync(img) && !isMountpoint(mnt) && !isExt4(img)) {
      // The reservation file of the earlier volume form (no filesystem in it): made anew.
      this.#log.warn({ contractId: ctx.contractId, name: w.name }, 'replacing a bare reservation file by an ext4 filesystem');
      rmSync(img);
    }
    await createExt4Image(img, size);
    await mountExt4Image(img, mnt);
    const pool = path.dirname(path.dirname(dir));
    this.#log.info({ contractId: ctx.contractId, name: w.name, path: mnt, size }, `${this.type} mounted`);
    return { path: mnt, image: img, size, fs: 'ext4', pool, kind: pools.find((p) => p.path === pool)?.kind ?? 'unknown' };
  }

  async deprovision(state: WorkloadState): Promise<void> {
    // A provision interrupted before its result was saved may have left the directory in any pool.
    for (const p of this.#pools.list()) {
      const dir = this.#dirIn(p.path, state.contractId, state.name);
      if (!existsSync(dir)) continue;
      await unmountExt4Image(path.join(dir, MOUNT_DIR));
      if (isMountpoint(path.join(dir, MOUNT_DIR))) throw new Error(`${path.join(dir, MOUNT_DIR)} is still mounted; its files are kept`);
      rmSync(dir, { recursive: true, force: true });
      this.#log.info({ contractId: state.contractId, name: state.name }, `${this.type} removed`);
    }
  }

  async pause(): Promise<void> {
    // Storage has nothing to pause; the zmachine using it is paused.
  }

  async resume(): Promise<void> {}

  /** The disk's directory if it exists in a pool. */
  #find(contractId: number, name: string): string | undefined {
    return this.#pools
      .list()
      .map((p) => this.#dirIn(p.path, contractId, name))
      .find((d) => existsSync(path.join(d, IMAGE)) || existsSync(d));
  }

  #dirIn(pool: string, contractId: number, name: string): string {
    if (!/^[A-Za-z0-9_-]{1,50}$/.test(name)) throw new Error(`invalid ${this.type} name '${name}'`);
    return path.join(pool, this.#folder, `${contractId}-${name}`);
  }
}

/** `volume`: storage a zmachine mounts at a path, ext4 in an image file. */
export class VolumeHandler extends Ext4DiskHandler {
  constructor(pools: StoragePools, logger: Logger, resource: 'sru' | 'hru' = pools.resource()) {
    super({ type: 'volume', folder: VOLUMES_DIR, pools, logger, resource });
  }
}

function sizeOf(w: Workload): number {
  const size = (w.data as { size?: unknown }).size;
  if (typeof size !== 'number' || !Number.isSafeInteger(size) || size <= 0) throw new Error('data.size must be a positive integer (bytes)');
  if (size < MIN_EXT4_BYTES)
    throw new Error(`data.size must be at least ${formatBytes(MIN_EXT4_BYTES)} (an ext4 filesystem needs room for its tables)`);
  return size;
}
