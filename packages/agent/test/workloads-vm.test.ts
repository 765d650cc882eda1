/** vm workloads on the process runtime: a real node HTTP server per workload, paused, resumed, crashed, removed. */
import { existsSync, readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { ProcessRuntime, Provisioner } from '../src/workloads';
import { findMarked, isAlive, readStat, type WorkloadState } from '../src/core';
import {
  GiB,
  MiB,
  deployment,
  freePort,
  get,
  hardware,
  logger,
  serverEntrypoint,
  tempRoot,
  until,
  vm,
  volume,
  waitServer,
} from './fixtures/workloads/helpers';

let t: ReturnType<typeof tempRoot>;
let runtime: ProcessRuntime;
let p: Provisioner;

function make(): Provisioner {
  const log = logger();
  runtime = new ProcessRuntime({
    dataDir: t.dataDir,
    logger: log,
    runAsUser: 'nobody',
    restartMinMs: 100,
    restartMaxMs: 1000,
    stopGraceMs: 2000,
    logCheckMs: 200,
    logMaxBytes: 4096,
  });
  return new Provisioner({ dataDir: t.dataDir, hardware: hardware(), storagePools: [{ path: t.pool, kind: 'ssd' }], runtime, logger: log });
}

/** Live processes whose process group is `pgid`. */
function group(pgid: number): number[] {
  return readdirSync('/proc')
    .filter((n) => /^\d+$/.test(n))
    .map(Number)
    .filter((pid) => readStat(pid)?.pgrp === pgid && isAlive(pid));
}

beforeEach(async () => {
  t = tempRoot('vm');
  p = make();
  await p.open();
});
afterEach(async () => {
  await p.stop();
  t.cleanup();
});

test('a vm runs its entrypoint with its env and mounted volume, unprivileged, in its own directory; capacity counted', async () => {
  const port = await freePort();
  const [vol, s] = await p.apply(
    deployment(21, [
      volume('data', 8 * MiB),
      vm('web', {
        compute_capacity: { cpu: 2, memory: 512 * MiB },
        entrypoint: serverEntrypoint(),
        env: { PORT: String(port), GREETING: 'hello' },
        mounts: [{ name: 'data', mountpoint: '/data' }],
      }),
    ]),
  );
  expect(vol!.state).toBe('ok');
  expect(s).toMatchObject({ name: 'web', state: 'ok', used: { cru: 2, mru: 512 * MiB, sru: 2 * GiB, hru: 0 } });
  const r = await waitServer(port);
  expect(r.pid).toBe(s!.result!.pid);
  expect(r.greeting).toBe('hello');
  const home = path.join(t.dataDir, 'workloads', '21-web', 'home');
  expect(r.cwd).toBe(home);
  expect(r.dir).toBe(home);
  expect(r.mount).toBe(vol!.result!.path);
  expect(readFileSync(path.join(vol!.result!.path as string, 'hello.txt'), 'utf8')).toBe('hi');
  if (process.getuid?.() === 0) expect(r.uid).toBe(65534); // runAsUser nobody
  expect(s!.result).toMatchObject({
    runtime: 'process',
    log: path.join(t.dataDir, 'workloads', '21-web', 'log'),
    mounts: [{ name: 'data', mountpoint: '/data', path: vol!.result!.path }],
  });
  expect(p.used(21)).toEqual({ cru: 2, mru: 512 * MiB, sru: 2 * GiB + 8 * MiB, hru: 0 });
  expect(readFileSync(path.join(t.dataDir, 'workloads', '21-web', 'log'), 'utf8')).toMatch(/starting \(restart 0\)/);
});

test('pause stops the whole process group (state T, requests time out); resume continues it', async () => {
  const port = await freePort();
  const [s] = await p.apply(deployment(22, [vm('web', { entrypoint: serverEntrypoint(), env: { PORT: String(port) } })]));
  const { pid } = await waitServer(port);
  await p.pause(22);
  expect(p.states(22)[0]!.state).toBe('paused');
  expect(runtime.status('22-web')).toBe('paused');
  await until('state T', () => (readStat(pid)?.state === 'T' ? true : undefined), 5000, 50);
  await expect(get(port, '/', 500)).rejects.toThrow('timeout');
  await p.resume(22);
  expect(p.states(22)[0]!.state).toBe('ok');
  expect((await waitServer(port)).pid).toBe(pid);
  expect(s!.result!.pid).toBe(pid);
});

test('a crashed process is restarted (new pid, same workload), the log keeps both runs and is rotated once past its cap', async () => {
  const port = await freePort();
  await p.apply(deployment(23, [vm('web', { entrypoint: serverEntrypoint(), env: { PORT: String(port) } })]));
  const first = await waitServer(port);
  await get(port, '/crash');
  const second = await waitServer(port, (b) => b.pid !== first.pid);
  expect(isAlive(first.pid)).toBe(false);
  expect(runtime.info('23-web')).toMatchObject({ pid: second.pid, restarts: 1, lastExit: { code: 3 } });
  expect(p.states(23)[0]!.state).toBe('ok');
  const log = path.join(t.dataDir, 'workloads', '23-web', 'log');
  expect(readFileSync(log, 'utf8')).toMatch(/exited code=3/);
  // A chattier run passes the log's 4 KiB cap: it is copied to log.1 and truncated, once.
  await p.apply(deployment(23, [vm('web', { entrypoint: serverEntrypoint(), env: { PORT: String(port), SPAM: '6000' } }, 1)], 1));
  await until('log.1', () => (existsSync(`${log}.1`) ? true : undefined), 5000, 50);
  expect(statSync(`${log}.1`).size).toBeGreaterThan(4096);
  expect(readFileSync(`${log}.1`, 'utf8')).toMatch(/exited code=3/);
  expect(statSync(log).size).toBeLessThan(4096);
  expect(
    readdirSync(path.dirname(log))
      .filter((f) => f.startsWith('log'))
      .sort(),
  ).toEqual(['log', 'log.1']);
});

test('remove kills the process group (a background child too) and frees the volume and the capacity', async () => {
  const port = await freePort();
  const [vol, s] = await p.apply(
    deployment(24, [
      volume('data', 8 * MiB),
      vm('web', {
        entrypoint: serverEntrypoint('sleep 1000 & '),
        env: { PORT: String(port) },
        mounts: [{ name: 'data', mountpoint: '/data' }],
      }),
    ]),
  );
  const { pid } = await waitServer(port);
  const members = group(pid);
  expect(members.length).toBeGreaterThanOrEqual(2); // node and the background sleep
  await p.remove(24);
  for (const m of members) expect(isAlive(m)).toBe(false);
  expect(findMarked(runtime.mark('24-web'))).toEqual([]);
  expect(existsSync(vol!.result!.path as string)).toBe(false);
  expect(existsSync(path.join(t.dataDir, 'workloads', '24-web'))).toBe(false);
  expect(p.states(24).map((x: WorkloadState) => x.state)).toEqual(['deleted', 'deleted']);
  expect(p.used(24)).toEqual({ cru: 0, mru: 0, sru: 0, hru: 0 });
  expect(s!.state).toBe('ok');
  await expect(get(port, '/', 500)).rejects.toThrow();
});

test('a changed version restarts the vm with its new env; a vm without entrypoint or with a missing volume is an error', async () => {
  const port = await freePort();
  await p.apply(deployment(25, [vm('web', { entrypoint: serverEntrypoint(), env: { PORT: String(port), GREETING: 'one' } })]));
  const one = await waitServer(port);
  expect(one.greeting).toBe('one');
  await p.apply(deployment(25, [vm('web', { entrypoint: serverEntrypoint(), env: { PORT: String(port), GREETING: 'two' } }, 1)], 1));
  const two = await waitServer(port, (b) => b.greeting === 'two');
  expect(isAlive(one.pid)).toBe(false);
  expect(findMarked(runtime.mark('25-web'))).toEqual([two.pid]);
  const states = await p.apply(
    deployment(26, [vm('bare', {}), vm('lost', { entrypoint: 'true', mounts: [{ name: 'nope', mountpoint: '/x' }] })]),
  );
  const by = Object.fromEntries(states.map((x) => [x.name, x]));
  expect(by.bare).toMatchObject({
    state: 'error',
    reason: 'the vm has no entrypoint: the process runtime runs the entrypoint only (flists are not booted)',
  });
  expect(by.lost).toMatchObject({
    state: 'error',
    reason: "invalid workload: $.workloads[1].data.mounts[0].name no volume or zmount named 'nope' in this deployment",
  });
  expect(p.used(26)).toEqual({ cru: 0, mru: 0, sru: 0, hru: 0 });
});

test('stop() ends the processes but keeps the states; a new Provisioner recovers them (paused stays paused)', async () => {
  const port = await freePort();
  const port2 = await freePort();
  await p.apply(deployment(27, [vm('web', { entrypoint: serverEntrypoint(), env: { PORT: String(port) } })]));
  await p.apply(deployment(28, [vm('idle', { entrypoint: serverEntrypoint(), env: { PORT: String(port2) } })]));
  const before = await waitServer(port);
  await waitServer(port2);
  await p.pause(28);
  await p.stop();
  expect(isAlive(before.pid)).toBe(false);
  expect(findMarked(runtime.mark('28-idle'))).toEqual([]);
  p = make();
  await p.open();
  expect(p.states(27)[0]!.state).toBe('ok');
  await p.recover();
  const after = await waitServer(port);
  expect(after.pid).not.toBe(before.pid);
  expect(p.states(28)[0]!.state).toBe('paused');
  expect(runtime.status('28-idle')).toBe('paused');
  expect(findMarked(runtime.mark('28-idle'))).toEqual([]); // paused and not running: nothing started
  await p.resume(28);
  await waitServer(port2);
  expect(p.states(28)[0]!.state).toBe('ok');
});
