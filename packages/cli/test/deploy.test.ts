/**
 * `tfgrid deploy` and `tfgrid contracts show|update` as a user runs them, against a dev chain, an
 * explorer and a real agent (in-process, on the agent's server fixture hardware) started here:
 * the node's answer printed (states, sizes), the explorer's capacity check refusing before any
 * contract exists, the node's own refusal reaching the CLI with its reason within the 10 s wait
 * (exit 1, contract canceled; kept with --keep-on-refusal), and an update of a changed workload
 * raising its version so the node applies it. Bad files are refused before the chain is touched.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connect, TFT, type TfchainClient } from '@tfgrid/client';
import type { Devchain } from '@tfgrid/devchain';
import { serveBusyboxImage, SERVER_FIXTURE, setupFarmer, startChain } from '@tfgrid/testkit';
import { startExplorer, type Explorer } from '@tfgrid/explorer';
import { Agent, createLogger, DEFAULTS } from '@tfgrid/agent';
import { bin, cleanupAgentLeftovers, cli, until } from './helpers';

jest.setTimeout(180_000);

const MiB = 1024 ** 2;
const FIXTURE = SERVER_FIXTURE;
const CHARLIE = { TFGRID_MNEMONIC: '//Charlie' };
let chain: Devchain;
let explorer: Explorer;
let dir: string;
let alice: TfchainClient;
let agent: Agent;
let nodeId: number;

const at = (): string[] => ['--url', chain.url, '--explorer', explorer.url, '--quiet'];

function file(name: string, workloads: unknown[]): string {
  const f = path.join(dir, name);
  writeFileSync(f, JSON.stringify({ description: name, workloads }));
  return f;
}
const volume = (size: string) => ({ type: 'volume', name: 'data', size });
/** A machine asking for more CPUs than the fixture node's 16. */
const tooManyCpus = {
  type: 'zmachine',
  name: 'web',
  flist: 'https://hub.grid.tf/tf-official-apps/base:latest.flist',
  compute_capacity: { cpu: 64, memory: '256MiB' },
  size: '64MiB',
  entrypoint: 'sleep 600',
};

const active = (): Promise<number[]> => alice.contracts.activeForNode(nodeId);

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'tfgrid-deploy-'));
  chain = await startChain();
  explorer = await startExplorer({ chain: chain.url, db: path.join(dir, 'explorer'), port: 0, pollMs: 200 });
  alice = await connect({ url: chain.url, secret: '//Alice' });
  // A farmer (Bob) and a farm; the deployer (Charlie) accepts the terms and creates a twin through the CLI.
  const farmer = await setupFarmer(chain.url, { name: 'deploy_farm', relay: null });
  const farmId = farmer.farmId;
  await farmer.client.disconnect();
  for (const argv of [
    ['terms', 'accept'],
    ['twin', 'create'],
  ])
    expect((await cli([...argv, ...at()], CHARLIE)).code).toBe(0);
  const pool = path.join(dir, 'pool');
  mkdirSync(pool, { recursive: true });
  agent = new Agent(
    {
      ...DEFAULTS,
      chainUrl: chain.url,
      farmId,
      dataDir: path.join(dir, 'agent'),
      storagePools: [pool],
      root: FIXTURE,
      workloadBridge: 'tfgrid-dpl0',
      workloadSubnet: '10.253.0.0/24',
      metricsAddress: '127.0.0.1:0',
      uptimeIntervalSec: 3600,
      nruIntervalSec: 3600,
      reconcileIntervalSec: 3600,
    },
    {
      logger: createLogger(process.env.AGENT_TEST_LOG ?? 'silent'),
      retryMinMs: 200,
      retryMaxMs: 1000,
      fundsPollMs: 200,
      eventsPollMs: 500,
    },
  );
  await agent.start();
  await until('the agent identity', async () => agent.status().address);
  await alice.balances.transfer({ to: agent.status().address!, amount: 100n * TFT });
  nodeId = (await agent.registered).nodeId;
  await until('the explorer to index the node', async () => (await fetch(`${explorer.url}/nodes/${nodeId}`)).ok);
});

afterAll(async () => {
  await agent?.stop();
  if (dir) await cleanupAgentLeftovers(dir, 'tfgrid-dpl0');
  await alice?.disconnect();
  await explorer?.stop();
  await chain?.stop();
  rmSync(dir, { recursive: true, force: true });
});

test("deploy prints the node's answer; contracts show lists each workload; update raises the changed workload's version and the node applies it", async () => {
  const d = await bin(
    [
      'deploy',
      file('vol.json', [volume('16MiB')]),
      '--node',
      String(nodeId),
      '--wait-timeout',
      '30',
      '--json',
      '--url',
      chain.url,
      '--explorer',
      explorer.url,
    ],
    CHARLIE,
  );
  if (d.code !== 0) throw new Error(`deploy failed (${d.code}): ${d.stderr}`);
  const out = d.json();
  expect(out).toMatchObject({
    nodeId,
    running: true,
    workloads: [{ name: 'data', type: 'volume', state: 'ok', version: 0, data: { size: 16 * MiB } }],
  });
  expect(d.stderr).toMatch(/checking node \d+'s free capacity/);
  expect(d.stderr).toMatch(/node \d+: data {2}volume {2}ok {2}v0 {2}16 MiB/);
  const id = out.contractId as number;

  const show = await cli(['contracts', 'show', String(id), '--url', chain.url, '--explorer', explorer.url], CHARLIE);
  expect(show.code).toBe(0);
  expect(show.stdout).toMatch(/data {2}volume {2}ok {2}v0 {2}16 MiB/);
  expect(show.stdout).toMatch(/last billed: +(never|\d{4}-\d\d-\d\dT)/);
  expect(show.stdout).not.toMatch(/last billed: +block/);
  // Without the deployer's key: the states, not the sealed details.
  const anyone = await cli(['contracts', 'show', String(id), '--json', ...at()]);
  expect(anyone.json().answer).toMatchObject({ sealed: true, opened: false, workloads: [{ name: 'data', state: 'ok' }] });

  const up = await cli(
    ['contracts', 'update', String(id), file('vol-v2.json', [volume('32MiB')]), '--wait-timeout', '30', '--json', ...at()],
    CHARLIE,
  );
  if (up.code !== 0) throw new Error(`update failed (${up.code}): ${up.stderr}`);
  expect(up.json()).toMatchObject({
    contractId: id,
    version: 1,
    changed: ['data'],
    workloads: [{ name: 'data', state: 'ok', version: 1, data: { size: 32 * MiB } }],
  });
  expect(agent.provisioner!.states(id)).toEqual([expect.objectContaining({ name: 'data', state: 'ok', version: 1 })]);

  const notOwner = await cli(['contracts', 'update', String(id), file('vol-v3.json', [volume('8MiB')]), '--no-wait', ...at()], {
    TFGRID_MNEMONIC: '//Bob',
  });
  expect(notOwner.code).toBe(1);
  await until('the explorer to list the contract', async () =>
    (await cli(['contracts', 'list', '--json', ...at()], CHARLIE)).json().some((c: { contract_id: number }) => c.contract_id === id),
  );

  expect((await cli(['contracts', 'cancel', String(id), '--json', ...at()], CHARLIE)).json()).toEqual({ canceled: [id] });
  const again = await cli(['contracts', 'cancel', String(id), ...at()], CHARLIE);
  expect(again.code).toBe(1);
  expect(again.stderr).toContain('SmartContractModule.ContractNotExists');
  await until(
    'the explorer to see the cancel',
    async () => (await cli(['contracts', 'show', String(id), '--json', ...at()])).json().state === 'Deleted',
  );
});

test('the explorer capacity check refuses before any contract exists, naming the short resource', async () => {
  const before = await active();
  const r = await cli(['deploy', file('big.json', [tooManyCpus]), '--node', String(nodeId), ...at()], CHARLIE);
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/node \d+ has not enough free capacity: CPU: needs 64, 16 free \(nothing was created\)/);
  expect(await active()).toEqual(before);
});

test("the node's refusal reaches deploy with its reason within the wait, exit 1, the contract canceled; --keep-on-refusal keeps it", async () => {
  const big = file('big.json', [tooManyCpus]);
  const r = await cli(['deploy', big, '--node', String(nodeId), '--no-capacity-check', '--wait-timeout', '10', '--json', ...at()], CHARLIE);
  expect(r.code).toBe(1);
  expect(r.stderr).toMatch(/node \d+ refused the deployment: web: not enough free capacity on this node: cru/);
  const err = JSON.parse(r.stdout).error;
  expect(err).toMatchObject({
    kind: 'refused',
    canceled: true,
    reasons: [{ name: 'web', reason: expect.stringContaining('not enough free capacity') }],
  });
  expect(await alice.contracts.get(err.contractId)).toBeUndefined();

  const kept = await cli(
    ['deploy', big, '--node', String(nodeId), '--no-capacity-check', '--keep-on-refusal', '--wait-timeout', '10', '--json', ...at()],
    CHARLIE,
  );
  expect(kept.code).toBe(1);
  const e2 = JSON.parse(kept.stdout).error;
  expect(e2).toMatchObject({ kind: 'refused', canceled: false });
  expect(kept.stderr).toMatch(/contract \d+ kept \(--keep-on-refusal\)/);
  expect((await alice.contracts.get(e2.contractId))?.state).toBe('Created');
  const show = await cli(['contracts', 'show', String(e2.contractId), ...at()], CHARLIE);
  expect(show.stdout).toMatch(/web {2}zmachine {2}error {2}v0 {2}— not enough free capacity/);
  expect((await cli(['contracts', 'cancel', String(e2.contractId), ...at()], CHARLIE)).code).toBe(0);
  await until(
    'the node to remove its answer',
    async () => (await alice.kvstore.list({ account: agent.status().address! })).every((x) => !x.key.startsWith('ans/')),
    30_000,
    500,
  );
});

test("an image whose sha256 differs and a Zero-OS flist reach deploy as the node's reasons within the wait; the contracts are canceled", async () => {
  // The busybox image (Debian's busybox-static, by the agent's builder) on a loopback server.
  const served = await serveBusyboxImage(dir);
  const { url, sha256 } = served.image;
  try {
    const wrong = `${sha256.slice(0, -1)}${sha256.endsWith('0') ? '1' : '0'}`;
    const machine = {
      type: 'zmachine',
      name: 'web',
      image: { url, sha256: wrong },
      compute_capacity: { cpu: 1, memory: '256MiB' },
      size: '64MiB',
      entrypoint: 'sleep 600',
    };
    const r = await cli(
      ['deploy', file('bad-hash.json', [machine]), '--node', String(nodeId), '--wait-timeout', '10', '--json', ...at()],
      CHARLIE,
    );
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`node ${nodeId} refused the deployment: web: `);
    expect(r.stderr).toContain(`has sha256 ${sha256}, not ${wrong}`);
    const err = JSON.parse(r.stdout).error;
    expect(err).toMatchObject({ kind: 'refused', canceled: true });
    expect(await alice.contracts.get(err.contractId)).toBeUndefined();
  } finally {
    await served.close();
  }
  const flist = {
    type: 'zmachine',
    name: 'web',
    flist: 'https://hub.grid.tf/tf-official-apps/base:latest.flist',
    compute_capacity: { cpu: 1, memory: '256MiB' },
    size: '64MiB',
    entrypoint: 'sleep 600',
  };
  const f = await cli(['deploy', file('flist.json', [flist]), '--node', String(nodeId), '--wait-timeout', '10', ...at()], CHARLIE);
  expect(f.code).toBe(1);
  expect(f.stderr).toMatch(/refused the deployment: web: .*flist/i);
  expect(f.stderr).toMatch(/contract \d+ canceled/);
});

test('deploy refuses bad files with the field named (exit 2) before touching the chain', async () => {
  const bad = file('bad.json', [{ type: 'zmachine', name: 'web', flist: 'nope', cpu: 0, memory: '1MiB' }]);
  const r = await cli(['deploy', bad, '--node', String(nodeId), ...at()], CHARLIE);
  expect(r.code).toBe(2);
  expect(r.stderr).toMatch(/\$\.workloads\[0\]\.data\.flist/);
  expect(r.stderr).toMatch(/data\.compute_capacity\.cpu/);
  const twice = file('twice.json', [
    { type: 'vm', name: 'web', flist: 'https://x.org/a.flist', cpu: 1, compute_capacity: { cpu: 1, memory: '256MiB' } },
  ]);
  expect((await cli(['deploy', twice, '--node', String(nodeId), ...at()], CHARLIE)).stderr).toMatch(/workloads\[0\]\.cpu is given twice/);
  writeFileSync(bad, '{ not json');
  expect((await cli(['deploy', bad, '--node', '1', ...at()], CHARLIE)).stderr).toMatch(/is not JSON/);
  expect((await cli(['deploy', path.join(dir, 'missing.json'), '--node', '1', ...at()], CHARLIE)).stderr).toMatch(
    /cannot read the deployment file/,
  );
  expect((await cli(['deploy', bad, ...at()], CHARLIE)).stderr).toMatch(/needs --node/);
});
