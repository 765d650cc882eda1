/**
 * The agent SIGKILLed while a zmachine starts: runc keeps the containers (the agent is not their
 * parent), so a new agent on the same data directory must adopt what runs by its runc state —
 * exactly one container per machine, never a second start — and remove the machines of workloads
 * deleted meanwhile.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, rmSync } from 'node:fs';
import path from 'node:path';
import type { Provisioner, RuncRuntime } from '../src/workloads';
import { tempRoot, until } from './fixtures/workloads/helpers';
import { httpGet, serveBusyboxImage } from '@tfgrid/testkit';
import { deleteLink, links, mountsUnder, runc, runcProvisioner } from './fixtures/zmachine/helpers';

jest.setTimeout(180_000);

const REPO = path.resolve(__dirname, '../../..');
const CHILD = path.join(__dirname, 'fixtures/zmachine/agent-child.ts');
const BRIDGE = 'tfzad-br';
const SUBNET = '10.249.212.0/24';

let t: ReturnType<typeof tempRoot>;
let served: Awaited<ReturnType<typeof serveBusyboxImage>>;
let child: ChildProcess | undefined;
let agent: { runtime: RuncRuntime; provisioner: Provisioner } | undefined;

const runcRoot = () => path.join(t.dataDir, 'runc');
const containers = () => (JSON.parse(runc(runcRoot(), 'list', '--format', 'json')) ?? []) as { id: string; status: string; pid: number }[];

function startChild(): ChildProcess {
  // tsx as a loader in this very process (its CLI would fork, and SIGKILL would reach only the wrapper).
  const c = spawn(process.execPath, ['--import', 'tsx', CHILD, t.dataDir, t.pool, BRIDGE, SUBNET, served.image.url, served.image.sha256], {
    cwd: REPO,
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  c.stderr!.resume();
  return c;
}

async function kill9(c: ChildProcess): Promise<void> {
  if (c.exitCode !== null || c.signalCode !== null) return;
  const gone = new Promise((r) => c.once('exit', r));
  c.kill('SIGKILL');
  await gone;
}

beforeEach(async () => {
  t = tempRoot('zmadopt');
  served = await serveBusyboxImage(t.root);
});

afterEach(async () => {
  if (child) await kill9(child);
  if (agent) {
    for (const c of agent.provisioner.contracts()) await agent.provisioner.remove(c);
    await agent.provisioner.stop();
  }
  agent = undefined;
  for (const c of containers()) runc(runcRoot(), 'delete', '--force', c.id);
  for (const m of mountsUnder(t.root).reverse()) spawn('umount', ['-l', m]);
  deleteLink(BRIDGE);
  await served.close();
  t.cleanup();
});

// Two moments: just before runc create (its config written), and once the container runs.
test.each([
  ['its bundle is written', (b: string) => existsSync(path.join(b, 'config.json'))],
  ['its container runs', (_b: string) => containers().some((c) => c.id === '51-web' && c.status === 'running')],
])("killed when %s: after restart exactly one container runs it, and a deleted workload's machine is gone", async (_when, ready) => {
  child = startChild();
  const bundle = path.join(t.dataDir, 'machines', '51-web');
  await until('the moment to kill', () => (ready(bundle) ? true : undefined), 60_000, 50);
  await kill9(child);
  // A container that ran at the kill must be the very one running after the restart (adopted, not restarted).
  const before = containers().find((c) => c.id === '51-web' && c.status === 'running')?.pid;
  // Contract 52 was removed while the agent was down: its state is gone, its container is a leftover.
  await until('52 left running', () => (containers().some((c) => c.id === '52-old') ? true : undefined), 5000, 50);
  rmSync(path.join(t.dataDir, 'workload-states', `${String(52).padStart(12, '0')}.json`));

  agent = runcProvisioner({ dataDir: t.dataDir, pool: t.pool, bridge: BRIDGE, subnet: SUBNET });
  await agent.provisioner.open();
  await agent.provisioner.recover();
  const web = agent.provisioner.states(51).find((s) => s.name === 'web')!;
  expect(web.state).toBe('ok');
  const running = containers();
  expect(running.map((c) => c.id)).toEqual(['51-web']);
  expect(running[0]!.status).toBe('running');
  if (before !== undefined) expect(running[0]!.pid).toBe(before);
  const ip = (web.result!.addresses as { node_local: string }).node_local;
  expect(await until('web answers', () => httpGet(ip, 80).catch(() => undefined), 20_000, 50)).toBe('up\n');
  // The leftover's bundle, mounts and veth went with it.
  expect(existsSync(path.join(t.dataDir, 'machines', '52-old'))).toBe(false);
  expect(mountsUnder(path.join(t.dataDir, 'machines', '52-old'))).toEqual([]);
  expect(links('tfv').length).toBeGreaterThanOrEqual(1);
  // A second recover (another restart) still starts nothing twice.
  const pid = running[0]!.pid;
  await agent.provisioner.stop();
  agent = runcProvisioner({ dataDir: t.dataDir, pool: t.pool, bridge: BRIDGE, subnet: SUBNET });
  await agent.provisioner.open();
  await agent.provisioner.recover();
  expect(containers().map((c) => c.id)).toEqual(['51-web']);
  expect(containers()[0]!.pid).not.toBe(pid); // stop() stopped it; recover started one again
});
