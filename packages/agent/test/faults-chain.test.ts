/**
 * The chain goes away and comes back (a persistent dev chain stopped, then restarted on the same
 * port): a contract finalized just before the stop is provisioned, an NRU report made while the
 * chain is down is accepted once it is back, a contract created afterwards is provisioned and
 * reported, and the agent shows the connection in its metrics.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Devchain } from '@tfgrid/devchain';
import { events, TFT, type TfchainClient } from '@tfgrid/client';
import type { Agent } from '../src';
import {
  agentConfig,
  Deployer,
  newAgent,
  sample,
  scrape,
  sleepingVm,
  startAgentGrid,
  startChain,
  startFunded,
  tempDirs,
  until,
  type AgentGrid,
  type TempDirs,
} from './support/grid';

jest.setTimeout(120_000);

let grid: AgentGrid;
let chain: Devchain;
let port: number;
let basePath: string;
let alice: TfchainClient;
let deployer: Deployer;
let dirs: TempDirs;
let agent: Agent;
let nodeId: number;

beforeAll(async () => {
  basePath = mkdtempSync(path.join(os.tmpdir(), 'agent-chain-'));
  grid = await startAgentGrid({ chain: { basePath }, deployers: [['//Charlie', 100n * TFT]] });
  ({ chain, alice } = grid);
  [deployer] = grid.deployers;
  port = chain.port;
  dirs = tempDirs('agent-chain-faults');
  agent = newAgent(agentConfig({ url: chain.url, farmId: grid.farmId, dirs }));
  nodeId = await startFunded(agent, alice);
});

afterAll(async () => {
  await agent?.stop();
  await grid?.stop();
  dirs?.cleanup();
  if (basePath) rmSync(basePath, { recursive: true, force: true });
});

const vm = (name: string) => sleepingVm(deployer, nodeId, name);

const live = (id: number) => agent.provisioner!.states(id).some((s) => s.state === 'ok');

test('chain down and back: no contract missed, no report lost', async () => {
  const first = await deployer.deploy(nodeId, vm('first'));
  await until('first contract provisioned', () => live(first.contractId), 20_000);

  // A contract finalized right before the chain stops (the agent may not have handled it yet).
  const last = await deployer.deploy(nodeId, vm('last-before-stop'));
  await until(
    'finalized',
    async () =>
      (await alice.api.rpc.chain.getHeader(await alice.api.rpc.chain.getFinalizedHead())).number.toNumber() >=
      (await alice.api.rpc.chain.getHeader()).number.toNumber(),
    10_000,
  );
  // Usage counted while the chain is going away.
  agent.services!.nru.add(first.contractId, 123_456);
  await chain.stop();

  const flushed = agent.services!.nru.flush(); // fails while the chain is down, retried with backoff
  await until('agent sees the chain gone', async () => sample(await scrape(agent), 'tfgrid_agent_chain_connected') === 0, 20_000);
  await new Promise((r) => setTimeout(r, 1500));
  expect(agent.services!.nru.status().batches).toBe(1);

  chain = grid.chain = await startChain({ basePath, port });
  await until('contract finalized before the stop provisioned', () => live(last.contractId), 30_000);
  await flushed;
  expect(agent.services!.nru.status().batches).toBe(0);
  await until('agent reconnected', async () => sample(await scrape(agent), 'tfgrid_agent_chain_connected') === 1, 20_000);

  // After the restart, a new contract is provisioned and every live contract's resources are on chain.
  const after = await deployer.deploy(nodeId, vm('after-restart'));
  await until('contract after restart provisioned', () => live(after.contractId), 30_000);
  for (const id of [first.contractId, last.contractId, after.contractId])
    await until(`resources of ${id} on chain`, async () => (await alice.contracts.resources(id)).cru === 1, 20_000);

  // The NRU report made while the chain was down was accepted.
  let nru: { contractId: number; nru: number } | undefined;
  for await (const e of events(alice.api, { from: 1 })) {
    if (e.name === 'SmartContractModule.NruConsumptionReportReceived') {
      nru = e.data[0] as { contractId: number; nru: number };
      break;
    }
  }
  expect(nru).toMatchObject({ contractId: first.contractId, nru: 123_456 });
  expect(sample(await scrape(agent), 'tfgrid_agent_event_lag_blocks')).toBeGreaterThanOrEqual(0);
});
