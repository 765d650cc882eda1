/**
 * The contract follower beyond the happy path: events missed while the agent was down (its
 * cursor lost too) are made up for by the reconciliation at boot; a rent contract dedicates the
 * node to its renter (status and metrics; the chain refuses other twins); every contract event of
 * the chain, not only this node's, reaches the contract-event listeners.
 */
import { rmSync } from 'node:fs';
import path from 'node:path';
import { TFT, type TfchainClient } from '@tfgrid/client';
import type { Agent, AgentConfig } from '../src';
import { LEDGER_FILE, type ContractEvent } from '../src/contracts';
import {
  agentConfig,
  Deployer,
  MiB,
  newAgent,
  sample,
  scrape,
  sleepingVm,
  startAgentGrid,
  startFunded,
  tempDirs,
  until,
  type AgentGrid,
  type TempDirs,
} from './support/grid';

jest.setTimeout(90_000);

let grid: AgentGrid;
let alice: TfchainClient;
let deployer: Deployer;
let renter: Deployer;
let dirs: TempDirs;
let config: AgentConfig;
let agent: Agent;
let nodeId: number;

beforeAll(async () => {
  grid = await startAgentGrid({
    deployers: [
      ['//Charlie', 100n * TFT],
      ['//Dave', 100n * TFT],
    ],
  });
  alice = grid.alice;
  [deployer, renter] = grid.deployers;
  dirs = tempDirs('agent-follower');
  config = agentConfig({ url: grid.chain.url, farmId: grid.farmId, dirs });
  agent = newAgent(config);
  nodeId = await startFunded(agent, alice);
});

afterAll(async () => {
  await agent?.stop();
  await grid?.stop();
  dirs?.cleanup();
});

const vm = (d: Deployer, name: string) => sleepingVm(d, nodeId, name);
const stateOf = (id: number) => agent.provisioner!.states(id).map((s) => s.state);

test('events missed while the agent was down, cursor lost: the boot reconciliation removes and provisions', async () => {
  const a = await deployer.deploy(nodeId, vm(deployer, 'a'));
  await until('a provisioned', () => stateOf(a.contractId).includes('ok'), 20_000);
  await agent.stop();

  await deployer.client.contracts.cancel(a.contractId);
  const b = await deployer.deploy(nodeId, vm(deployer, 'b'));
  rmSync(path.join(config.dataDir, LEDGER_FILE)); // no cursor: the events above are never replayed

  agent = newAgent(config);
  await agent.start();
  await agent.registered;
  expect(stateOf(a.contractId)).toEqual(['deleted']);
  await until('b provisioned', () => stateOf(b.contractId).includes('ok'), 20_000);
  expect(agent.status().services!.contracts.reconciliations).toBeGreaterThanOrEqual(1);
  await deployer.client.contracts.cancel(b.contractId);
  await until('b removed', () => stateOf(b.contractId).every((s) => s === 'deleted'), 20_000);
});

test('a rent contract dedicates the node to its renter; every contract event reaches the listeners', async () => {
  const seen: ContractEvent[] = [];
  agent.services!.follower.onContractEvent((ce) => void seen.push(ce));

  const rentId = await renter.client.contracts.createRent({ nodeId });
  await until('rent recorded', () => agent.status().services!.contracts.rent?.contractId === rentId, 20_000);
  expect(agent.status().services!.contracts.rent).toEqual({ contractId: rentId, twinId: renter.twinId });
  let text = await scrape(agent);
  expect(sample(text, 'tfgrid_agent_rented')).toBe(1);
  expect(sample(text, 'tfgrid_agent_renter_twin_id')).toBe(renter.twinId);

  // The chain itself refuses node contracts of other twins on a rented node.
  await expect(deployer.deploy(nodeId, vm(deployer, 'not-the-renter'))).rejects.toThrow(/NodeNotAvailableToDeploy/);
  const mine = await renter.deploy(nodeId, vm(renter, 'renter'));
  await until('renter contract provisioned', () => stateOf(mine.contractId).includes('ok'), 20_000);
  await renter.client.contracts.cancel(mine.contractId);
  await renter.client.contracts.cancel(rentId);
  await until('rent ended', () => agent.status().services!.contracts.rent === null, 20_000);
  text = await scrape(agent);
  expect(sample(text, 'tfgrid_agent_rented')).toBe(0);

  // Name contracts are nobody's node's, yet the listeners see them (the gateway follows them).
  const nameId = await deployer.client.contracts.createName('my_site');
  await deployer.client.contracts.cancel(nameId);
  await until('name contract events seen', () => seen.some((e) => e.kind === 'name-contract-canceled' && e.contractId === nameId), 20_000);
  expect(seen.find((e) => e.kind === 'name-contract')).toMatchObject({ contractId: nameId, twinId: deployer.twinId, name: 'my_site' });
  expect(seen.map((e) => e.kind)).toEqual(
    expect.arrayContaining(['rent-contract', 'node-contract', 'node-contract-canceled', 'rent-contract-canceled']),
  );
});

test('an update with a new hash applies the new version; the old one is replaced', async () => {
  const v0 = vm(deployer, 'updated');
  const { contractId } = await deployer.deploy(nodeId, v0);
  await until('version 0 provisioned', () => stateOf(contractId).includes('ok'), 20_000);

  // Version 1: a bigger vm, through the client's update (notary + update_node_contract in one batch).
  const v1 = deployer
    .builder(nodeId)
    .metadata('updated')
    .version(1)
    .vm(
      'worker',
      {
        flist: 'https://hub.grid.tf/tf-official-apps/base:latest.flist',
        compute_capacity: { cpu: 2, memory: 512 * MiB },
        size: 8 * MiB,
        entrypoint: 'sleep 600',
      },
      { version: 1 },
    )
    .build();
  const p = await deployer.client.deployments.update(contractId, v1);
  await until(
    'version 1 provisioned',
    () => agent.provisioner!.states(contractId).some((s) => s.state === 'ok' && s.version === 1),
    20_000,
  );
  expect(agent.status().services!.contracts.contracts[contractId]).toMatchObject({ hash: p.hash, outcome: 'applied' });
  expect(agent.provisioner!.used(contractId)).toMatchObject({ cru: 2, mru: 512 * MiB });
  await until('new resources on chain', async () => (await alice.contracts.resources(contractId)).cru === 2, 20_000);
  await deployer.client.contracts.cancel(contractId);
  await until('removed', () => stateOf(contractId).every((s) => s === 'deleted'), 20_000);
});
