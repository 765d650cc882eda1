/**
 * The agent as a real process (bin/tfgrid-agent.js): SIGKILLed while it provisions a contract,
 * then restarted — the same twin and node (nothing registered twice), the workloads provisioned
 * once and running (one server process); SIGTERM stops it gracefully (workloads stopped, states
 * kept) and the next start brings them back.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { TFT, type TfchainClient } from '@tfgrid/client';
import { Identity } from '../src';
import { runtimeId, workloadMark } from '../src/workloads';
import { findMarked } from '../src/core';
import {
  Deployer,
  FIXTURE_ROOT,
  freePort,
  httpGet,
  MiB,
  startAgentGrid,
  tempDirs,
  until,
  type AgentGrid,
  webDeployment,
  type TempDirs,
} from './support/grid';

jest.setTimeout(150_000);

const BIN = path.join(__dirname, '..', 'bin', 'tfgrid-agent.js');

let grid: AgentGrid;
let alice: TfchainClient;
let deployer: Deployer;
let dirs: TempDirs;
const children = new Set<ChildProcess>();
/** Workload markers to clean up: a SIGKILLed agent leaves its detached workloads running. */
const marks: string[] = [];

interface Proc {
  child: ChildProcess;
  lines: Record<string, unknown>[];
  exited: Promise<number | null>;
}

function startAgent(): Proc {
  const args = [
    BIN,
    '--chain-url',
    grid.chain.url,
    '--farm-id',
    String(grid.farmId),
    '--data-dir',
    dirs.dataDir,
    '--storage-pool',
    dirs.pool,
    '--root',
    FIXTURE_ROOT,
    '--metrics-address',
    '127.0.0.1:0',
    '--uptime-interval',
    '3600',
    '--log-level',
    'info',
    '--workload-runtime',
    'process',
  ];
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  children.add(child);
  const lines: Record<string, unknown>[] = [];
  let buf = '';
  child.stdout!.on('data', (d: Buffer) => {
    buf += d.toString();
    let i;
    while ((i = buf.indexOf('\n')) >= 0) {
      const line = buf.slice(0, i);
      buf = buf.slice(i + 1);
      try {
        lines.push(JSON.parse(line) as Record<string, unknown>);
      } catch {
        /* not a log line */
      }
    }
  });
  child.stderr!.resume();
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => (children.delete(child), resolve(code))));
  return { child, lines, exited };
}

const registeredLine = (p: Proc) =>
  p.lines.find((l) => l.msg === 'registered') as { nodeId: number; twinId: number; actions: string[] } | undefined;

beforeAll(async () => {
  grid = await startAgentGrid({ deployers: [['//Charlie', 100n * TFT]] });
  alice = grid.alice;
  [deployer] = grid.deployers;
  dirs = tempDirs('agent-crash');
});

afterAll(async () => {
  for (const c of children) c.kill('SIGKILL');
  for (const m of marks) for (const pid of findMarked(m)) process.kill(pid, 'SIGKILL');
  await grid?.stop();
  dirs?.cleanup();
});

test('SIGKILL mid-provisioning, restart: no duplicate registration, workloads recovered; SIGTERM keeps states', async () => {
  // The identity exists before the first start so the test can fund it at once.
  const id = await Identity.load(dirs.dataDir);
  await alice.balances.transfer({ to: id.address, amount: 100n * TFT });

  const first = startAgent();
  await until('first agent registered', () => registeredLine(first) !== undefined, 60_000);
  const reg = registeredLine(first)!;
  expect(reg.actions).toEqual(['terms', 'twin-created', 'node-created']);
  const nodeId = reg.nodeId;
  await until(
    'first agent running',
    () => first.lines.some((l) => l.msg === 'workloads recovered') && first.lines.some((l) => l.module === 'uptime'),
    30_000,
  );

  const port = await freePort();
  const d = webDeployment(deployer, nodeId, { port, body: 'survived', volume: 8 * MiB, size: 8 * MiB });
  const { contractId } = await deployer.deploy(nodeId, d);
  marks.push(workloadMark(dirs.dataDir, runtimeId(contractId, 'web')));

  // Killed as soon as the provisioner has started on the contract (its state file appears first).
  const stateFile = path.join(dirs.dataDir, 'workload-states', `${String(contractId).padStart(12, '0')}.json`);
  await until('provisioning started', () => existsSync(stateFile), 30_000);
  first.child.kill('SIGKILL');
  await first.exited;

  const second = startAgent();
  await until('second agent registered', () => registeredLine(second) !== undefined, 60_000);
  expect(registeredLine(second)).toMatchObject({ nodeId, twinId: reg.twinId, actions: [] });
  expect(await alice.twins.idOf(id.address)).toBe(reg.twinId);
  expect(await alice.farms.nodeIds(grid.farmId)).toEqual([nodeId]);

  // The first agent's server may outlive it (SIGKILL leaves detached children): the second one
  // replaces it, so at no moment do two servers of the workload run.
  const web = workloadMark(dirs.dataDir, runtimeId(contractId, 'web'));
  let most = 0;
  const servers = () => {
    const n = findMarked(web).length;
    most = Math.max(most, n);
    return n;
  };
  await until('second agent running', () => second.lines.some((l) => l.msg === 'registered'), 30_000);
  await until('the vm answers after the restart', async () => servers() === 1 && (await httpGet(port)) === 'survived', 60_000);
  const states = () => (JSON.parse(readFileSync(stateFile, 'utf8')) as { states: { name: string; state: string }[] }).states;
  await until('both workloads ok on disk', () => states().filter((s) => s.state === 'ok').length === 2, 20_000);
  for (let i = 0; i < 10; i++) {
    servers();
    await new Promise((r) => setTimeout(r, 100));
  }
  expect(servers()).toBe(1);
  expect(most).toBe(1); // one server, never two
  expect(await httpGet(port)).toBe('survived');
  await until('resources reported', async () => (await alice.contracts.resources(contractId)).cru === 1, 20_000);

  // SIGTERM: a graceful stop; the workloads stop, their states stay ok for the next start.
  second.child.kill('SIGTERM');
  expect(await second.exited).toBe(0);
  expect(second.lines.some((l) => l.msg === 'agent stopped')).toBe(true);
  await until('the vm stopped', () => findMarked(web).length === 0, 20_000);
  expect(states().map((s) => s.state)).toEqual(['ok', 'ok']);

  const third = startAgent();
  await until('the vm answers after a graceful restart', async () => (await httpGet(port)) === 'survived', 60_000);
  expect(registeredLine(third) ?? { actions: [] }).toMatchObject({ actions: [] });
  third.child.kill('SIGTERM');
  expect(await third.exited).toBe(0);
});
