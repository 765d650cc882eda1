/**
 * A zmachine through the whole node: a real agent (runc runtime) on the in-process dev chain, a
 * deployer's contract for a busybox zmachine with a volume, reached on its node-local address;
 * grace period freezes it (a counter inside stops), funding thaws it; cancel leaves nothing.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { TFT, type TfchainClient } from '@tfgrid/client';
import type { Agent } from '../src';
import {
  agentConfig,
  blocks,
  Deployer,
  MiB,
  newAgent,
  startAgentGrid,
  startRegistered,
  tempDirs,
  until,
  type AgentGrid,
  type TempDirs,
} from './support/grid';
import { httpGet, serveBusyboxImage } from '@tfgrid/testkit';
import { deleteLink, mountsUnder, runc } from './fixtures/zmachine/helpers';

jest.setTimeout(150_000);

const BRIDGE = 'tfzag-br';
const SUBNET = '10.249.214.0/24';

let grid: AgentGrid;
let alice: TfchainClient;
let deployer: Deployer;
let dirs: TempDirs;
let agent: Agent | undefined;
let served: Awaited<ReturnType<typeof serveBusyboxImage>>;

const runcRoot = () => path.join(dirs.dataDir, 'runc');
const bridgePorts = () =>
  (JSON.parse(execFileSync('ip', ['-j', 'link', 'show', 'master', BRIDGE], { encoding: 'utf8' }) || '[]') as { ifname: string }[]).map(
    (l) => l.ifname,
  );
const containers = () => (JSON.parse(runc(runcRoot(), 'list', '--format', 'json')) ?? []) as { id: string; status: string }[];

beforeAll(async () => {
  grid = await startAgentGrid({ farm: 'zmachine_farm', deployers: [['//Dave', 200n * TFT]] });
  alice = grid.alice;
  [deployer] = grid.deployers;
  dirs = tempDirs('zmachine-agent');
  served = await serveBusyboxImage(path.dirname(dirs.dataDir));
});

afterAll(async () => {
  await agent?.stop();
  for (const c of containers()) runc(runcRoot(), 'delete', '--force', c.id);
  deleteLink(BRIDGE);
  await served?.close();
  await grid?.stop();
  dirs?.cleanup();
});

test('a deployed busybox zmachine runs in a container on the node, freezes in grace, thaws when funded, leaves nothing when canceled', async () => {
  agent = newAgent(
    agentConfig({
      url: grid.chain.url,
      farmId: grid.farmId,
      dirs,
      workloadRuntime: 'runc',
      workloadBridge: BRIDGE,
      workloadSubnet: SUBNET,
    }),
  );
  const nodeId = await startRegistered(agent, alice);

  const counter =
    'mkdir -p /www; echo hi > /www/index.html; httpd -p 80 -h /www; i=0; while true; do i=$((i+1)); echo $i > /data/count; sleep 0.1; done';
  const d = deployer
    .builder(nodeId)
    .volume('data', { size: 16 * MiB })
    .zmachine('web', {
      image: served.image,
      size: 32 * MiB,
      compute_capacity: { cpu: 1, memory: 256 * MiB },
      entrypoint: counter,
      mounts: [{ name: 'data', mountpoint: '/data' }],
    })
    .build();
  const { contractId } = await deployer.deploy(nodeId, d);
  const provisioner = agent.provisioner!;
  await until('workloads ok', () => provisioner.states(contractId).filter((s) => s.state === 'ok').length === 2, 60_000);
  const web = provisioner.states(contractId).find((s) => s.name === 'web')!;
  expect(web.result).toMatchObject({ runtime: 'runc', cgroup: 'v1', limits: { memory: 256 * MiB, cpu_quota_us: 100_000 } });
  const ip = (web.result!.addresses as { node_local: string }).node_local;
  expect(ip).toMatch(/^10\.249\.214\.\d+$/);
  expect(bridgePorts()).toEqual([expect.stringMatching(/^tfv[0-9a-f]{12}$/)]);
  let answer: string | undefined;
  await until('httpd answers', async () => (answer = await httpGet(ip, 80).catch(() => undefined)) !== undefined, 20_000);
  expect(answer).toBe('hi\n');
  const countFile = path.join(provisioner.states(contractId).find((s) => s.name === 'data')!.result!.path as string, 'count');
  const count = () => Number(readFileSync(countFile, 'utf8').trim() || 0);
  await until('counter runs', () => count() > 3, 15_000);

  // Grace period: the deployer's balance drained; the machine is frozen, its counter stops.
  await deployer.client.submit(deployer.client.api.tx.balances.transferAll(alice.address!, true));
  await until(
    'contract in grace',
    async () => (await blocks(grid.chain, 5), (await alice.contracts.get(contractId))?.state === 'GracePeriod'),
    30_000,
  );
  await until('workloads paused', () => provisioner.states(contractId).every((s) => s.state === 'paused'), 20_000);
  expect(containers()).toEqual([expect.objectContaining({ id: `${contractId}-web`, status: 'paused' })]);
  const frozen = count();
  await new Promise((r) => setTimeout(r, 500));
  expect(count()).toBe(frozen);

  // Funding: out of grace, thawed, counting again.
  await alice.balances.transfer({ to: deployer.pair.address, amount: 500n * TFT });
  await until(
    'contract out of grace',
    async () => (await blocks(grid.chain, 5), (await alice.contracts.get(contractId))?.state === 'Created'),
    30_000,
  );
  await until('workloads resumed', () => provisioner.states(contractId).every((s) => s.state === 'ok'), 20_000);
  await until('counter continues', () => count() > frozen + 3, 15_000);

  // Cancel: no container, no mount, no veth left.
  const bundle = path.join(dirs.dataDir, 'machines', `${contractId}-web`);
  await deployer.client.contracts.cancel(contractId);
  await until('workloads deleted', () => provisioner.states(contractId).every((s) => s.state === 'deleted'), 30_000);
  expect(containers()).toEqual([]);
  expect(mountsUnder(bundle)).toEqual([]);
  expect(mountsUnder(dirs.pool)).toEqual([]);
  expect(bridgePorts()).toEqual([]);
  expect(await httpGet(ip, 80, '/', 1000).catch(() => 'unreachable')).toBe('unreachable');
});
