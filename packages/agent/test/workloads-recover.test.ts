/**
 * Agent crashes: the Provisioner runs in a child process that is SIGKILLed (its detached workload
 * processes outlive it); a new Provisioner on the same data directory must bring every ok workload
 * back without duplicates, keep paused ones paused, and never believe a half-done provision is ok.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync, readdirSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Workload } from '@tfgrid/client';
import { INTERRUPTED, INTERRUPTED_TWICE, workloadMark, ProcessRuntime, Provisioner } from '../src/workloads';
import { findMarked, isAlive, readStat, type WorkloadHandler, type WorkloadState } from '../src/core';
import { freePort, hardware, logger, tempRoot, until, waitServer } from './fixtures/workloads/helpers';

const REPO = path.resolve(__dirname, '../../..');
const CHILD = path.join(__dirname, 'fixtures/workloads/agent-child.ts');

let t: ReturnType<typeof tempRoot>;
let p: Provisioner | undefined;
let child: ChildProcess | undefined;

function startChild(args: string[]): { child: ChildProcess; ready: Promise<{ states: WorkloadState[] }> } {
  // tsx as a loader in this very process (its CLI would fork, and SIGKILL would reach only the wrapper).
  const c = spawn(process.execPath, ['--import', 'tsx', CHILD, t.dataDir, t.pool, ...args], {
    cwd: REPO,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  c.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const ready = new Promise<{ states: WorkloadState[] }>((resolve, reject) => {
    c.stdout!.on('data', (d: Buffer) => {
      out += d.toString();
      const line = out.split('\n').find((l) => l.startsWith('{'));
      if (line) resolve(JSON.parse(line));
    });
    c.once('exit', (code) => reject(new Error(`agent child exited ${code}: ${err}`)));
  });
  ready.catch(() => undefined); // killed on purpose in hang mode, where nobody awaits it
  return { child: c, ready };
}

async function kill9(c: ChildProcess): Promise<void> {
  const gone = new Promise((r) => c.once('exit', r));
  c.kill('SIGKILL');
  await gone;
}

function provisioner(handlers: WorkloadHandler[] = []): Provisioner {
  const log = logger();
  const runtime = new ProcessRuntime({
    dataDir: t.dataDir,
    logger: log,
    runAsUser: 'nobody',
    restartMinMs: 100,
    restartMaxMs: 1000,
    stopGraceMs: 2000,
  });
  return new Provisioner({
    dataDir: t.dataDir,
    hardware: hardware(),
    storagePools: [{ path: t.pool, kind: 'ssd' }],
    runtime,
    handlers,
    logger: log,
  });
}

beforeEach(() => (t = tempRoot('recover')));
afterEach(async () => {
  if (child && child.exitCode === null && child.signalCode === null) await kill9(child);
  await p?.stop();
  p = undefined;
  for (const id of ['31-web', '32-idle']) for (const pid of findMarked(workloadMark(t.dataDir, id))) process.kill(pid, 'SIGKILL');
  t.cleanup();
});

test('after a SIGKILLed agent: the old process is replaced (no duplicate), ok workloads run again, paused ones stay paused', async () => {
  const port = await freePort();
  const port2 = await freePort();
  const c = startChild(['vm', String(port), String(port2)]);
  child = c.child;
  const { states } = await c.ready;
  expect(states.map((s) => `${s.contractId}/${s.name}:${s.state}`).sort()).toEqual(['31/data:ok', '31/web:ok', '32/idle:paused']);
  const old = await waitServer(port);
  const oldIdle = findMarked(workloadMark(t.dataDir, '32-idle'));
  expect(oldIdle).toHaveLength(1);
  await kill9(c.child);
  // The workload processes outlive the agent: detached, in their own process groups.
  expect(isAlive(old.pid)).toBe(true);
  expect(readStat(oldIdle[0]!)!.state).toBe('T');

  p = provisioner();
  await p.open();
  expect(p.states(31).map((s) => s.state)).toEqual(['ok', 'ok']);
  await p.recover();
  const now = await waitServer(port, (b) => b.pid !== old.pid);
  expect(isAlive(old.pid)).toBe(false);
  expect(findMarked(workloadMark(t.dataDir, '31-web'))).toEqual([now.pid]); // exactly one server process
  expect(p.states(31).map((s) => s.state)).toEqual(['ok', 'ok']);
  expect(p.states(31).find((s) => s.name === 'web')!.result!.pid).toBe(now.pid);
  expect(readFileSync(path.join(p.states(31).find((s) => s.name === 'data')!.result!.path as string, 'hello.txt'), 'utf8')).toBe('hi');
  // Paused: the stopped leftover is gone and nothing runs until resume.
  expect(p.states(32)[0]!.state).toBe('paused');
  expect(isAlive(oldIdle[0]!)).toBe(false);
  expect(findMarked(workloadMark(t.dataDir, '32-idle'))).toEqual([]);
  await p.resume(32);
  const idle = await waitServer(port2);
  expect(findMarked(workloadMark(t.dataDir, '32-idle'))).toEqual([idle.pid]);
  expect(p.usedTotal().cru).toBe(2);
});

/** The gateway handler the restarted agent has: provisions at once, records cleanups. */
function gatewayHandler(cleaned: string[]): WorkloadHandler {
  return {
    type: 'gateway-name-proxy',
    needs: () => ({ cru: 0, mru: 0, sru: 0, hru: 0 }),
    provision: async (w: Workload) => ({ fqdn: `${(w.data as { name: string }).name}.gw.example` }),
    deprovision: async (s) => void cleaned.push(s.name),
    pause: async () => undefined,
    resume: async () => undefined,
  };
}

/** Runs the agent child in `hang` mode until its gateway provision is under way, then SIGKILLs it. */
async function killMidProvision(): Promise<void> {
  const marker = path.join(t.dataDir, 'provisioning-site');
  rmSync(marker, { force: true });
  const c = startChild(['hang']);
  child = c.child;
  await until('the hanging provision', () => (existsSync(marker) ? true : undefined), 20_000, 50);
  await kill9(c.child);
}

test('an agent killed in the middle of provisioning never leaves an ok state for it; recover retries it', async () => {
  await killMidProvision();
  const cleaned: string[] = [];
  p = provisioner([gatewayHandler(cleaned)]);
  await p.open();
  expect(p.states(33).find((s) => s.name === 'site')).toMatchObject({
    state: 'error',
    reason: INTERRUPTED,
    code: 'INTERRUPTED',
    used: { cru: 0, mru: 0, sru: 0, hru: 0 },
  });
  expect(p.states(33).find((s) => s.name === 'data')!.state).toBe('ok'); // finished before the kill
  expect(readdirSync(path.join(t.dataDir, 'workload-states'))).toEqual(['000000000033.json']);
  await p.recover();
  expect(p.states(33).find((s) => s.name === 'site')).toMatchObject({ state: 'ok', result: { fqdn: 'site.gw.example' } });
  expect(cleaned).toEqual([]);
});

test('a provision that kills the agent again when retried at start is left in error (no crash loop) until a new version', async () => {
  await killMidProvision();
  await killMidProvision(); // the restarted agent retries it in recover() and dies in it again
  const cleaned: string[] = [];
  p = provisioner([gatewayHandler(cleaned)]);
  await p.open();
  expect(p.states(33).find((s) => s.name === 'site')).toMatchObject({
    state: 'error',
    reason: INTERRUPTED_TWICE,
    code: 'INTERRUPTED_TWICE',
  });
  await p.recover();
  expect(cleaned).toEqual(['site']);
  const rec = JSON.parse(readFileSync(path.join(t.dataDir, 'workload-states', '000000000033.json'), 'utf8'));
  const same = await p.apply({ contractId: 33, twinId: 7, hash: rec.hash, deployment: rec.deployment });
  expect(same.find((s) => s.name === 'site')).toMatchObject({ state: 'error', reason: INTERRUPTED_TWICE });
  const next = structuredClone(rec.deployment);
  next.version = 1;
  next.workloads.find((w: Workload) => w.name === 'site').version = 1;
  const states = await p.apply({ contractId: 33, twinId: 7, hash: rec.hash, deployment: next });
  expect(Object.fromEntries(states.map((s) => [s.name, [s.state, s.version]]))).toEqual({ data: ['ok', 0], site: ['ok', 1] });
});
