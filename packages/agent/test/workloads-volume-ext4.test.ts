/** Volumes and zmounts as loop-mounted ext4 through the Provisioner: size held (ENOSPC), remounted after a restart, grown in place, shrink refused, nothing left after removal. */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Workload } from '@tfgrid/client';
import { ProcessRuntime, Provisioner, StoragePools } from '../src/workloads';
import { loopBackingFile, mountAt } from '../src/workloads/disk';
import { MiB, deployment, hardware, logger, tempRoot, volume } from './fixtures/workloads/helpers';
import { mountsUnder } from '@tfgrid/testkit';

let t: ReturnType<typeof tempRoot>;
const made: Provisioner[] = [];

function provisioner(): Provisioner {
  const log = logger();
  const p = new Provisioner({
    dataDir: t.dataDir,
    hardware: hardware(),
    storagePools: [{ path: t.pool, kind: 'ssd' }],
    runtime: new ProcessRuntime({ dataDir: t.dataDir, logger: log }),
    logger: log,
  });
  made.push(p);
  return p;
}

function zmount(name: string, size: number, version = 0): Workload {
  return { version, name, type: 'zmount', data: { size }, metadata: '', description: '' };
}

function losetup(): string {
  return execFileSync('losetup', ['-a'], { encoding: 'utf8' });
}

function fsSize(dir: string): number {
  return Number(execFileSync('df', ['-B1', '--output=size', dir], { encoding: 'utf8' }).trim().split('\n')[1]);
}

beforeEach(() => (t = tempRoot('vol-ext4')));
afterEach(async () => {
  for (const p of made.splice(0)) await p.stop();
  t.cleanup();
});

test("writes past a volume's size fail with ENOSPC; the pool keeps its free space", async () => {
  const p = provisioner();
  await p.open();
  const [s] = await p.apply(deployment(1, [volume('data', 16 * MiB)]));
  expect(s).toMatchObject({ state: 'ok', result: { fs: 'ext4', size: 16 * MiB } });
  const dir = s!.result!.path as string;
  expect(mountAt(dir)).toMatchObject({ fstype: 'ext4' });
  expect(loopBackingFile(mountAt(dir)!.source)).toBe(s!.result!.image);
  const before = StoragePools.free(t.pool);
  // A host process (as a zmachine's would be) writes 64 MiB into the 16 MiB volume.
  const dd = spawnSync('dd', ['if=/dev/zero', `of=${path.join(dir, 'big')}`, 'bs=1M', 'count=64', 'conv=fsync'], { encoding: 'utf8' });
  expect(dd.status).not.toBe(0);
  expect(dd.stderr).toMatch(/No space left on device/);
  expect(statSync(path.join(dir, 'big')).size).toBeLessThan(16 * MiB);
  expect(Math.abs(before - StoragePools.free(t.pool))).toBeLessThan(4 * MiB);
});

test('a volume survives an agent restart (still mounted: left alone) and a reboot (mounted again), once', async () => {
  const p = provisioner();
  await p.open();
  const [s] = await p.apply(deployment(2, [volume('keep', 8 * MiB)]));
  const dir = s!.result!.path as string;
  writeFileSync(path.join(dir, 'note.txt'), 'kept');
  await p.stop();

  const q = provisioner(); // the agent restarted; the kernel still has the mount
  await q.open();
  await q.recover();
  expect(q.states(2)).toMatchObject([{ name: 'keep', state: 'ok', result: { path: dir } }]);
  expect(mountsUnder(t.root)).toEqual([dir]);
  expect(readFileSync(path.join(dir, 'note.txt'), 'utf8')).toBe('kept');
  await q.stop();

  execFileSync('umount', [dir]); // the machine rebooted: no mount, no loop device
  expect(losetup()).not.toContain(t.root);
  const r = provisioner();
  await r.open();
  await r.recover();
  expect(r.states(2)).toMatchObject([{ name: 'keep', state: 'ok' }]);
  expect(mountsUnder(t.root)).toEqual([dir]);
  expect(readFileSync(path.join(dir, 'note.txt'), 'utf8')).toBe('kept');
});

test('an update grows the volume in place with its data; a shrink is refused and the running version stays', async () => {
  const p = provisioner();
  await p.open();
  const [s] = await p.apply(deployment(3, [volume('v', 16 * MiB)]));
  const dir = s!.result!.path as string;
  writeFileSync(path.join(dir, 'a.txt'), 'a');
  const [grown] = await p.apply(deployment(3, [volume('v', 32 * MiB, 1)], 1));
  expect(grown).toMatchObject({ state: 'ok', version: 1, used: { sru: 32 * MiB }, result: { path: dir, size: 32 * MiB } });
  expect(fsSize(dir)).toBeGreaterThan(24 * MiB);
  expect(readFileSync(path.join(dir, 'a.txt'), 'utf8')).toBe('a');
  const [kept] = await p.apply(deployment(3, [volume('v', 16 * MiB, 2)], 2));
  expect(kept).toMatchObject({
    state: 'ok',
    version: 1,
    used: { sru: 32 * MiB },
    reason:
      'update to version 2 refused: cannot shrink the volume from 32.00 MiB to 16.00 MiB: its filesystem holds data; deploy a new volume of the smaller size instead',
  });
  expect(statSync(grown!.result!.image as string).size).toBe(32 * MiB);
  expect(readFileSync(path.join(dir, 'a.txt'), 'utf8')).toBe('a');
});

test('a zmount is a mounted ext4 disk of its size; removal leaves no mount, no loop device and no file', async () => {
  const p = provisioner();
  await p.open();
  const states = await p.apply(deployment(4, [zmount('disk', 8 * MiB), volume('v', 4 * MiB)]));
  const z = states.find((x) => x.name === 'disk')!;
  expect(z).toMatchObject({ type: 'zmount', state: 'ok', used: { sru: 8 * MiB }, result: { fs: 'ext4', size: 8 * MiB } });
  expect(z.result!.path).toBe(path.join(t.pool, 'tfgrid-zmounts', '4-disk', 'mnt'));
  expect(mountAt(z.result!.path as string)).toMatchObject({ fstype: 'ext4' });
  expect(p.used(4).sru).toBe(12 * MiB);
  expect(losetup()).toContain(t.root);

  await p.remove(4);
  expect(p.states(4).map((x) => x.state)).toEqual(['deleted', 'deleted']);
  expect(mountsUnder(t.root)).toEqual([]);
  expect(losetup()).not.toContain(t.root);
  expect(existsSync(path.join(t.pool, 'tfgrid-zmounts', '4-disk'))).toBe(false);
  expect(existsSync(path.join(t.pool, 'tfgrid-volumes', '4-v'))).toBe(false);
});
