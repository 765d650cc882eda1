/**
 * `npm start`'s script with a temp data dir and free ports: the chain, the explorer and the agent
 * come up (the explorer lists this machine's node), a second instance on the same data directory
 * is refused naming the directory and the holder's pid, SIGINT stops all three cleanly, and a
 * second start resumes the same chain, farm and node (taking over a stale lock).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { DataDirLockedError, lockDataDir } from '../../../scripts/start-lock';
import { until } from './helpers';
import { interrupt, ROOT, startArgs, startEnv, startSystem } from './npm-start';

jest.setTimeout(180_000);

let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'tfgrid-start-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const start = () => startSystem(dir);

test('starts chain, explorer and agent; SIGINT stops them; a second start resumes', async () => {
  const first = await start();
  expect(first.out()).toMatch(/farm 1 "devfarm" created by \/\/Alice/);
  expect(first.out()).toMatch(/Swagger UI http:\/\/127\.0\.0\.1:\d+\/swagger/);
  // The chain answers over HTTP JSON-RPC, the explorer lists the node, the agent serves metrics.
  const rpc = await fetch(first.urls.chain.replace('ws://', 'http://'), {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ id: 1, jsonrpc: '2.0', method: 'system_chain', params: [] }),
  });
  expect(((await rpc.json()) as { result: string }).result).toBe('Development');
  const node = await until(
    'the explorer to list the node',
    async () => {
      const r = await fetch(`${first.urls.explorer}/nodes?node_id=${first.nodeId}`);
      const list = (await r.json()) as { nodeId: number; status: string; total_resources: { cru: number } }[];
      return list[0]?.status === 'up' ? list[0] : undefined;
    },
    60_000,
    500,
  );
  expect(node.total_resources.cru).toBeGreaterThan(0);
  const metrics = await (await fetch(first.urls.metrics)).text();
  expect(metrics).toContain(`tfgrid_agent_node_id ${first.nodeId}`);

  // A second instance on the same data directory is refused before it opens anything, naming both.
  const twice = spawnSync(process.execPath, startArgs(dir), { cwd: ROOT, env: startEnv(), encoding: 'utf8', timeout: 60_000 });
  expect(twice.status).toBe(1);
  expect(twice.stderr).toContain(`another instance (pid ${first.child.pid}) holds the data directory ${dir}`);
  expect(first.child.exitCode).toBeNull();

  expect(await interrupt(first)).toBe(0);
  expect(first.out()).toMatch(/stopped\s*$/);
  await expect(fetch(first.urls.explorer + '/ping', { signal: AbortSignal.timeout(2000) })).rejects.toThrow();
  const lock = path.join(dir, 'start.lock');
  expect(existsSync(lock)).toBe(false);

  // A lock left by a process that is gone (kill -9, reboot) is taken over.
  const gone = spawnSync(process.execPath, ['-e', ''], { timeout: 10_000 }).pid!;
  writeFileSync(lock, JSON.stringify({ pid: gone }));
  const second = await start();
  expect(second.out()).toContain(`took over the stale lock of pid ${gone}`);
  expect(second.out()).toMatch(/resumed the persisted chain/);
  expect(second.out()).toMatch(/farm 1 "devfarm" found/);
  expect(second.out()).toMatch(/registered\s+twinId=\d+ nodeId=\d+ actions=\[\]/);
  expect(second.nodeId).toBe(first.nodeId);
  expect(await interrupt(second)).toBe(0);
});

describe('the data directory lock (scripts/start-lock.ts)', () => {
  const sleepers: ChildProcess[] = [];
  afterAll(() => sleepers.forEach((c) => c.kill('SIGKILL')));

  /** A live process whose command line says `start` (an npm start) or not (a pid reused by something else). */
  const live = async (looksLikeStart: boolean): Promise<number> => {
    const c = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)', ...(looksLikeStart ? ['scripts/start.ts'] : [])], {
      stdio: 'ignore',
    });
    sleepers.push(c);
    await new Promise((r) => c.once('spawn', r));
    return c.pid!;
  };

  test('a live holder is named; a torn lock or a pid now running something else is taken over; release removes only our own', async () => {
    const d = mkdtempSync(path.join(tmpdir(), 'tfgrid-lock-'));
    try {
      const lockFile = path.join(d, 'start.lock');
      const holder = await live(true);
      writeFileSync(lockFile, JSON.stringify({ pid: holder }));
      expect(() => lockDataDir(d)).toThrow(new DataDirLockedError(d, holder));
      try {
        lockDataDir(d);
      } catch (e) {
        expect((e as { code: string }).code).toBe('DATA_DIR_LOCKED');
      }

      writeFileSync(lockFile, JSON.stringify({ pid: await live(false) }));
      const reused = lockDataDir(d);
      expect(JSON.parse(readFileSync(lockFile, 'utf8')).pid).toBe(process.pid);
      reused.release();
      expect(existsSync(lockFile)).toBe(false);

      writeFileSync(lockFile, '{"pid": 12');
      const torn = lockDataDir(d);
      expect(torn.tookOverFrom).toBe(0);
      // Another process took the lock over meanwhile: releasing leaves its lock alone.
      writeFileSync(lockFile, JSON.stringify({ pid: holder }));
      torn.release();
      expect(JSON.parse(readFileSync(lockFile, 'utf8')).pid).toBe(holder);
    } finally {
      rmSync(d, { recursive: true, force: true });
    }
  });
});
