/**
 * An ext4 filesystem in an image file, loop-mounted: the storage form of volumes and zmounts.
 * Writes past the filesystem's size fail with ENOSPC, whatever the pool's free space. The file is
 * allocated up front (fallocate; a sparse file where the pool's filesystem cannot allocate), so
 * the space is taken, not promised. Every call is idempotent: an agent restarting mid-way calls
 * again. Needs root, util-linux (mount, losetup, fallocate) and e2fsprogs.
 */
import { closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, renameSync, rmSync, statSync, truncateSync } from 'node:fs';
import path from 'node:path';
import { DiskError } from './errors';
import { canonical, loopBackingFile, mountAt, mountedElsewhere, mounts } from './mounts';
import { readSuperblock } from './superblock';
import { runRaw, runTool, toolMessage, type ToolFailure } from './run';

export { isMountpoint } from './mounts';

/** Smallest filesystem made (mkfs.ext4 needs room for its journal and tables). */
export const MIN_EXT4_BYTES = 1024 ** 2;
/** Largest: 1 PiB, far above any pool, so a typo cannot ask mkfs for the impossible. */
export const MAX_EXT4_BYTES = 1024 ** 5;

/**
 * Makes `file` an ext4 filesystem of `sizeBytes`. Existing with that size: nothing happens.
 * Existing and smaller: grown in place (online through its loop device when mounted), data kept.
 * Existing and larger: refused ('shrink-refused'). A half-made file is never left at `file`.
 */
export async function createExt4Image(file: string, sizeBytes: number): Promise<void> {
  checkSize(sizeBytes);
  if (existsSync(file)) return grow(file, sizeBytes);
  mkdirSync(path.dirname(file), { recursive: true });
  const tmp = `${file}.creating`;
  rmSync(tmp, { force: true });
  try {
    await allocate(tmp, sizeBytes);
    // -m 0: the deployer bought all of it; nodiscard: keep the blocks fallocate took; the inode
    // tables and journal zeroed now (on a file, a fast zero-range), not by the kernel's lazy init
    // after mount, whose zeroing through the loop device could give blocks of the image back to
    // the pool while the volume is in use.
    await runTool('mkfs.ext4', ['-F', '-q', '-m', '0', '-E', 'nodiscard,lazy_itable_init=0,lazy_journal_init=0', tmp]);
    renameSync(tmp, file);
  } catch (e) {
    rmSync(tmp, { force: true });
    throw e;
  }
}

/** Loop-mounts the image at `mountpoint` (created if missing); already mounted there: nothing happens. */
export async function mountExt4Image(file: string, mountpoint: string, opts: { readOnly?: boolean } = {}): Promise<void> {
  if (!existsSync(file)) throw new DiskError('not-ext4', `${file} does not exist`);
  mkdirSync(mountpoint, { recursive: true });
  const current = mountAt(mountpoint);
  if (current) {
    if (loopBackingFile(current.source) === canonical(file)) return;
    throw new DiskError('busy', `${mountpoint} already has ${current.source} (${current.fstype}) mounted, not ${file}`);
  }
  // Still attached (a container holds the filesystem across an agent restart): mount that same
  // device, which shares its superblock; a second loop device on the file would corrupt it.
  const device = attachedLoop(file);
  if (device) return void (await runTool('mount', ['-t', 'ext4', '-o', mountOptions(opts.readOnly), device, mountpoint]));
  if (!isExt4(file)) throw new DiskError('not-ext4', `${file} holds no ext4 filesystem`);
  await runTool('mount', ['-t', 'ext4', '-o', `loop,${mountOptions(opts.readOnly)}`, file, mountpoint]);
}

/** Unmounts `mountpoint` and detaches its loop device; nothing mounted there: nothing happens. */
export async function unmountExt4Image(mountpoint: string): Promise<void> {
  const current = mountAt(mountpoint);
  if (!current) return;
  try {
    await runRaw('umount', [canonical(mountpoint)]);
  } catch (e) {
    const f = e as ToolFailure;
    const busy = /busy/i.test(f.stderr ?? '');
    throw new DiskError(busy ? 'busy' : 'command-failed', `umount ${mountpoint} failed: ${toolMessage(f)}`);
  }
  // mount -o loop marks the device autoclear, but a device still attached (set up by hand, or
  // held open for a moment) is detached here, so nothing stays in `losetup -a`.
  if (loopBackingFile(current.source) !== undefined) {
    await runRaw('losetup', ['-d', current.source]).catch(() => undefined);
  }
}

/**
 * True when growing `file` now would be refused as 'busy': the host forbids online resize (no
 * CAP_SYS_RESOURCE) and a running container holds the filesystem. Lets a caller refuse an
 * update up front instead of failing half-way.
 */
export function growMustWait(file: string): boolean {
  if (canResizeOnline()) return false;
  const device = attachedLoop(file);
  return device !== undefined && mountedElsewhere(device);
}

/** CAP_SYS_RESOURCE (bit 24) in the agent's effective capabilities: ext4 grows while mounted. */
export function canResizeOnline(): boolean {
  const m = /^CapEff:\s*([0-9a-f]+)$/m.exec(readFileSync('/proc/self/status', 'utf8'));
  return m !== null && ((BigInt(`0x${m[1]}`) >> 24n) & 1n) === 1n;
}

/** True when the file (or device) holds an ext2/3/4 filesystem. */
export function isExt4(file: string): boolean {
  return readSuperblock(file) !== undefined;
}

function checkSize(size: number): void {
  if (!Number.isSafeInteger(size) || size < MIN_EXT4_BYTES || size > MAX_EXT4_BYTES) {
    throw new DiskError(
      'invalid-size',
      `size must be a whole number of bytes from ${MIN_EXT4_BYTES} (1 MiB) to ${MAX_EXT4_BYTES} (1 PiB), got ${size}`,
    );
  }
}

async function grow(file: string, size: number): Promise<void> {
  const have = statSync(file).size;
  if (size < have) {
    if (!isExt4(file)) throw new DiskError('not-ext4', `${file} exists but holds no ext4 filesystem`);
    throw new DiskError(
      'shrink-refused',
      `cannot shrink the filesystem from ${have} to ${size} bytes: its data could be lost; a smaller size needs a new workload`,
    );
  }
  // Mounted: read through the loop device, which sees what ext4 wrote (the file's cache may not).
  const device = attachedLoop(file);
  const sb = readSuperblock(device ?? file);
  if (!sb) throw new DiskError('not-ext4', `${file} exists but holds no ext4 filesystem`);
  // Done when the file has the size and the filesystem fills it (a grow cut short has the first, not the second).
  if (have === size && sb.bytes >= Math.floor(size / sb.blockSize) * sb.blockSize) return;
  if (have < size) await allocate(file, size);
  if (device) return growMounted(file, device);
  await growOffline(file);
}

/** Online resize through the loop device; where the host forbids it, unmount, grow offline, remount. */
async function growMounted(file: string, device: string): Promise<void> {
  await runTool('losetup', ['-c', device]);
  try {
    await runRaw('resize2fs', [device]);
    return;
  } catch (e) {
    const f = e as ToolFailure;
    // Online resize needs CAP_SYS_RESOURCE, which some sandboxes drop even for root.
    if (!/permission denied|operation not permitted/i.test(f.stderr ?? ''))
      throw new DiskError('command-failed', `resize2fs ${device} failed: ${toolMessage(f)}`);
  }
  const ours = mounts().filter((m) => m.source === device);
  for (const m of [...ours].reverse()) await runTool('umount', [m.mountpoint]);
  if (!(await detached(device))) {
    // Something outside this mount namespace (a running container) still holds the filesystem.
    for (const m of ours) await runTool('mount', ['-t', 'ext4', '-o', mountOptions(m.readOnly), device, m.mountpoint]);
    throw new DiskError(
      'busy',
      `cannot grow ${file} while a running workload uses it: this host does not allow growing a mounted ext4 filesystem (the agent lacks CAP_SYS_RESOURCE); it grows when the workload stops`,
    );
  }
  await growOffline(file);
  for (const m of ours) await mountExt4Image(file, m.mountpoint, { readOnly: m.readOnly });
}

async function growOffline(file: string): Promise<void> {
  // Offline resize2fs wants a freshly checked filesystem; e2fsck exits 1 when it fixed something.
  try {
    await runRaw('e2fsck', ['-f', '-p', file]);
  } catch (e) {
    const f = e as ToolFailure;
    if (f.code !== 1) throw new DiskError('command-failed', `e2fsck -f -p ${file} failed: ${toolMessage(f)}`);
  }
  await runTool('resize2fs', [file]);
}

/**
 * Waits (up to 5 s) for an autoclear loop device to let go of its file after the last unmount
 * (the kernel releases a namespace's mounts a moment after its last process exits).
 */
async function detached(device: string): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    if (loopBackingFile(device) === undefined) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}

function mountOptions(readOnly: boolean | undefined): string {
  // nodev,nosuid: nothing a workload writes into its volume gains powers on the host.
  return ['nodev', 'nosuid', readOnly ? 'ro' : 'rw'].join(',');
}

/** The loop device the file is attached to, if any. */
function attachedLoop(file: string): string | undefined {
  const want = canonical(file);
  let names: string[];
  try {
    names = readdirSync('/sys/block');
  } catch {
    return undefined;
  }
  const found = names.find((n) => loopBackingFile(`/dev/${n}`) === want);
  return found ? `/dev/${found}` : undefined;
}

/** Extends (or creates, mode 0600) the file to `size` bytes, allocated where the filesystem can, else sparse. */
async function allocate(file: string, size: number): Promise<void> {
  if (!existsSync(file)) closeSync(openSync(file, 'w', 0o600));
  try {
    await runRaw('fallocate', ['-l', String(size), file]);
    return;
  } catch (e) {
    const f = e as ToolFailure;
    // Missing tool, or a pool filesystem without fallocate (some FUSE, old tmpfs): a sparse file.
    if (f.code !== 'ENOENT' && !/not supported/i.test(f.stderr ?? ''))
      throw new DiskError('command-failed', `fallocate -l ${size} ${file} failed: ${toolMessage(f)}`);
  }
  truncateSync(file, size);
}
