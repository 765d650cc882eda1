/**
 * Power: the farmer sets the node's power target Down → the agent reports Down
 * (change_power_state) and runs its shutdown hook; target Up → the agent reports Up. A restart
 * while the target is Up does not run the hook again.
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { TfchainClient } from '@tfgrid/client';
import type { Agent, AgentConfig } from '../src';
import { agentConfig, newAgent, startAgentGrid, startFunded, tempDirs, until, type AgentGrid, type TempDirs } from './support/grid';

jest.setTimeout(60_000);

let grid: AgentGrid;
let alice: TfchainClient;
let farmer: TfchainClient;
let dirs: TempDirs;
let config: AgentConfig;
let agent: Agent;
let hookFile: string;

beforeAll(async () => {
  grid = await startAgentGrid();
  ({ alice, farmer } = grid);
  dirs = tempDirs('agent-power');
  hookFile = path.join(dirs.pool, 'powered-off');
  config = agentConfig({ url: grid.chain.url, farmId: grid.farmId, dirs, shutdownHook: `echo down >> '${hookFile}'` });
  agent = newAgent(config);
  await startFunded(agent, alice);
});

afterAll(async () => {
  await agent?.stop();
  await grid?.stop();
  dirs?.cleanup();
});

test('power target Down → state Down and the shutdown hook; Up → state Up', async () => {
  const nodeId = agent.status().nodeId!;
  expect(await alice.nodes.power(nodeId)).toEqual({ state: 'Up', target: 'Up' });
  expect(existsSync(hookFile)).toBe(false);

  await farmer.nodes.changePowerTarget(nodeId, 'Down');
  await until('node reported Down', async () => (await alice.nodes.power(nodeId)).state === 'Down', 20_000);
  await until('shutdown hook ran', () => existsSync(hookFile), 10_000);
  // The file appears while the hook still runs: its exit is recorded a moment later.
  await until('shutdown hook exited', () => agent.status().services!.power.lastHookExit !== undefined, 10_000);
  expect(readFileSync(hookFile, 'utf8')).toBe('down\n');
  expect(agent.status().services!.power).toMatchObject({ target: 'Down', state: 'Down', hookRuns: 1, lastHookExit: 0 });

  await farmer.nodes.changePowerTarget(nodeId, 'Up');
  await until('node reported Up', async () => (await alice.nodes.power(nodeId)).state === 'Up', 20_000);
  // The agent records its state once its own transaction is in: the chain may show it a moment before.
  await until('the agent to record state Up', () => agent.status().services!.power.state === 'Up', 10_000);
  expect(agent.status().services!.power).toMatchObject({ target: 'Up', state: 'Up', hookRuns: 1 });

  // A restart (events replayed from the saved cursor) acts on the target as it is now: no second shutdown.
  await agent.stop();
  agent = newAgent(config);
  await agent.start();
  await agent.registered;
  await until('power synced after restart', () => agent.status().services!.power.target === 'Up', 10_000);
  expect(readFileSync(hookFile, 'utf8')).toBe('down\n');
});
