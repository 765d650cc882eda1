/** ext4 image files on a real loop device: size held (ENOSPC), idempotent calls, grow online and offline, shrink refused, nothing left after unmount. */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import {
  DiskError,
  canResizeOnline,
  createExt4Image,
  growMustWait,
  isExt4,
  isMountpoint,
  loopBackingFile,
  mountAt,
  mountExt4Image,
  mountedElsewhere,
  unmountExt4Image,
} from '../src/workloads/disk';
import { MiB, tempRoot, until } from './fixtures/workloads/helpers';

let t: ReturnType<typeof tempRoot>;
const mounted: string[] = [];

beforeEach(() => (t = tempRoot('ext4')));
afterEach(async () => {
  for (const m of mounted.splice(0)) await unmountExt4Image(m);
  t.cleanup();
});

function losetupFor(file: string): string {
  return execFileSync('losetup', ['-j', file], { encoding: 'utf8' }).trim();
}

function df(dir: string): { size: number; avail: number } {
  const [, line] = execFileSync('df', ['-B1', '--output=size,avail', dir], { encoding: 'utf8' }).trim().split('\n');
  const [size, avail] = line!.trim().split(/\s+/).map(Number);
  return { size: size!, avail: avail! };
}

async function mountAtDir(img: string, dir: string, opts?: { readOnly?: boolean }): Promise<void> {
  await mountExt4Image(img, dir, opts);
  mounted.push(dir);
}

test('an image holds its size: a host dd past it fails with ENOSPC; unmount leaves no mount and no loop device', async () => {
  const img = path.join(t.pool, 'v', 'data.img');
  await createExt4Image(img, 32 * MiB);
  expect(statSync(img).size).toBe(32 * MiB);
  expect(statSync(img).blocks * 512).toBeGreaterThanOrEqual(32 * MiB); // allocated, not sparse
  expect(statSync(img).mode & 0o777).toBe(0o600);
  expect(isExt4(img)).toBe(true);
  expect(existsSync(`${img}.creating`)).toBe(false);

  const mnt = path.join(t.pool, 'v', 'mnt');
  await mountAtDir(img, mnt);
  expect(isMountpoint(mnt)).toBe(true);
  const m = mountAt(mnt)!;
  expect(m).toMatchObject({ fstype: 'ext4', readOnly: false });
  expect(loopBackingFile(m.source)).toBe(img);
  await mountExt4Image(img, mnt); // idempotent
  expect(execFileSync('findmnt', ['-n', '-o', 'TARGET', mnt], { encoding: 'utf8' }).trim().split('\n')).toHaveLength(1);

  // What the volume takes of its pool is its image file, allocated up front: the writes inside do not grow it.
  // (The pool's free space is not compared: other processes write to the same filesystem meanwhile.)
  const imageBefore = { size: statSync(img).size, blocks: statSync(img).blocks };
  const dd = spawnSync('dd', ['if=/dev/zero', `of=${path.join(mnt, 'fill')}`, 'bs=1M', 'count=64', 'conv=fsync'], { encoding: 'utf8' });
  expect(dd.status).not.toBe(0);
  expect(dd.stderr).toMatch(/No space left on device/);
  expect(statSync(path.join(mnt, 'fill')).size).toBeLessThanOrEqual(32 * MiB);
  expect({ size: statSync(img).size, blocks: statSync(img).blocks }).toEqual(imageBefore); // the pool itself untouched

  await unmountExt4Image(mnt);
  mounted.pop();
  expect(isMountpoint(mnt)).toBe(false);
  expect(losetupFor(img)).toBe('');
  expect(readFileSync('/proc/self/mountinfo', 'utf8')).not.toContain(mnt);
  await unmountExt4Image(mnt); // idempotent
});

test('create is idempotent and keeps data; grow works offline and while mounted; shrink and bad sizes are refused', async () => {
  const img = path.join(t.pool, 'g.img');
  const mnt = path.join(t.pool, 'g');
  await createExt4Image(img, 16 * MiB);
  await mountAtDir(img, mnt);
  writeFileSync(path.join(mnt, 'keep.txt'), 'kept');
  await createExt4Image(img, 16 * MiB); // same size: untouched
  expect(readFileSync(path.join(mnt, 'keep.txt'), 'utf8')).toBe('kept');

  await createExt4Image(img, 48 * MiB); // online grow through the loop device
  expect(statSync(img).size).toBe(48 * MiB);
  expect(df(mnt).size).toBeGreaterThan(40 * MiB);
  expect(readFileSync(path.join(mnt, 'keep.txt'), 'utf8')).toBe('kept');

  await unmountExt4Image(mnt);
  mounted.pop();
  await createExt4Image(img, 64 * MiB); // offline grow (e2fsck + resize2fs)
  await mountAtDir(img, mnt, { readOnly: true });
  expect(df(mnt).size).toBeGreaterThan(56 * MiB);
  expect(readFileSync(path.join(mnt, 'keep.txt'), 'utf8')).toBe('kept');
  expect(mountAt(mnt)!.readOnly).toBe(true);
  expect(() => writeFileSync(path.join(mnt, 'no.txt'), 'x')).toThrow(/EROFS/);

  await expect(createExt4Image(img, 32 * MiB)).rejects.toMatchObject({
    code: 'shrink-refused',
    message: expect.stringMatching(/^cannot shrink the filesystem from 67108864 to 33554432 bytes/),
  });
  expect(statSync(img).size).toBe(64 * MiB);
  for (const bad of [0, -1, 1.5, 1000, Number.NaN, 2 ** 60]) {
    await expect(createExt4Image(path.join(t.pool, 'bad.img'), bad)).rejects.toMatchObject({ code: 'invalid-size' });
  }
  expect(existsSync(path.join(t.pool, 'bad.img'))).toBe(false);
});

test('a foreign file or a taken mountpoint is refused with a code', async () => {
  const junk = path.join(t.pool, 'junk.img');
  writeFileSync(junk, Buffer.alloc(2 * MiB));
  await expect(createExt4Image(junk, 4 * MiB)).rejects.toMatchObject({ code: 'not-ext4' });
  await expect(mountExt4Image(junk, path.join(t.pool, 'j'))).rejects.toMatchObject({ code: 'not-ext4' });
  await expect(mountExt4Image(path.join(t.pool, 'missing.img'), path.join(t.pool, 'j'))).rejects.toBeInstanceOf(DiskError);

  const a = path.join(t.pool, 'a.img');
  const b = path.join(t.pool, 'b.img');
  await createExt4Image(a, 4 * MiB);
  await createExt4Image(b, 4 * MiB);
  const mnt = path.join(t.pool, 'ab');
  await mountAtDir(a, mnt);
  await expect(mountExt4Image(b, mnt)).rejects.toMatchObject({ code: 'busy', message: expect.stringContaining('already has /dev/loop') });
  expect(losetupFor(b)).toBe('');
});

test('a filesystem still held by another mount namespace (a container) is mounted through the same loop device, and not grown under it', async () => {
  const img = path.join(t.pool, 'held.img');
  const mnt = path.join(t.pool, 'held');
  await createExt4Image(img, 8 * MiB);
  await mountAtDir(img, mnt);
  writeFileSync(path.join(mnt, 'a.txt'), 'a');
  // A process in its own mount namespace keeps a copy of the mount, as a running container does.
  const holder = spawn('unshare', ['--mount', '--propagation', 'private', 'sleep', '60'], { stdio: 'ignore' });
  try {
    // Its own namespace (unshare done, sleep running), holding a copy of the mount.
    const inOwnNamespace = (): boolean =>
      readlinkSync(`/proc/${holder.pid}/ns/mnt`) !== readlinkSync('/proc/self/ns/mnt') &&
      readFileSync(`/proc/${holder.pid}/cmdline`, 'utf8').startsWith('sleep');
    await until(
      'the holder namespace',
      () => (inOwnNamespace() && readFileSync(`/proc/${holder.pid}/mountinfo`, 'utf8').includes(mnt) ? true : undefined),
      5000,
      50,
    );
    const device = mountAt(mnt)!.source;
    await unmountExt4Image(mnt); // the agent restarting without its mounts
    mounted.pop();
    expect(loopBackingFile(device)).toBe(img); // still attached: the holder uses it
    await mountAtDir(img, mnt);
    expect(mountAt(mnt)!.source).toBe(device); // the same device, not a second one on the file
    expect(losetupFor(img).split('\n')).toHaveLength(1);
    expect(readFileSync(path.join(mnt, 'a.txt'), 'utf8')).toBe('a');
    expect(growMustWait(img)).toBe(!canResizeOnline()); // callers can refuse a grow up front
    // Online resize may be forbidden here (no CAP_SYS_RESOURCE): then the grow waits for the holder.
    const grown = await createExt4Image(img, 16 * MiB).then(
      () => 'grown',
      (e: DiskError) => e.code,
    );
    expect(['grown', 'busy']).toContain(grown);
    expect(isMountpoint(mnt)).toBe(true);
    expect(readFileSync(path.join(mnt, 'a.txt'), 'utf8')).toBe('a');
    if (grown === 'busy') {
      holder.kill('SIGKILL');
      await until('the holder to exit', () => (holder.exitCode !== null || holder.signalCode !== null ? true : undefined), 5000, 50);
      await until('the holder namespace to let go', () => (mountedElsewhere(device) ? undefined : true), 10_000, 50);
      await createExt4Image(img, 16 * MiB); // the file already has the size; the filesystem catches up
    }
    expect(df(mnt).size).toBeGreaterThan(12 * MiB);
  } finally {
    holder.kill('SIGKILL');
  }
});
