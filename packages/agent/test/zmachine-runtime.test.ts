/**
 * zmachines on the runc runtime, for real: busybox containers on a bridge of this file's own,
 * reached on their node-local address, isolated (namespaces, capabilities, read-only image,
 * size-limited writable layer), limited (memory → OOM kill reported, CPU quota read back),
 * paused through the freezer, restarted after a crash, logs rotated, removed without a trace.
 */
import { existsSync, mkdirSync, readFileSync, statSync, statfsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { Workload } from '@tfgrid/client';
import { readLimits, RuncRuntime, type Provisioner } from '../src/workloads';
import type { WorkloadState } from '../src/core';
import { machineKey } from '../src/workloads/runc';
import type { ImageStore } from '../src/workloads/images';
import { MiB, deployment, logger, tempRoot, until, volume } from './fixtures/workloads/helpers';
import { httpGet, inside, serveBusyboxImage } from '@tfgrid/testkit';
import { deleteLink, links, mountsUnder, namespaces, procStatus, runc, runcProvisioner, zmachine } from './fixtures/zmachine/helpers';

jest.setTimeout(120_000);

// Names of this file only, so test files running in parallel never meet.
const BRIDGE = 'tfzrt-br';
const SUBNET = '10.249.211.0/24';

let t: ReturnType<typeof tempRoot>;
let runtime: RuncRuntime;
let p: Provisioner;
let rootfs: string;
let served: Awaited<ReturnType<typeof serveBusyboxImage>>;
let images: ImageStore;
const contracts: number[] = [];

async function apply(contractId: number, workloads: Workload[]): Promise<Record<string, WorkloadState>> {
  contracts.push(contractId);
  const states = await p.apply(deployment(contractId, workloads));
  return Object.fromEntries(states.map((s) => [s.name, s]));
}

function state(contractId: number, name: string): WorkloadState {
  return p.states(contractId).find((s) => s.name === name)!;
}

const statfsFree = (dir: string) => {
  const s = statfsSync(dir);
  return s.bavail * s.bsize;
};
const pidOf = (id: string) => runtime.info(id)!.pid!;
const runcRoot = () => path.join(t.dataDir, 'runc');

beforeAll(async () => {
  t = tempRoot('zmachine');
  served = await serveBusyboxImage(t.root);
  ({ runtime, provisioner: p, images } = runcProvisioner({ dataDir: t.dataDir, pool: t.pool, bridge: BRIDGE, subnet: SUBNET }));
  await p.open();
});

afterAll(async () => {
  for (const c of contracts) await p.remove(c);
  await p.stop();
  // Whatever a failed test left: containers, mounts, the bridge.
  for (const c of JSON.parse(runc(runcRoot(), 'list', '--format', 'json')) ?? [])
    runc(runcRoot(), 'delete', '--force', (c as { id: string }).id);
  deleteLink(BRIDGE);
  await served.close();
  t.cleanup();
});

test('a busybox zmachine serves HTTP on its node-local address, sees only itself, cannot write its image, sees its volume', async () => {
  const entry = 'mkdir -p /www; echo hello > /www/index.html; echo from-inside > /data/v.txt; exec httpd -f -p 80 -h /www';
  const s = await apply(41, [
    volume('data', 16 * MiB),
    zmachine(served.image, 'web', entry, { mounts: [{ name: 'data', mountpoint: '/data' }] }),
  ]);
  expect(s.data!.state).toBe('ok');
  expect(s.web).toMatchObject({
    state: 'ok',
    result: { runtime: 'runc', addresses: { node_local: expect.stringMatching(/^10\.249\.211\.\d+$/) } },
  });
  const ip = (s.web!.result!.addresses as { node_local: string }).node_local;
  expect(await until('httpd answers', () => httpGet(ip, 80).catch(() => undefined), 20_000, 50)).toBe('hello\n');

  const id = '41-web';
  rootfs = await images.ensure(served.image); // cached: the machine runs on this very directory
  const pid = pidOf(id);
  // Own pid, mount, uts, ipc and network namespaces.
  const host = namespaces('self');
  const ns = namespaces(pid);
  for (const n of ['pid', 'mnt', 'uts', 'ipc', 'net']) expect(ns[n]).not.toBe(host[n]);
  // ps inside: httpd is pid 1, and nothing of the host is visible.
  const ps = inside(runcRoot(), id, 'ps -o pid,comm');
  expect(ps.ok).toBe(true);
  const rows = ps.out
    .trim()
    .split('\n')
    .slice(1)
    .map((l) => l.trim().split(/\s+/));
  expect(rows).toContainEqual(['1', 'httpd']);
  expect(rows.length).toBeLessThanOrEqual(3); // httpd, the exec'd shell, ps
  // runc's default capabilities (AUDIT_WRITE, KILL, NET_BIND_SERVICE) and no-new-privileges.
  const st = procStatus(pid);
  expect(BigInt(`0x${st.CapEff}`)).toBe((1n << 29n) | (1n << 5n) | (1n << 10n));
  expect(BigInt(`0x${st.CapBnd}`)).toBe((1n << 29n) | (1n << 5n) | (1n << 10n));
  expect(st.NoNewPrivs).toBe('1');
  // Only lo and eth0 in its network namespace.
  const ifaces = inside(runcRoot(), id, 'ls /sys/class/net').out.trim().split(/\s+/).sort();
  expect(ifaces).toEqual(['eth0', 'lo']);

  // Writes land in its own layer, never in the image; the layer holds its size.
  expect(inside(runcRoot(), id, 'echo x > /bin/new-file && cat /bin/new-file').out).toBe('x\n');
  expect(existsSync(path.join(rootfs, 'bin', 'new-file'))).toBe(false);
  expect(existsSync(path.join(rootfs, 'www', 'index.html'))).toBe(false);
  const fill = inside(runcRoot(), id, 'dd if=/dev/zero of=/fill bs=1M count=64');
  expect(fill.ok).toBe(false);
  expect(fill.out).toMatch(/No space left on device/);
  inside(runcRoot(), id, 'rm /fill');

  // The volume is at its mountpoint, the same files as the node's volume directory.
  const volDir = s.data!.result!.path as string;
  expect(readFileSync(path.join(volDir, 'v.txt'), 'utf8')).toBe('from-inside\n');
  writeFileSync(path.join(volDir, 'from-host.txt'), 'host');
  expect(inside(runcRoot(), id, 'cat /data/from-host.txt').out).toBe('host');
  // Writing past the volume's size fails inside; the pool keeps only the volume's own file.
  const poolBefore = statfsFree(t.pool);
  const over = inside(runcRoot(), id, 'dd if=/dev/zero of=/data/fill bs=1M count=64');
  expect(over.ok).toBe(false);
  expect(over.out).toMatch(/No space left on device/);
  expect(poolBefore - statfsFree(t.pool)).toBeLessThan(4 * MiB);
});

test("a zmount is the machine's own ext4 disk at its mountpoint; an update with more memory restarts it with the new limit", async () => {
  const w = (memory: number, version: number) =>
    zmachine(
      served.image,
      'disk',
      'echo on-disk > /disk/f; exec sleep 1000',
      { compute_capacity: { cpu: 1, memory }, mounts: [{ name: 'scratch', mountpoint: '/disk' }] },
      version,
    );
  contracts.push(47);
  const zm: Workload = { version: 0, name: 'scratch', type: 'zmount', data: { size: 16 * MiB }, metadata: '', description: '' };
  const first = Object.fromEntries((await p.apply(deployment(47, [zm, w(256 * MiB, 0)]))).map((x) => [x.name, x]));
  expect(first.disk!.state).toBe('ok');
  const dir = first.scratch!.result!.path as string;
  await until('file on the zmount', () => (existsSync(path.join(dir, 'f')) ? true : undefined), 15_000, 50);
  expect(readFileSync(path.join(dir, 'f'), 'utf8')).toBe('on-disk\n');
  expect(inside(runcRoot(), '47-disk', 'grep " /disk " /proc/mounts').out).toMatch(/ \/disk ext4 rw/);
  const before = pidOf('47-disk');
  const updated = (await p.apply(deployment(47, [zm, w(512 * MiB, 1)], 1))).find((x) => x.name === 'disk')!;
  expect(updated).toMatchObject({ state: 'ok', version: 1, result: { limits: { memory: 512 * MiB } } });
  expect(pidOf('47-disk')).not.toBe(before);
  expect(readLimits(pidOf('47-disk')).memory).toBe(512 * MiB);
  await p.remove(47);
});

test('memory: a process allocating past compute_capacity.memory is OOM-killed and the state says so; the CPU quota is read back', async () => {
  // A pipe into tail buffers forever (no newline in /dev/zero): it grows until the limit.
  const s = await apply(42, [
    zmachine(served.image, 'hog', '(sleep 1; cat /dev/zero | tail) & mkdir -p /www; exec httpd -f -p 80 -h /www', {
      compute_capacity: { cpu: 2, memory: 256 * MiB },
    }),
  ]);
  expect(s.hog!.state).toBe('ok');
  expect(s.hog!.result).toMatchObject({ limits: { memory: 256 * MiB, cpu_quota_us: 200_000, cpu_period_us: 100_000 } });
  const limits = readLimits(pidOf('42-hog'));
  expect(limits).toMatchObject({ cgroup: 'v1', memory: 256 * MiB, cpuQuotaUs: 200_000, cpuPeriodUs: 100_000 });
  const reason = await until(
    'OOM reported',
    () => (/out of memory/.test(state(42, 'hog').reason ?? '') ? state(42, 'hog').reason : undefined),
    30_000,
    50,
  );
  expect(reason).toMatch(/^out of memory: the kernel killed a process of this machine at its 256\.00 MiB limit/);
  expect(state(42, 'hog').state).toBe('ok'); // httpd (pid 1) lives on
  expect(runtime.info('42-hog')!.ooms).toBeGreaterThanOrEqual(1);
  await until('the hog is gone', () => (/tail/.test(inside(runcRoot(), '42-hog', 'ps -o comm,stat').out) ? undefined : true), 15_000, 50);
});

test('pause freezes the machine (a counter inside stops), resume continues it', async () => {
  const s = await apply(43, [zmachine(served.image, 'count', 'i=0; while true; do i=$((i+1)); echo $i > /tmp/count; sleep 0.05; done')]);
  expect(s.count!.state).toBe('ok');
  // The machine's writable layer, seen from the node.
  const counter = path.join(runtime.bundle('43-count'), 'layer', 'upper', 'tmp', 'count');
  const read = () => Number(readFileSync(counter, 'utf8').trim() || 0);
  await until('counter runs', () => (existsSync(counter) && read() > 3 ? true : undefined), 15_000, 50);
  await p.pause(43);
  expect(state(43, 'count').state).toBe('paused');
  expect(JSON.parse(runc(runcRoot(), 'state', '43-count')).status).toBe('paused');
  const frozen = read();
  await new Promise((r) => setTimeout(r, 500));
  expect(read()).toBe(frozen);
  await p.resume(43);
  expect(state(43, 'count').state).toBe('ok');
  await until('counter continues', () => (read() > frozen + 3 ? true : undefined), 15_000, 50);
});

test('a crashing machine is restarted with backoff and the state says why; its stdout/stderr are kept and rotated', async () => {
  const noisy =
    'i=0; while [ $i -lt 200 ]; do echo "line $i of a chatty machine........................"; i=$((i+1)); done; echo oops >&2; exit 3';
  const s = await apply(44, [zmachine(served.image, 'crashy', noisy)]);
  expect(s.crashy!.state).toBe('ok');
  await until('restarts', () => (runtime.info('44-crashy')!.restarts >= 3 ? true : undefined), 30_000, 50);
  expect(state(44, 'crashy')).toMatchObject({
    state: 'ok',
    reason: expect.stringMatching(/^the machine's command exited after \d+ s; restarting in/),
  });
  const log = runtime.logFile('44-crashy');
  await until('log rotated', () => (existsSync(`${log}.1`) ? true : undefined), 15_000, 50);
  expect(readFileSync(`${log}.1`, 'utf8')).toMatch(/line \d+ of a chatty machine/);
  expect(statSync(`${log}.1`).size).toBeGreaterThan(4096);
  await p.remove(44);
  expect(runtime.status('44-crashy')).toBe('unknown');
});

test('a Zero-OS flist is refused with what to give instead; no entrypoint is refused', async () => {
  const flist: Workload = {
    version: 0,
    name: 'old',
    type: 'vm',
    data: {
      flist: 'https://hub.grid.tf/tf-official-apps/base:latest.flist',
      compute_capacity: { cpu: 1, memory: 256 * MiB },
      entrypoint: 'sleep 1',
    },
    metadata: '',
    description: '',
  };
  const s = await apply(45, [flist, zmachine(served.image, 'bare', '')]);
  expect(s.old).toMatchObject({
    state: 'error',
    reason: expect.stringMatching(
      /is a Zero-OS flist, which this node cannot run: give the zmachine an image instead, image: \{url, sha256\}/,
    ),
  });
  expect(s.bare).toMatchObject({ state: 'error', reason: expect.stringMatching(/no entrypoint/) });
  expect(p.used(45)).toEqual({ cru: 0, mru: 0, sru: 0, hru: 0 });
});

test('limits that cannot be read back refuse the start, with the reason, and leave no container', async () => {
  // A cgroup root holding none of the machine's files: what a host whose kernel ignores the limits looks like to the check.
  const dataDir = path.join(t.root, 'strict');
  const fake = path.join(t.root, 'no-cgroups');
  mkdirSync(fake, { recursive: true });
  const strict = new RuncRuntime({ dataDir, logger: logger(), images, bridge: 'tfzrt-b2', subnet: '10.249.213.0/24', cgroupRoot: fake });
  try {
    const spec = {
      id: '48-strict',
      command: 'exec sleep 1000',
      env: {},
      cpu: 1,
      memory: 256 * MiB,
      mounts: [],
      image: served.image,
      rootSize: 16 * MiB,
    };
    await expect(strict.start(spec)).rejects.toMatchObject({
      code: 'limits-not-applied',
      message: expect.stringMatching(
        /^the machine's limits did not apply, so it was not started: memory limit is unreadable in the v1 cgroup, wanted 268435456/,
      ),
    });
    expect(JSON.parse(runc(path.join(dataDir, 'runc'), 'list', '--format', 'json')) ?? []).toEqual([]);
    await strict.remove('48-strict');
    expect(mountsUnder(dataDir)).toEqual([]);
  } finally {
    await strict.close();
    deleteLink('tfzrt-b2');
  }
});

test('cancel leaves nothing in runc list, mount or ip link', async () => {
  const s = await apply(46, [
    volume('data', 16 * MiB),
    zmachine(served.image, 'gone', 'mkdir -p /www; exec httpd -f -p 80 -h /www', { mounts: [{ name: 'data', mountpoint: '/data' }] }),
  ]);
  expect(s.gone!.state).toBe('ok');
  const bundle = runtime.bundle('46-gone');
  expect(mountsUnder(bundle).length).toBeGreaterThanOrEqual(2); // layer + overlay
  // This machine's own host veth and namespace (other tests' machines come and go meanwhile).
  const key = machineKey(t.dataDir, '46-gone');
  expect(links(`tfv${key}`)).toHaveLength(1);
  expect(existsSync(`/run/netns/tfz-${key}`)).toBe(true);
  await p.remove(46);
  const ids = ((JSON.parse(runc(runcRoot(), 'list', '--format', 'json')) ?? []) as { id: string }[]).map((c) => c.id);
  expect(ids).not.toContain('46-gone');
  expect(mountsUnder(bundle)).toEqual([]);
  expect(existsSync(bundle)).toBe(false);
  expect(links(`tfv${key}`)).toEqual([]);
  expect(existsSync(`/run/netns/tfz-${key}`)).toBe(false);
  expect(state(46, 'gone').state).toBe('deleted');
});
