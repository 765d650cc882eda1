/**
 * The full story against an in-process dev chain: the agent boots, waits for funds, registers
 * (storage and events checked); a deployer seals a deployment (a volume and a vm running a small
 * HTTP server) into the notary and creates its contract; the agent provisions it, the server
 * answers, the used resources are on chain; the contract enters its grace period (the deployer's
 * balance drained, billing runs) and the server is paused; funding resumes it; cancel removes it
 * and frees the disk.
 */
import { existsSync } from 'node:fs';
import { isDeepStrictEqual } from 'node:util';
import { events, TFT, type TfchainClient } from '@tfgrid/client';
import type { Agent } from '../src';
import {
  agentConfig,
  blocks,
  Deployer,
  freePort,
  httpGet,
  MiB,
  newAgent,
  sample,
  scrape,
  startAgentGrid,
  tempDirs,
  until,
  type AgentGrid,
  webDeployment,
  type TempDirs,
} from './support/grid';

jest.setTimeout(120_000);

let grid: AgentGrid;
let alice: TfchainClient;
let deployer: Deployer;
let dirs: TempDirs;
let agent: Agent | undefined;

beforeAll(async () => {
  grid = await startAgentGrid({ deployers: [['//Charlie', 200n * TFT]] });
  alice = grid.alice;
  [deployer] = grid.deployers;
  dirs = tempDirs('agent-story');
});

afterAll(async () => {
  await agent?.stop();
  await grid?.stop();
  dirs?.cleanup();
});

test('boot → registered → contract provisioned and reported → grace pauses, funding resumes → cancel frees', async () => {
  agent = newAgent(agentConfig({ url: grid.chain.url, farmId: grid.farmId, dirs }));
  await agent.start();
  await until('waiting for funds', () => agent!.status().state === 'registering', 20_000);
  const address = agent.status().address!;
  expect(await alice.twins.idOf(address)).toBeUndefined();
  await alice.balances.transfer({ to: address, amount: 100n * TFT });
  const reg = await agent.registered;
  expect(reg.actions).toEqual(['terms', 'twin-created', 'node-created']);
  const nodeId = reg.nodeId;
  expect(await alice.nodes.get(nodeId)).toMatchObject({ farmId: grid.farmId, twinId: reg.twinId });
  expect(await alice.farms.nodeIds(grid.farmId)).toEqual([nodeId]);

  // The registration's events, from the finalized stream.
  const seen = new Set<string>();
  for await (const e of events(alice.api, { from: 1 })) {
    if (e.name === 'TfgridModule.TwinStored' && JSON.stringify(e.data).includes(address)) seen.add('TwinStored');
    if (e.name === 'TfgridModule.NodeStored' && JSON.stringify(e.data).includes(`"twinId":${reg.twinId}`)) seen.add('NodeStored');
    if (seen.size === 2) break;
  }

  // A deployment: a volume and a vm serving HTTP on a loopback port, mounted volume.
  const port = await freePort();
  const d = webDeployment(deployer, nodeId, { port, body: 'hello from the grid', volume: 16 * MiB, size: 64 * MiB });
  const { contractId } = await deployer.deploy(nodeId, d);
  const provisioner = agent.provisioner!;
  await until('workloads ok', () => provisioner.states(contractId).filter((s) => s.state === 'ok').length === 2, 30_000);
  await until('the vm answers', async () => (await httpGet(port)) === 'hello from the grid', 20_000);
  const volume = provisioner.states(contractId).find((s) => s.name === 'data')!;
  const volumeDir = volume.result!.path as string;
  expect(existsSync(volumeDir)).toBe(true);
  expect(volumeDir.startsWith(dirs.pool)).toBe(true);

  // report_contract_resources is on chain: NodeContractResources holds what the node uses.
  const used = provisioner.used(contractId);
  // Disk space counts as SRU, or HRU when the pool sits on a rotational disk (as on this VM).
  expect({ cru: used.cru, mru: used.mru, disk: used.sru + used.hru }).toEqual({ cru: 1, mru: 256 * MiB, disk: 16 * MiB + 64 * MiB });
  await until(
    'resources on chain',
    // Compared by value: the decoded struct's key order is not part of it.
    async () => isDeepStrictEqual(await alice.contracts.resources(contractId), { hru: used.hru, sru: used.sru, cru: 1, mru: used.mru }),
    20_000,
  );

  let text = await scrape(agent);
  expect(sample(text, 'tfgrid_agent_workloads{state="ok"}')).toBe(2);
  expect(sample(text, 'tfgrid_agent_contracts_active')).toBe(1);
  expect(sample(text, 'tfgrid_agent_capacity_used{resource="cru"}')).toBe(1);
  expect(sample(text, 'tfgrid_agent_event_lag_blocks')).toBeGreaterThanOrEqual(0);

  // Grace period: the deployer's balance drained, the next bills cannot be paid.
  await deployer.client.submit(deployer.client.api.tx.balances.transferAll(alice.address!, true));
  await until(
    'contract in grace',
    async () => {
      await blocks(grid.chain, 5);
      return (await alice.contracts.get(contractId))?.state === 'GracePeriod';
    },
    30_000,
  );
  await until('workloads paused', () => provisioner.states(contractId).every((s) => s.state === 'paused'), 20_000);
  expect(await httpGet(port, 1500)).toBeUndefined();

  // Funding: the next bill ends the grace period, the workloads run again.
  await alice.balances.transfer({ to: deployer.pair.address, amount: 500n * TFT });
  await until(
    'contract out of grace',
    async () => {
      await blocks(grid.chain, 5);
      return (await alice.contracts.get(contractId))?.state === 'Created';
    },
    30_000,
  );
  await until('workloads resumed', () => provisioner.states(contractId).every((s) => s.state === 'ok'), 20_000);
  await until('the vm answers again', async () => (await httpGet(port)) === 'hello from the grid', 20_000);

  // Cancel: everything stops and the disk is freed.
  await deployer.client.contracts.cancel(contractId);
  await until('workloads deleted', () => provisioner.states(contractId).every((s) => s.state === 'deleted'), 20_000);
  expect(existsSync(volumeDir)).toBe(false);
  expect(await httpGet(port, 1000)).toBeUndefined();
  expect(provisioner.usedTotal()).toEqual({ cru: 0, mru: 0, sru: 0, hru: 0 });
  text = await scrape(agent);
  expect(sample(text, 'tfgrid_agent_contracts_active')).toBe(0);
  expect(sample(text, 'tfgrid_agent_workloads{state="deleted"}')).toBe(2);
  expect(agent.status().services!.contracts.contracts[contractId]).toBeUndefined();
});
