/**
 * A grid whose process was SIGKILLed leaves its agent running in its namespace, the namespace,
 * the bridge and its lock. While the owner lives its subnet is refused; once it is gone the next
 * claim of the subnet removes all of it first.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { SERVER_FIXTURE } from '@tfgrid/testkit';
import { claimSubnet, LOCK_DIR, listLinks, listNamespaces, LocalGridError, pidsIn } from '../src';

jest.setTimeout(120_000);

const FIXTURE_ROOT = SERVER_FIXTURE;
const ROOT = path.resolve(__dirname, '..', '..', '..');
let dir: string;
let child: ChildProcess | undefined;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'lgk-'));
});

afterAll(() => {
  child?.kill('SIGKILL');
  rmSync(dir, { recursive: true, force: true });
});

/** Running: a zombie (killed, its new parent not having reaped it yet) counts as gone. */
const alive = (pid: number): boolean => {
  try {
    return !/^\d+ \(.*\) Z/.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
};

test('a killed run is cleared by the next claim of its subnet; a live one is refused', async () => {
  const script = `require('@tfgrid/localgrid').startLocalGrid(${JSON.stringify({ nodes: 1, dataDir: dir, hardwareRoot: FIXTURE_ROOT, planetary: false, logLevel: 'warn' })})
    .then((g) => console.log('UP ' + g.subnet + ' ' + g.nodes[0].pid + ' ' + g.nodes[0].ns), (e) => { console.error(e.message); process.exit(1); });`;
  const c = (child = spawn(process.execPath, ['-r', 'tsx/cjs', '-e', script], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] }));
  let out = '';
  c.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  c.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const line = await new Promise<string>((resolve, reject) => {
    c.stdout!.on('data', () => {
      const m = /UP .*\n/.exec(out);
      if (m) resolve(m[0]);
    });
    c.once('exit', () => reject(new Error(`grid process ended: ${out.slice(-500)}`)));
  });
  const [, subnetText, pidText, ns] = line.trim().split(' ');
  const subnet = Number(subnetText);
  const agentPid = Number(pidText);
  expect(alive(agentPid)).toBe(true);

  // Its owner lives: the subnet is refused with the owner's pid.
  let refusal: unknown;
  try {
    claimSubnet(subnet).release();
  } catch (e) {
    refusal = e;
  }
  expect(refusal).toBeInstanceOf(LocalGridError);
  expect(refusal).toMatchObject({ code: 'subnet-busy', message: expect.stringContaining(`pid ${c.pid}`) });

  c.kill('SIGKILL');
  await new Promise((r) => c.once('exit', r));
  child = undefined;
  // What the killed run left: its agent still running inside its namespace, the namespace, the bridge, the lock.
  expect(alive(agentPid)).toBe(true);
  expect(pidsIn(ns!)).toContain(agentPid);
  expect(listLinks()).toContain(`lg${subnet}br`);
  expect(existsSync(path.join(LOCK_DIR, `${subnet}.pid`))).toBe(true);

  const claim = claimSubnet(subnet);
  try {
    expect(claim.subnet).toBe(subnet);
    expect(alive(agentPid)).toBe(false);
    expect(listNamespaces().filter((n) => n.startsWith(`lg${subnet}-`))).toEqual([]);
    expect(listLinks().filter((l) => l.startsWith(`lg${subnet}`))).toEqual([]);
  } finally {
    claim.release();
  }
  expect(existsSync(path.join(LOCK_DIR, `${subnet}.pid`))).toBe(false);
});
