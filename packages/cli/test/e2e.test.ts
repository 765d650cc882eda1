/**
 * End to end, through the CLI and HTTP only, on the embedded default (dev chain + explorer):
 * a farmer creates a farm; an agent (its real bin, this machine's hardware) boots and registers;
 * the explorer lists the node up with its capacity; a deployer finds it with `nodes find`,
 * deploys a volume and a zmachine from the busybox image (served on loopback) running an HTTP
 * server with `deploy`, which prints the node's answer with the machine's node-local address;
 * reaches the server there, sees the contract and the used resources in the explorer and bills
 * accruing; cancels; everything is freed and the explorer agrees.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startDevchain, type Devchain } from '@tfgrid/devchain';
import { startExplorer, type Explorer } from '@tfgrid/explorer';
import { serveBusyboxImage } from '@tfgrid/testkit';
import { agentHardwareRoot, bin, cleanupAgentLeftovers, cli, until } from './helpers';

jest.setTimeout(300_000);

const ROOT = path.resolve(__dirname, '../../..');
const MiB = 1024 ** 2;
let chain: Devchain;
let explorer: Explorer;
let dir: string;
let agent: ChildProcess | undefined;
let agentLog = '';
let images: Awaited<ReturnType<typeof serveBusyboxImage>> | undefined;

const at = (): string[] => ['--url', chain.url, '--explorer', explorer.url, '--quiet'];
const farmerKey = () => ({ TFGRID_MNEMONIC_FILE: path.join(dir, 'farmer.key') });
const deployerKey = () => ({ TFGRID_MNEMONIC_FILE: path.join(dir, 'deployer.key') });
const ALICE = { TFGRID_MNEMONIC: '//Alice' };

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- the CLI's JSON output, checked field by field by the assertions
async function ok(argv: string[], env: Record<string, string> = {}): Promise<any> {
  const r = await cli([...argv, '--json', ...at()], env);
  if (r.code !== 0) throw new Error(`tfgrid ${argv.join(' ')} → ${r.code}\n${r.stderr}`);
  return r.json();
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- an HTTP answer's JSON, checked field by field by the assertions
async function getJson<T = any>(url: string): Promise<T> {
  const r = await fetch(url, { signal: AbortSignal.timeout(5000) });
  return (await r.json()) as T;
}

/** The first agent log record with this message (pino JSON lines on its stdout). */
function agentRecord(msg: string): Record<string, unknown> | undefined {
  for (const line of agentLog.split('\n')) {
    if (!line.includes(`"msg":"${msg}"`)) continue;
    try {
      return JSON.parse(line) as Record<string, unknown>;
    } catch {
      /* a partial line: wait for more */
    }
  }
  return undefined;
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'tfgrid-e2e-'));
  // Workloads run as an unprivileged user when the agent is root: it must traverse to its pool.
  chmodSync(dir, 0o711);
  chain = await startDevchain({ port: 0 });
  explorer = await startExplorer({ chain: chain.url, db: path.join(dir, 'explorer'), port: 0, pollMs: 200 });
});

afterAll(async () => {
  if (agent && agent.exitCode === null) {
    const exited = new Promise((r) => agent!.once('exit', r));
    agent.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
    if (agent.exitCode === null) agent.kill('SIGKILL');
  }
  await images?.close();
  if (dir) await cleanupAgentLeftovers(dir, 'tfgrid-e2e0');
  await explorer?.stop();
  await chain?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test('farm → agent registers → nodes find → deploy volume + HTTP server → reach it → usage and bills → cancel frees everything', async () => {
  // The farmer: a new key, funded by //Alice, terms, twin, farm with a public IP.
  const farmer = await ok(['account', 'new', '--save', path.join(dir, 'farmer.key')]);
  await ok(['account', 'transfer', '--to', farmer.address, '--amount', '100'], ALICE);
  await ok(['terms', 'accept'], farmerKey());
  await ok(['twin', 'create'], farmerKey());
  const farm = await ok(['farm', 'create', '--name', 'e2e_farm', '--ip', '185.206.122.40/24', '--gw', '185.206.122.1'], farmerKey());

  // The agent boots on this machine's hardware and waits for funds; the farmer sends them.
  const hardwareRoot = agentHardwareRoot();
  const pool = path.join(dir, 'pool');
  mkdirSync(pool, { recursive: true, mode: 0o711 });
  agent = spawn(
    process.execPath,
    [
      path.join(ROOT, 'packages/agent/bin/tfgrid-agent.js'),
      '--chain-url',
      chain.url,
      '--farm-id',
      String(farm.id),
      '--data-dir',
      path.join(dir, 'agent'),
      '--storage-pool',
      pool,
      '--metrics-address',
      '127.0.0.1:0',
      '--workload-runtime',
      'runc',
      '--workload-bridge',
      'tfgrid-e2e0',
      '--workload-subnet',
      '10.252.0.0/24',
      '--city',
      'Ghent',
      '--country',
      'Belgium',
      '--latitude',
      '51.05',
      '--longitude',
      '3.72',
      ...(hardwareRoot ? ['--root', hardwareRoot] : []),
    ],
    { cwd: ROOT, env: { PATH: process.env.PATH, HOME: process.env.HOME }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  agent.stdout!.on('data', (b: Buffer) => (agentLog += b.toString()));
  agent.stderr!.on('data', (b: Buffer) => (agentLog += b.toString()));
  const identity = await until('the agent identity', async () => agentRecord('identity loaded'), 60_000);
  const metricsUrl = `http://${String((await until('agent metrics', async () => agentRecord('metrics listening'), 30_000)).address)}/metrics`;
  await ok(['account', 'transfer', '--to', String(identity.address), '--amount', '50'], farmerKey());
  const reg = await until('the agent to register', async () => agentRecord('registered'), 90_000).catch((e: Error) => {
    throw new Error(`${e.message}\n${agentLog}`);
  });
  const nodeId = reg.nodeId as number;
  expect((await ok(['node', 'list'], farmerKey())).map((n: { id: number }) => n.id)).toEqual([nodeId]);

  // The explorer lists the node as up, with its capacity.
  const listed = await until(
    'the explorer to list the node up',
    async () => {
      const nodes = await ok(['nodes', 'find']);
      return nodes.find((n: { nodeId: number }) => n.nodeId === nodeId);
    },
    60_000,
    500,
  );
  expect(listed).toMatchObject({ nodeId, farmId: farm.id, status: 'up', country: 'Belgium' });
  expect(listed.total_resources.cru).toBeGreaterThan(0);
  expect(listed.total_resources.mru).toBeGreaterThan(512 * MiB);

  // The deployer: a new key, funds, twin; finds capacity and deploys a volume and an HTTP server.
  const deployer = await ok(['account', 'new', '--save', path.join(dir, 'deployer.key')]);
  await ok(['account', 'transfer', '--to', deployer.address, '--amount', '500'], ALICE);
  await ok(['terms', 'accept'], deployerKey());
  const { twinId } = await ok(['twin', 'create'], deployerKey());
  const found = await ok(['nodes', 'find', '--free-mru', '1', '--cru', '1', '--country', 'Belgium']);
  expect(found.map((n: { nodeId: number }) => n.nodeId)).toContain(nodeId);

  // The image: busybox (Debian's busybox-static, by the agent's builder) from a loopback server.
  images = await serveBusyboxImage(dir);
  const { url, sha256 } = images.image;
  const file = path.join(dir, 'web.json');
  writeFileSync(
    file,
    JSON.stringify({
      description: 'e2e web',
      workloads: [
        { type: 'volume', name: 'data', size: '16MiB' },
        {
          type: 'zmachine',
          name: 'web',
          image: { url, sha256 },
          size: '64MiB',
          compute_capacity: { cpu: 1, memory: '256MiB' },
          entrypoint: "echo 'hello from the grid' > /data/index.html && exec httpd -f -p 8080 -h /data",
          mounts: [{ name: 'data', mountpoint: '/data' }],
        },
      ],
    }),
  );
  const d = await bin(
    ['deploy', file, '--node', String(nodeId), '--wait-timeout', '90', '--json', '--url', chain.url, '--explorer', explorer.url],
    deployerKey(),
    150_000,
  );
  if (d.code !== 0) throw new Error(`deploy failed (${d.code}): ${d.stderr}\n${agentLog.slice(-4000)}`);
  const dep = d.json();
  expect(dep).toMatchObject({ nodeId, twinId, running: true });
  const web = dep.workloads.find((w: { name: string }) => w.name === 'web');
  expect(web).toMatchObject({ type: 'zmachine', state: 'ok', data: { runtime: 'runc' } });
  const address = web.data.addresses.node_local as string;
  expect(address).toMatch(/^\d+\.\d+\.\d+\.\d+$/);
  expect(dep.workloads.find((w: { name: string }) => w.name === 'data')).toMatchObject({ state: 'ok', data: { size: 16 * MiB } });
  const contractId = dep.contractId as number;

  // The server answers on the machine's node-local address, from the volume.
  const body = await until(
    'the HTTP server in the zmachine',
    async () => {
      const r = await fetch(`http://${address}:8080/index.html`, { signal: AbortSignal.timeout(1000) });
      return r.text();
    },
    30_000,
    500,
  );
  expect(body).toBe('hello from the grid\n');

  // The explorer shows the contract with its used resources, and the node's used capacity.
  const c = await until(
    'the explorer to see the used resources',
    async () => {
      const x = await getJson(`${explorer.url}/contracts/${contractId}`);
      return x.resources_used?.cru === 1 ? x : undefined;
    },
    30_000,
    500,
  );
  expect(c).toMatchObject({
    contract_id: contractId,
    twin_id: twinId,
    state: 'Created',
    type: 'node',
    details: { nodeId, deployment_hash: dep.hash },
  });
  const usedNode = await until(
    'the node used resources',
    async () => {
      const n = (await ok(['nodes', 'find', '--farm', String(farm.id)]))[0];
      return n?.used_resources.cru === 1 ? n : undefined;
    },
    30_000,
    500,
  );
  expect(usedNode.used_resources.mru).toBe(256 * MiB);
  expect((await ok(['contracts', 'list'], deployerKey())).map((x: { contract_id: number }) => x.contract_id)).toEqual([contractId]);

  // Bills accrue as blocks pass (the dev chain bills every 10 blocks): seal blocks over HTTP JSON-RPC.
  const before = (await ok(['account', 'balance'], deployerKey())).units.free as string;
  const bills = await until(
    'bills',
    async () => {
      await fetch(chain.httpUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ id: 1, jsonrpc: '2.0', method: 'dev_newBlock', params: [{ count: 12 }] }),
      });
      const b = await getJson<{ amount_billed: number }[]>(`${explorer.url}/contracts/${contractId}/bills`);
      return b.length > 0 ? b : undefined;
    },
    60_000,
    1000,
  );
  expect(bills[0]!.amount_billed).toBeGreaterThan(0);
  expect(BigInt((await ok(['account', 'balance'], deployerKey())).units.free)).toBeLessThan(BigInt(before));
  expect((await getJson(`${explorer.url}/contracts/${contractId}`)).total_billed).toBeGreaterThan(0);
  expect(await (await fetch(metricsUrl)).text()).toMatch(/tfgrid_agent_contracts_active 1/);

  // Cancel: the node frees everything and the explorer agrees.
  expect(await ok(['contracts', 'cancel', String(contractId)], deployerKey())).toEqual({ canceled: [contractId] });
  await until(
    'the HTTP server to stop',
    async () => {
      try {
        await fetch(`http://${address}:8080/index.html`, { signal: AbortSignal.timeout(1000) });
        return false;
      } catch {
        return true;
      }
    },
    30_000,
    500,
  );
  await until(
    'the agent to free the workloads',
    async () => /tfgrid_agent_contracts_active 0/.test(await (await fetch(metricsUrl)).text()),
    30_000,
    500,
  );
  const metrics = await (await fetch(metricsUrl)).text();
  for (const r of ['cru', 'mru', 'sru', 'hru']) expect(metrics).toContain(`tfgrid_agent_capacity_used{resource="${r}"} 0`);
  const gone = await until(
    'the explorer to show the contract deleted',
    async () => {
      const x = await ok(['contracts', 'show', String(contractId)]);
      return x.state === 'Deleted' ? x : undefined;
    },
    30_000,
    500,
  );
  expect(gone.source).toBe('explorer');
  const freed = await until(
    'the explorer to free the node',
    async () => {
      const n = (await ok(['nodes', 'find', '--farm', String(farm.id)]))[0];
      return n?.used_resources.cru === 0 && n.num_contracts === 0 ? n : undefined;
    },
    30_000,
    500,
  );
  expect(freed.free_resources.mru).toBe(listed.free_resources.mru);
  expect(await ok(['contracts', 'list'], deployerKey())).toEqual([]);
  expect((await ok(['node', 'show', String(nodeId)])).activeContracts).toEqual([]);
});
