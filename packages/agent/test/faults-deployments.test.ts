/**
 * Deployments the node must refuse: a hash that is not the contract's, a signature of another
 * key, a seal that does not open, more capacity than the node has free. Each is refused with its
 * reason in the workload state and counted in tfgrid_agent_deployments_refused_total; nothing is
 * reported on chain for them; a good deployment after them is provisioned and reported.
 */
import { events, keyFromSecret, TFT, type TfchainClient } from '@tfgrid/client';
import type { Agent } from '../src';
import {
  agentConfig,
  Deployer,
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
let dirs: TempDirs;
let agent: Agent;
let nodeId: number;

beforeAll(async () => {
  grid = await startAgentGrid({ deployers: [['//Charlie', 100n * TFT]] });
  alice = grid.alice;
  [deployer] = grid.deployers;
  dirs = tempDirs('agent-refusals');
  agent = newAgent(agentConfig({ url: grid.chain.url, farmId: grid.farmId, dirs }));
  nodeId = await startFunded(agent, alice);
});

afterAll(async () => {
  await agent?.stop();
  await grid?.stop();
  dirs?.cleanup();
});

const small = (name: string, cpu = 1) => sleepingVm(deployer, nodeId, name, { vm: 'web', cpu });

async function refusedWith(contractId: number, code: string): Promise<string> {
  await until(
    `contract ${contractId} refused`,
    () => agent.status().services?.contracts.contracts[contractId]?.outcome === 'refused',
    20_000,
  );
  const states = agent.provisioner!.states(contractId);
  expect(states.length).toBeGreaterThan(0);
  expect(states.every((s) => s.state === 'error')).toBe(true);
  const reason = states.map((s) => s.reason).join(' | ');
  expect(reason).toContain(code);
  expect(agent.provisioner!.used(contractId)).toEqual({ cru: 0, mru: 0, sru: 0, hru: 0 });
  return reason;
}

test('wrong hash, foreign signature, broken seal and too much capacity are refused with a reason and a metric; nothing is reported for them', async () => {
  const wrongHash = await deployer.deploy(nodeId, small('wrong-hash'), { hash: 'f'.repeat(32) });
  const foreign = await deployer.deploy(nodeId, small('foreign'), { signer: keyFromSecret('//Dave') });
  const broken = await deployer.deploy(nodeId, small('broken-seal'), {
    sealed: (b) => {
      const c = Uint8Array.from(b);
      c[c.length - 5] ^= 0xff;
      return c;
    },
  });
  const tooBig = await deployer.deploy(nodeId, small('too-big', 200));

  await refusedWith(wrongHash.contractId, 'HASH_MISMATCH');
  await refusedWith(foreign.contractId, 'SIGNATURE_INVALID');
  await refusedWith(broken.contractId, 'SEAL_NOT_OPENED');
  expect(await refusedWith(tooBig.contractId, 'not enough free capacity')).toMatch(/cru/);

  // A good one after them still goes through and is reported.
  const good = await deployer.deploy(nodeId, small('good'));
  await until('good deployment ok', () => agent.provisioner!.states(good.contractId).some((s) => s.state === 'ok'), 20_000);
  await until('good deployment reported', async () => (await alice.contracts.resources(good.contractId)).cru === 1, 20_000);

  const text = await scrape(agent);
  for (const code of ['HASH_MISMATCH', 'SIGNATURE_INVALID', 'SEAL_NOT_OPENED', 'CAPACITY'])
    expect(sample(text, `tfgrid_agent_deployments_refused_total{reason="${code}"}`)).toBe(1);
  expect(sample(text, 'tfgrid_agent_workloads{state="error"}')).toBe(4);

  // Nothing on chain for the refused ones: no stored resources, no UpdatedUsedResources event.
  const refused = [wrongHash, foreign, broken, tooBig].map((r) => r.contractId);
  for (const id of refused) expect(await alice.contracts.resources(id)).toEqual({ hru: 0, sru: 0, cru: 0, mru: 0 });
  // (read up to the finalized block holding the good contract's report)
  const reported: number[] = [];
  for await (const e of events(alice.api, { from: 1 })) {
    if (e.name === 'SmartContractModule.UpdatedUsedResources') reported.push((e.data[0] as { contractId: number }).contractId);
    if (reported.includes(good.contractId)) break;
  }
  expect(reported.filter((id) => refused.includes(id))).toEqual([]);

  // The NRU sink drops bytes for refused contracts, keeps those of live ones.
  const nru = agent.services!.nru;
  for (const id of refused) nru.add(id, 1000);
  nru.add(good.contractId, 4096);
  expect(nru.status().pendingBytes).toBe(4096);
});
