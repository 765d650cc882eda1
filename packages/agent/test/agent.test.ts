/**
 * The agent against an in-process dev chain: first boot waits for funds then registers (storage
 * and events checked) and reports uptime; a restart creates nothing; a changed capacity updates
 * the node; /metrics shows capacity, chain connection and the uptime report age.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pino from 'pino';
import type { Devchain } from '@tfgrid/devchain';
import { SERVER_FIXTURE, setupFarmer, startChain, until } from '@tfgrid/testkit';
import { connect, events, nodeBoxKeyPair, readTwin, TFT, type TfchainClient } from '@tfgrid/client';
import { Agent, DEFAULTS, Identity, measure, type AgentConfig, type Hardware } from '../src';

jest.setTimeout(90_000);

let chain: Devchain;
let alice: TfchainClient;
let farmer: TfchainClient;
let farmId: number;
let dataDir: string;
const root = SERVER_FIXTURE;

const config = (): AgentConfig => ({
  ...DEFAULTS,
  chainUrl: chain.url,
  farmId,
  dataDir,
  root,
  metricsAddress: '127.0.0.1:0',
  uptimeIntervalSec: 3600,
  location: { city: 'Ghent', country: 'Belgium', latitude: '51.05', longitude: '3.72' },
});
const agentWith = (hardware?: Hardware): Agent =>
  new Agent(config(), {
    logger: pino({ level: 'silent' }),
    retryMinMs: 200,
    retryMaxMs: 1000,
    fundsPollMs: 200,
    ...(hardware ? { hardware } : {}),
  });

beforeAll(async () => {
  chain = await startChain();
  alice = await connect({ url: chain.url, secret: '//Alice' });
  ({ client: farmer, farmId } = await setupFarmer(chain.url, { name: 'agent_farm' }));
  dataDir = mkdtempSync(path.join(os.tmpdir(), 'agent-data-'));
});

afterAll(async () => {
  for (const c of [alice, farmer]) await c?.disconnect();
  await chain?.stop();
  rmSync(dataDir, { recursive: true, force: true });
});

test('first boot: waits for funds, then accepts terms, creates twin (with the box key) and node, reports uptime', async () => {
  const agent = agentWith();
  await agent.start();
  try {
    await until("agent.status().state === 'registering'", () => agent.status().state === 'registering', 20_000);
    await new Promise((r) => setTimeout(r, 500));
    const address = agent.status().address!;
    expect(await alice.twins.idOf(address)).toBeUndefined(); // nothing before funds arrive
    await alice.balances.transfer({ to: address, amount: 100n * TFT });
    const reg = await agent.registered;
    expect(reg.actions).toEqual(['terms', 'twin-created', 'node-created']);

    // storage
    const hw = measure(root);
    const node = await alice.nodes.get(reg.nodeId);
    expect(node).toMatchObject({
      farmId,
      twinId: reg.twinId,
      resources: hw.total,
      serialNumber: 'ZM19AS001234',
      secureBoot: true,
      virtualized: false,
    });
    // The measured interfaces, and the node's planetary (Yggdrasil) address.
    expect(node!.interfaces).toEqual([
      { name: 'enp3s0', mac: '0c:c4:7a:12:34:56', ips: [] },
      { name: 'planetary', mac: '00:00:00:00:00:00', ips: [agent.status().planetary!.address] },
    ]);
    expect(agent.status().planetary!.address).toMatch(/^2[0-9a-f]{2}:/);
    expect(node!.location).toEqual({ city: 'Ghent', country: 'Belgium', latitude: '51.05', longitude: '3.72' });
    expect((await alice.twins.get(reg.twinId))!.accountId).toBe(address);
    const twin = await readTwin(alice.api, reg.twinId);
    const id = await Identity.load(dataDir);
    expect('0x' + Buffer.from(twin!.pk!).toString('hex')).toBe(id.boxPublicKeyHex);
    expect(Buffer.from(twin!.pk!)).toEqual(Buffer.from(nodeBoxKeyPair(id.seed()).publicKey));
    expect(await alice.twins.termsAccepted(address)).toHaveLength(1);
    expect(await alice.farms.nodeIds(farmId)).toEqual([reg.nodeId]);

    // events, from the finalized stream
    const seen: string[] = [];
    const stream = events(alice.api, { from: 1 });
    for await (const e of stream) {
      const data = JSON.stringify(e.data);
      if (e.name === 'TfgridModule.TwinStored' && data.includes(address) && data.includes(id.boxPublicKeyHex)) seen.push('TwinStored');
      if (e.name === 'TfgridModule.NodeStored' && data.includes(`"twinId":${reg.twinId}`)) seen.push('NodeStored');
      if (e.name === 'TfgridModule.NodeUptimeReported') {
        seen.push('NodeUptimeReported');
        break;
      }
    }
    expect(seen).toEqual(['TwinStored', 'NodeStored', 'NodeUptimeReported']);

    // uptime and metrics
    await until('(agent.status().uptime?.accepted ?? 0) >= 1', () => (agent.status().uptime?.accepted ?? 0) >= 1, 20_000);
    const res = await fetch(`http://${agent.status().metricsAddress}/metrics`);
    const text = await res.text();
    expect(text).toContain('tfgrid_agent_capacity_total{resource="cru"} 16');
    expect(text).toContain(`tfgrid_agent_capacity_reserved{resource="sru"} ${20 * 1024 ** 3}`);
    expect(text).toContain('tfgrid_agent_chain_connected 1');
    expect(text).toContain(`tfgrid_agent_node_id ${reg.nodeId}`);
    const age = Number(/^tfgrid_agent_uptime_report_age_seconds (\S+)$/m.exec(text)![1]);
    expect(age).toBeGreaterThanOrEqual(0);
    expect(age).toBeLessThan(30);
    expect(agent.status().metricsAddress).toMatch(/^127\.0\.0\.1:\d+$/);
  } finally {
    await agent.stop();
  }
  expect(agent.status().state).toBe('stopped');
});

test('a restart finds the same twin and node and changes nothing', async () => {
  const before = (await alice.twins.idOf(await agentAddress()))!;
  const agent = agentWith();
  await agent.start();
  try {
    const reg = await agent.registered;
    expect(reg.actions).toEqual([]);
    expect(reg.twinId).toBe(before);
    expect(await alice.farms.nodeIds(farmId)).toEqual([reg.nodeId]);
  } finally {
    await agent.stop();
  }
});

test('a changed capacity updates the node, nothing else', async () => {
  const hw = measure(root);
  const changed: Hardware = { ...hw, total: { ...hw.total, cru: 32, mru: hw.total.mru * 2 } };
  const agent = agentWith(changed);
  await agent.start();
  try {
    const reg = await agent.registered;
    expect(reg.actions).toEqual(['node-updated']);
    expect((await alice.nodes.get(reg.nodeId))!.resources).toEqual(changed.total);
    expect(await alice.farms.nodeIds(farmId)).toEqual([reg.nodeId]);
  } finally {
    await agent.stop();
  }
});

async function agentAddress(): Promise<string> {
  return (await Identity.load(dataDir)).address;
}
