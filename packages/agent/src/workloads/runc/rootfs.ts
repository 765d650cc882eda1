/**
 * A machine's root filesystem: the image (read-only, shared by every machine using it) as the
 * lower layer of an overlay whose upper and work directories live on an ext4 image file of the
 * machine's `size` — so writes land in the machine's own layer, never in the image, and stop
 * with ENOSPC at its size.
 */
import { mkdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import { createExt4Image, isMountpoint, mountExt4Image, unmountExt4Image } from '../disk';
import { RuntimeError } from './errors';
import { tool } from './run';

export interface RootfsPaths {
  /** The ext4 image file of the writable layer. */
  image: string;
  /** Where that image is mounted (holds upper/ and work/). */
  layer: string;
  /** The merged root the container runs in. */
  merged: string;
}

export function rootfsPaths(bundle: string): RootfsPaths {
  return { image: path.join(bundle, 'layer.img'), layer: path.join(bundle, 'layer'), merged: path.join(bundle, 'rootfs') };
}

/** Mounts the overlay of `lower` and a writable layer of `sizeBytes` (idempotent; a larger size grows the layer). */
export async function mountRootfs(bundle: string, lower: string, sizeBytes: number): Promise<string> {
  const p = rootfsPaths(bundle);
  for (const dir of [lower, p.layer, p.merged])
    if (/[,:\\]/.test(dir)) throw new RuntimeError('invalid-spec', `path '${dir}' cannot be an overlay layer (it holds , : or \\)`);
  await createExt4Image(p.image, sizeBytes);
  await mountExt4Image(p.image, p.layer);
  const upper = path.join(p.layer, 'upper');
  const work = path.join(p.layer, 'work');
  mkdirSync(upper, { recursive: true, mode: 0o755 });
  mkdirSync(work, { recursive: true, mode: 0o700 });
  mkdirSync(p.merged, { recursive: true, mode: 0o755 });
  if (!isMountpoint(p.merged))
    await tool('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${lower},upperdir=${upper},workdir=${work}`, p.merged]);
  return p.merged;
}

/** Unmounts the overlay and the layer and frees the layer's file (idempotent). */
export async function removeRootfs(bundle: string): Promise<void> {
  const p = rootfsPaths(bundle);
  if (isMountpoint(p.merged)) await tool('umount', [p.merged]);
  await unmountExt4Image(p.layer);
  rmSync(p.image, { force: true });
}

/** Unmounts without freeing (agent shutdown keeps the machine's files). */
export async function unmountRootfs(bundle: string): Promise<void> {
  const p = rootfsPaths(bundle);
  if (isMountpoint(p.merged)) await tool('umount', [p.merged]);
  await unmountExt4Image(p.layer);
}
