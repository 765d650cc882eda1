/**
 * `npm start`'s script with a temp data dir and free ports: the chain, the explorer and the agent
 * come up (the explorer lists this machine's node), a second instance on the same data directory
 * is refused naming the directory and the holder's pid, SIGINT stops all three cleanly, and a
 * second start resumes the same chain, farm and node (taking over a stale lock).
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { agentHardwareRoot, until } from './helpers';

const hardwareRoot = agentHardwareRoot();

jest.setTimeout(180_000);

const ROOT = path.resolve(__dirname, '../../..');
let dir: string;

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'tfgrid-start-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

interface Started {
  child: ChildProcess;
  out: () => string;
  urls: { chain: string; explorer: string; metrics: string };
  nodeId: number;
}

const START_ARGS = (): string[] => ['--import', 'tsx', 'scripts/start.ts', '--data-dir', dir, '--chain-port', '0', '--explorer-port', '0', '--agent-metrics-port', '0'];
const START_ENV = (): NodeJS.ProcessEnv => ({ PATH: process.env.PATH, HOME: process.env.HOME, ...(hardwareRoot ? { TFGRID_AGENT_ROOT: hardwareRoot } : {}) });

async function start(): Promise<Started> {
  const child = spawn(process.execPath, START_ARGS(), { cwd: ROOT, env: START_ENV(), stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (out += b.toString()));
  try {
    await until('tfgrid is running', async () => out.includes('Ctrl-C stops everything'), 120_000, 200);
  } catch (e) {
    child.kill('SIGKILL');
    throw new Error(`${(e as Error).message}\n${out}`);
  }
  const grab = (re: RegExp): string => re.exec(out)![1]!;
  return {
    child,
    out: () => out,
    urls: { chain: grab(/chain RPC\s+(ws:\/\/\S+)/), explorer: grab(/explorer API\s+(http:\/\/\S+)/), metrics: grab(/agent metrics\s+(http:\/\/\S+)/) },
    nodeId: Number(grab(/tfgrid is running — node (\d+)/)),
  };
}

async function interrupt(s: Started): Promise<number | null> {
  const exited = new Promise<number | null>((r) => s.child.once('exit', (code) => r(code)));
  s.child.kill('SIGINT');
  const code = await Promise.race([exited, new Promise<'hung'>((r) => setTimeout(() => r('hung'), 30_000))]);
  if (code === 'hung') {
    s.child.kill('SIGKILL');
    throw new Error(`did not stop on SIGINT:\n${s.out()}`);
  }
  return code;
}

test('starts chain, explorer and agent; SIGINT stops them; a second start resumes', async () => {
  const first = await start();
  expect(first.out()).toMatch(/farm 1 "devfarm" created by \/\/Alice/);
  expect(first.out()).toMatch(/Swagger UI http:\/\/127\.0\.0\.1:\d+\/swagger/);
  // The chain answers over HTTP JSON-RPC, the explorer lists the node, the agent serves metrics.
  const rpc = await fetch(first.urls.chain.replace('ws://', 'http://'), { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ id: 1, jsonrpc: '2.0', method: 'system_chain', params: [] }) });
  expect(((await rpc.json()) as { result: string }).result).toBe('Development');
  const node = await until('the explorer to list the node', async () => {
    const r = await fetch(`${first.urls.explorer}/nodes?node_id=${first.nodeId}`);
    const list = (await r.json()) as { nodeId: number; status: string; total_resources: { cru: number } }[];
    return list[0]?.status === 'up' ? list[0] : undefined;
  }, 60_000, 500);
  expect(node.total_resources.cru).toBeGreaterThan(0);
  const metrics = await (await fetch(first.urls.metrics)).text();
  expect(metrics).toContain(`tfgrid_agent_node_id ${first.nodeId}`);

  // A second instance on the same data directory is refused before it opens anything, naming both.
  const twice = spawnSync(process.execPath, START_ARGS(), { cwd: ROOT, env: START_ENV(), encoding: 'utf8', timeout: 60_000 });
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
