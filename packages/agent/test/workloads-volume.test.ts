/** Volumes on real storage pools: ext4 image files allocated and loop-mounted, refusals with reasons, capacity accounting, persisted states. */
import { existsSync, mkdirSync, readFileSync, statSync, statfsSync } from 'node:fs';
import path from 'node:path';
import { DEPLOYMENT_STATE, ProcessRuntime, Provisioner, StoragePools, diskOf, type ChangeEvent, type PoolSpec } from '../src/workloads';
import { GiB, MiB, deployment, hardware, logger, tempRoot, volume } from './fixtures/workloads/helpers';

let t: ReturnType<typeof tempRoot>;
const made: Provisioner[] = [];

function provisioner(o: { pools?: PoolSpec[]; hw?: ReturnType<typeof hardware> } = {}): Provisioner {
  const log = logger();
  const p = new Provisioner({
    dataDir: t.dataDir,
    hardware: o.hw ?? hardware(),
    storagePools: o.pools ?? [{ path: t.pool, kind: 'ssd' }],
    runtime: new ProcessRuntime({ dataDir: t.dataDir, logger: log }),
    logger: log,
  });
  made.push(p);
  return p;
}

beforeEach(() => (t = tempRoot('vol')));
afterEach(async () => {
  for (const p of made.splice(0)) await p.stop();
  t.cleanup();
});

test('a volume reserves real disk space in its pool, counts as SRU on an SSD pool, and removal frees it', async () => {
  const p = provisioner();
  await p.open();
  const freeBefore = StoragePools.free(t.pool);
  const events: ChangeEvent[] = [];
  p.onChange((e) => events.push(e));
  const [s] = await p.apply(deployment(1, [volume('data', 64 * MiB)]));
  expect(s).toMatchObject({ contractId: 1, name: 'data', type: 'volume', state: 'ok', used: { cru: 0, mru: 0, sru: 64 * MiB, hru: 0 } });
  const img = path.join(t.pool, 'tfgrid-volumes', '1-data', 'data.img');
  expect(s!.result).toMatchObject({ path: path.join(path.dirname(img), 'mnt'), image: img, size: 64 * MiB, fs: 'ext4', kind: 'ssd' });
  expect(statSync(img).size).toBe(64 * MiB);
  expect(statSync(img).blocks * 512).toBeGreaterThanOrEqual(64 * MiB); // allocated, not sparse
  expect(freeBefore - StoragePools.free(t.pool)).toBeGreaterThanOrEqual(60 * MiB);
  expect(p.used(1)).toEqual({ cru: 0, mru: 0, sru: 64 * MiB, hru: 0 });
  expect(p.free().sru).toBe(100 * GiB - 64 * MiB);
  expect(p.contracts()).toEqual([1]);
  expect(events.at(-1)).toMatchObject({ contractId: 1, used: { sru: 64 * MiB } });
  expect(p.counts()).toEqual({ ok: 1, error: 0, paused: 0, deleted: 0 });

  await p.remove(1);
  expect(existsSync(path.dirname(img))).toBe(false);
  expect(p.states(1)).toMatchObject([{ name: 'data', state: 'deleted', reason: 'contract removed', used: { sru: 0 } }]);
  expect(p.usedTotal()).toEqual({ cru: 0, mru: 0, sru: 0, hru: 0 });
  expect(p.contracts()).toEqual([]);
});

test('a volume larger than the pool filesystem is refused with the free space in the reason', async () => {
  const p = provisioner({ hw: hardware({ sru: 1024 * 1024 * GiB }) });
  await p.open();
  const fsFree = statfsSync(t.pool).bavail * statfsSync(t.pool).bsize;
  const [s] = await p.apply(deployment(2, [volume('huge', fsFree + 10 * GiB)]));
  expect(s!.state).toBe('error');
  expect(s!.reason).toMatch(/^no storage pool has .* GiB free: .*pool \(ssd\) has .* GiB free$/);
  expect(s!.used.sru).toBe(0);
  expect(existsSync(path.join(t.pool, 'tfgrid-volumes', '2-huge'))).toBe(false); // nothing left behind
});

test('capacity admission: a deployment that does not fit is refused naming the resource, free never negative', async () => {
  const p = provisioner({ hw: hardware({ sru: 100 * MiB, mru: 2 * GiB }, { sru: 20 * MiB }) });
  await p.open();
  expect(p.free()).toMatchObject({ sru: 80 * MiB });
  const [a] = await p.apply(deployment(3, [volume('a', 50 * MiB)]));
  expect(a!.state).toBe('ok');
  // all or nothing: 20 + 20 MiB fits, 20 + 20 + 20 does not (30 MiB free)
  const states = await p.apply(deployment(4, [volume('b', 20 * MiB), volume('c', 20 * MiB)]));
  expect(states.map((s) => s.state)).toEqual(['error', 'error']);
  expect(states[0]!.reason).toBe('not enough free capacity on this node: sru needs 40.00 MiB, free 30.00 MiB');
  expect(p.free().sru).toBe(30 * MiB);
  expect(existsSync(path.join(t.pool, 'tfgrid-volumes', '4-b'))).toBe(false);
  // growing an existing volume past what is free keeps the old one, with the reason
  const [grown] = await p.apply(deployment(3, [volume('a', 200 * MiB, 1)], 1));
  expect(grown).toMatchObject({ state: 'ok', version: 0, used: { sru: 50 * MiB } });
  expect(grown!.reason).toMatch(
    /^update to version 1 refused: not enough free capacity on this node: sru needs 200.00 MiB, free 80.00 MiB$/,
  );
  // a smaller host (reserved above total) still reports zero, not negative, free capacity
  const q = provisioner({ hw: hardware({ sru: 10 * MiB }, { sru: 20 * MiB }) });
  await q.open();
  expect(q.free().sru).toBe(0);
  expect(Object.values(q.free()).every((v) => v >= 0)).toBe(true);
});

test('invalid data, unknown types and refusals land as error states with reasons', async () => {
  const p = provisioner();
  await p.open();
  const bad = { ...volume('bad', 0) };
  const weird = { version: 0, name: 'w', type: 'zdb', data: {}, metadata: '', description: '' } as never;
  const states = await p.apply(deployment(5, [bad, volume('fine', MiB), weird]));
  const by = Object.fromEntries(states.map((s) => [s.name, s]));
  expect(by.bad).toMatchObject({ state: 'error', reason: 'invalid workload: $.workloads[0].data.size must be a positive integer (bytes)' });
  expect(by.w!.state).toBe('error');
  expect(by.w!.reason).toMatch(/^invalid workload: \$\.workloads\[2\]\.type must be one of/);
  expect(by.fine!.state).toBe('ok');
  await p.refuse(6, "SIGNATURE_INVALID: the signature is not the contract twin's");
  expect(p.states(6)).toMatchObject([
    { name: DEPLOYMENT_STATE, state: 'error', reason: "SIGNATURE_INVALID: the signature is not the contract twin's" },
  ]);
  expect(p.contracts()).toEqual([5, 6]); // not deleted yet: remove() clears them
  await p.remove(6);
  expect(p.states(6)).toMatchObject([{ name: DEPLOYMENT_STATE, state: 'deleted' }]);
  expect(p.contracts()).toEqual([5]);
  // A node without storage pools refuses volumes, in words.
  const none = provisioner({ pools: [] });
  await expect(none.apply(deployment(12, [volume('v', MiB)]))).rejects.toThrow('the provisioner is not open: call open() first');
  await none.open();
  const [v] = await none.apply(deployment(12, [volume('v', MiB)]));
  expect(v).toMatchObject({ state: 'error', reason: 'no storage pool is configured on this node (--storage-pool)' });
});

test('updates: removed workloads are deprovisioned, new ones provisioned, a changed version resizes in place', async () => {
  const p = provisioner();
  await p.open();
  await p.apply(deployment(8, [volume('a', 8 * MiB), volume('b', 8 * MiB)]));
  const states = await p.apply(deployment(8, [volume('a', 16 * MiB, 1), volume('c', 4 * MiB)], 1));
  const by = Object.fromEntries(states.map((s) => [s.name, s]));
  expect(by.a).toMatchObject({ state: 'ok', version: 1, used: { sru: 16 * MiB } });
  expect(statSync(path.join(t.pool, 'tfgrid-volumes', '8-a', 'data.img')).size).toBe(16 * MiB);
  expect(by.b).toMatchObject({ state: 'deleted', reason: 'removed from the deployment' });
  expect(existsSync(path.join(t.pool, 'tfgrid-volumes', '8-b'))).toBe(false);
  expect(by.c!.state).toBe('ok');
  expect(p.used(8).sru).toBe(20 * MiB);
  // An invalid update is refused before anything is touched: the running version stays, with the reason.
  const [kept] = await p.apply(deployment(8, [volume('a', 0, 2), volume('c', 4 * MiB)], 2));
  expect(kept).toMatchObject({
    name: 'a',
    state: 'ok',
    version: 1,
    used: { sru: 16 * MiB },
    reason: 'update to version 2 refused: invalid workload: $.workloads[0].data.size must be a positive integer (bytes)',
  });
  expect(statSync(path.join(t.pool, 'tfgrid-volumes', '8-a', 'data.img')).size).toBe(16 * MiB);
});

test('states persist: a new Provisioner on the same data directory sees them, paused stays paused', async () => {
  const p = provisioner();
  await p.open();
  await p.apply(deployment(9, [volume('keep', 4 * MiB)]));
  await p.apply(deployment(10, [volume('rest', 4 * MiB)]));
  await p.pause(10);
  await p.stop();
  const q = provisioner();
  await q.open();
  expect(q.states(9)).toMatchObject([{ name: 'keep', state: 'ok', used: { sru: 4 * MiB } }]);
  expect(q.states(10)).toMatchObject([{ name: 'rest', state: 'paused' }]);
  expect(q.used(10).sru).toBe(4 * MiB); // paused still holds its capacity
  await q.recover();
  expect(q.states(10)[0]!.state).toBe('paused');
  await q.resume(10);
  expect(q.states(10)[0]!.state).toBe('ok');
  expect(q.contracts()).toEqual([9, 10]);
});

test('pool kinds: SSD pools are used first; a pool on this machine gets its kind from its disk', async () => {
  const other = path.join(t.root, 'other');
  mkdirSync(other);
  const pools = new StoragePools([{ path: t.pool, kind: 'hdd' }, other, { path: path.join(t.root, 'fast'), kind: 'ssd' }]);
  const list = pools.list();
  expect(list[0]!.kind).toBe('ssd');
  const rank = { ssd: 0, unknown: 1, hdd: 2 };
  expect(list.map((x) => rank[x.kind])).toEqual([...list.map((x) => rank[x.kind])].sort());
  expect(new StoragePools([{ path: t.pool, kind: 'hdd' }]).resource()).toBe('hru');
  // `other` is typed from the disk behind it: st_dev → /sys/dev/block → the disk → its rotational flag.
  const disk = diskOf(other);
  const found = list.find((x) => x.path === other)!;
  if (disk) {
    const rot = readFileSync(`/sys/block/${disk}/queue/rotational`, 'utf8').trim();
    expect(found).toEqual({ path: other, disk, kind: rot === '1' ? 'hdd' : 'ssd' });
  } else expect(found.kind).toBe('unknown');
  // Only HDD pools: volumes count as HRU.
  const p = provisioner({ pools: [{ path: t.pool, kind: 'hdd' }] });
  await p.open();
  const [s] = await p.apply(deployment(11, [volume('h', MiB)]));
  expect(s!.used).toEqual({ cru: 0, mru: 0, sru: 0, hru: MiB });
  // Pools of unknown kind (overlay, tmpfs) count as what the node has: HRU on an HDD-only node.
  const q = provisioner({ pools: [{ path: t.pool, kind: 'unknown' }], hw: hardware({ sru: 0 }) });
  await q.open();
  const [u] = await q.apply(deployment(12, [volume('u', MiB)]));
  expect(u!.used).toEqual({ cru: 0, mru: 0, sru: 0, hru: MiB });
});
