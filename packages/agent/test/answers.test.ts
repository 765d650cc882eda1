/**
 * The node answers through the notary: each deployment's workload states, reasons and results are
 * published in the node twin's TFKVStore, signed by the node, the private part sealed to the
 * deployer; the client reads them back (`deployments.result`, `wait`), a reader without the
 * deployer's key sees only the public states; an update raises the changed workload's version and
 * the node applies it; a cancel removes the answer.
 */
import { answerKey, connect, DeploymentFailedError, fetchAnswer, kvAt, TFT, type TfchainClient } from '@tfgrid/client';
import type { Agent } from '../src';
import {
  agentConfig,
  Deployer,
  MiB,
  newAgent,
  startAgentGrid,
  startFunded,
  tempDirs,
  until,
  type AgentGrid,
  type TempDirs,
} from './support/grid';

jest.setTimeout(120_000);

let grid: AgentGrid;
let alice: TfchainClient;
let reader: TfchainClient;
let deployer: Deployer;
let dirs: TempDirs;
let agent: Agent;
let nodeId: number;
let nodeAccount: string;

beforeAll(async () => {
  grid = await startAgentGrid({ deployers: [['//Charlie', 100n * TFT]] });
  alice = grid.alice;
  [deployer] = grid.deployers;
  reader = grid.track(await connect({ url: grid.chain.url }));
  dirs = tempDirs('agent-answers');
  agent = newAgent(agentConfig({ url: grid.chain.url, farmId: grid.farmId, dirs }));
  nodeId = await startFunded(agent, alice);
  nodeAccount = agent.status().address!;
});

afterAll(async () => {
  await agent?.stop();
  await grid?.stop();
  dirs?.cleanup();
});

const volume = (size: number) => deployer.builder(nodeId).volume('data', { size }).build();

test('states, results and removal: ok with its size, sealed to the deployer; update bumps the changed version; cancel removes the answer', async () => {
  const { contractId, hash, deployment } = await deployer.client.deployments.create(volume(16 * MiB));
  const a = await deployer.client.deployments.wait(contractId, { deployment, timeoutMs: 30_000 });
  expect(a).toMatchObject({ contractId, nodeId, twinId: deployer.twinId, hash, version: 0, sealed: true, opened: true });
  expect(a.workloads).toEqual([
    expect.objectContaining({ name: 'data', type: 'volume', version: 0, state: 'ok', data: { size: 16 * MiB } }),
  ]);
  expect(a.workloads[0]!.data_hash).toMatch(/^[0-9a-f]{64}$/);

  // Anyone can read the public part; the reason and result stay sealed.
  const seen = await reader.deployments.result(contractId);
  expect(seen).toMatchObject({ contractId, sealed: true, opened: false });
  expect(seen!.workloads).toEqual([{ name: 'data', type: 'volume', version: 0, state: 'ok' }]);

  // Update: the same file with a bigger volume → its version (and the deployment's) is raised and the node applies it.
  const u = await deployer.client.deployments.update(contractId, volume(32 * MiB));
  expect(u.changed).toEqual(['data']);
  expect(u.deployment.version).toBe(1);
  expect(u.deployment.workloads[0]!.version).toBe(1);
  const b = await deployer.client.deployments.wait(contractId, { hash: u.hash, deployment: u.deployment, timeoutMs: 30_000 });
  expect(b.workloads[0]).toMatchObject({ state: 'ok', version: 1, data: { size: 32 * MiB } });
  // Nothing changed: no workload version moves.
  const same = await deployer.client.deployments.update(contractId, volume(32 * MiB));
  expect(same.changed).toEqual([]);
  expect(same.deployment.workloads[0]!.version).toBe(1);
  await deployer.client.deployments.wait(contractId, { hash: same.hash, deployment: same.deployment, timeoutMs: 30_000 });

  // Cancel: the node removes its answer (manifest and chunks).
  await deployer.client.contracts.cancel(contractId);
  await until('answer removed', async () => (await fetchAnswer(await kvAt(reader.api), nodeAccount, contractId)) === null, 30_000);
  const left = (await reader.kvstore.list({ account: nodeAccount })).filter((e) => e.key.startsWith(answerKey(contractId)));
  expect(left).toEqual([]);
});

test('refusals are published: a capacity refusal with its reason (sealed), a hash mismatch in the open; wait rejects with the node reasons', async () => {
  const tooBig = deployer
    .builder(nodeId)
    .zmachine('web', {
      flist: 'https://hub.grid.tf/tf-official-apps/base:latest.flist',
      compute_capacity: { cpu: 200, memory: 256 * MiB },
      size: 8 * MiB,
      entrypoint: 'sleep 600',
    })
    .build();
  const big = await deployer.client.deployments.create(tooBig);
  const err = await deployer.client.deployments
    .wait(big.contractId, { deployment: big.deployment, timeoutMs: 30_000 })
    .catch((e: unknown) => e);
  expect(err).toBeInstanceOf(DeploymentFailedError);
  expect((err as DeploymentFailedError).code).toBe('REFUSED');
  expect((err as DeploymentFailedError).reasons).toEqual([{ name: 'web', reason: expect.stringMatching(/not enough free capacity.*cru/) }]);
  expect((await reader.deployments.result(big.contractId))!.workloads[0]).toEqual({
    name: 'web',
    type: 'zmachine',
    version: 0,
    state: 'error',
  });

  // The node could not read this one (another hash than the contract's): its reason is public.
  const wrong = await deployer.deploy(nodeId, volume(8 * MiB), { hash: 'f'.repeat(32) });
  const e2 = await deployer.client.deployments.wait(wrong.contractId, { timeoutMs: 30_000 }).catch((e: unknown) => e);
  expect((e2 as DeploymentFailedError).code).toBe('REFUSED');
  expect((e2 as DeploymentFailedError).message).toContain('HASH_MISMATCH');
  const open = await reader.deployments.result(wrong.contractId);
  expect(open).toMatchObject({ sealed: false, opened: true });
  expect(open!.workloads[0]!.reason).toContain('HASH_MISMATCH');

  for (const id of [big.contractId, wrong.contractId]) await deployer.client.contracts.cancel(id);
  await until(
    'answers removed',
    async () => (await reader.kvstore.list({ account: nodeAccount })).every((e) => !e.key.startsWith('ans/')),
    30_000,
  );
});
