/**
 * Private networks from the deployer's side: the deploy file's `networks` and per-workload `node`
 * refused when wrong (exit 2, the field named); a real deploy of two zmachines on two nodes of one
 * network (a dev chain and two in-process agents with the runc runtime, each on a bridge and range
 * of its own) where machine A reaches machine B's private address over WireGuard; the plan saved
 * 0600 and its keys never printed; `network access` writing a wg-quick file whose keys and endpoint
 * are the plan's, the access node's network workload updated with the new peer; a gateway on node 2
 * naming the network (its node joining it with a subnet of its own) answering its name with machine
 * A's page over the network, A named as the backend (`http://a:80`), and an own domain
 * (gateway-fqdn-proxy, no name contract) on it the same way, refused first under the node's domain
 * or on a node that is no gateway; a machine with a public IPv4
 * and IPv6 (node 1's public interface a veth into an "Internet" namespace the test makes), both
 * printed, its page reached from there over IPv6.
 *
 * The dev chain refuses loopback in a node's public config (as TFChain does), so the nodes'
 * endpoints are given with `--endpoint NODE=127.0.0.1`.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { connect, TFT, type NetworkPlan, type TfchainClient } from '@tfgrid/client';
import type { Devchain } from '@tfgrid/devchain';
import { serveBusyboxImage, SERVER_FIXTURE, setupFarmer, startChain } from '@tfgrid/testkit';
import { instanceTag, networkId } from '@tfgrid/agent';
import { cleanupAgentLeftovers, cli, freePort, until } from './helpers';

jest.setTimeout(300_000);

const ROOT = path.resolve(__dirname, '../../..');
const FIXTURE = SERVER_FIXTURE;
const CHARLIE = { TFGRID_MNEMONIC: '//Charlie' };
const BRIDGES = ['tfgrid-net0', 'tfgrid-net1'];
const NET = `net${process.pid % 10000}`;
// Node 1's public interface: a veth into "the Internet", a namespace the test makes.
const TAG = (process.pid % 0xfff).toString(16).padStart(3, '0');
const INTERNET = `tfc6${TAG}i`;
const PUB = `tfc6${TAG}p`;
const PREFIX6 = '2001:2:0:81';
let chain: Devchain;
let dir: string;
let alice: TfchainClient;
// The agents run as processes of their own, as on a node (runc runtime, each its bridge and range).
const agents: { p: ChildProcess; log: string }[] = [];
const nodeIds: number[] = [];
const gatewayPorts: number[] = [];
let served: Awaited<ReturnType<typeof serveBusyboxImage>>;
let env: Record<string, string>;
let farmId: number;

const at = (): string[] => ['--url', chain.url, '--no-capacity-check'];
const agentDir = (i: number): string => path.join(dir, `agent${i}`);
/** The first JSON log line of agent `i` with this message. */
function logged(i: number, msg: string): Record<string, unknown> | undefined {
  const line = agents[i]!.log.split('\n').find((l) => l.includes(`"msg":"${msg}"`) && l.endsWith('}'));
  return line ? (JSON.parse(line) as Record<string, unknown>) : undefined;
}
/** Whether agent `i` still holds a machine: a bundle under its machines directory (removed last, after the machine's namespace). */
function holdsMachines(i: number): boolean {
  const dir = path.join(agentDir(i), 'machines');
  return existsSync(dir) && readdirSync(dir).length > 0;
}
/** Whether agent `i` still holds a namespace of a private network. */
const holdsNetworks = (i: number): boolean =>
  execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' }).includes(`tfn-${instanceTag(agentDir(i))}`);

const sh = (argv: string[]): string =>
  execFileSync(argv[0]!, argv.slice(1), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });

function file(name: string, content: unknown): string {
  const f = path.join(dir, name);
  writeFileSync(f, JSON.stringify(content));
  return f;
}

const machine = (name: string, node: number | undefined, network: unknown) => ({
  type: 'zmachine',
  name,
  ...(node === undefined ? {} : { node }),
  image: served.image,
  compute_capacity: { cpu: 1, memory: '256MiB' },
  size: '64MiB',
  entrypoint: 'mkdir -p /www; hostname > /www/index.html; exec httpd -f -p 80 -h /www',
  network,
});
const joins = (net: string) => ({ interfaces: [{ network: net }] });
const gateway = (node: number, network: string, backends: string[], gatewayName = 'mysite') => ({
  type: 'gateway-name-proxy',
  name: 'site',
  node,
  gateway_name: gatewayName,
  network,
  backends,
});

/** An HTTP GET of host:80 from inside machine `id` of agent `i` (busybox nc: its wget crashes in the static image). */
function fetchFrom(i: number, id: string, host: string): string | undefined {
  try {
    const out = execFileSync(
      'runc',
      [
        '--root',
        path.join(agentDir(i), 'runc'),
        'exec',
        id,
        '/bin/sh',
        '-c',
        `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 ${host} 80 || true`,
      ],
      { encoding: 'utf8', timeout: 30_000, stdio: ['ignore', 'pipe', 'pipe'] },
    );
    return out.startsWith('HTTP/1.') ? out.slice(out.indexOf('\r\n\r\n') + 4) : undefined;
  } catch {
    return undefined;
  }
}

/** One GET / to the gateway on 127.0.0.1:`port` with the given Host header. */
function viaGateway(port: number, host: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path: '/', headers: { host }, agent: false }, (res) => {
      let body = '';
      res.on('data', (b: Buffer) => (body += b.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.setTimeout(5000, () => req.destroy(new Error('gateway request timed out')));
  });
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'tfgrid-network-'));
  env = { ...CHARLIE, TFGRID_STATE_DIR: path.join(dir, 'state') };
  chain = await startChain();
  alice = await connect({ url: chain.url, secret: '//Alice' });
  const farmer = await setupFarmer(chain.url, { name: 'network_farm', relay: null });
  farmId = farmer.farmId;
  await farmer.client.disconnect();
  for (const argv of [
    ['terms', 'accept'],
    ['twin', 'create'],
  ])
    expect((await cli([...argv, '--url', chain.url], CHARLIE)).code).toBe(0);
  served = await serveBusyboxImage(dir);
  sh(['ip', 'netns', 'add', INTERNET]);
  sh(['ip', 'link', 'add', PUB, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', INTERNET]);
  sh(['ip', 'link', 'set', PUB, 'up']);
  sh(['ip', '-n', INTERNET, 'addr', 'add', '185.206.122.1/24', 'dev', 'eth0']);
  sh(['ip', '-n', INTERNET, 'addr', 'add', `${PREFIX6}::1/64`, 'dev', 'eth0', 'nodad']);
  sh(['ip', '-n', INTERNET, 'link', 'set', 'lo', 'up']);
  sh(['ip', '-n', INTERNET, 'link', 'set', 'eth0', 'up']);
  for (let i = 0; i < 2; i++) {
    const pool = path.join(dir, `pool${i}`);
    mkdirSync(pool, { recursive: true });
    // A node whose public config gets a domain serves gateway names on its loopback port.
    gatewayPorts.push(await freePort());
    const argv = [
      path.join(ROOT, 'packages/agent/bin/tfgrid-agent.js'),
      '--chain-url',
      chain.url,
      '--farm-id',
      String(farmId),
      '--data-dir',
      agentDir(i),
      '--storage-pool',
      pool,
      '--root',
      FIXTURE,
      '--metrics-address',
      '127.0.0.1:0',
      '--workload-runtime',
      'runc',
      '--workload-bridge',
      BRIDGES[i]!,
      '--workload-subnet',
      `10.251.${10 + i}.0/24`,
      '--gateway-http',
      `127.0.0.1:${gatewayPorts[i]}`,
      ...(i === 0 ? ['--public-interface', PUB] : []),
    ];
    const a = {
      p: spawn(process.execPath, argv, {
        cwd: ROOT,
        env: { PATH: process.env.PATH, HOME: process.env.HOME },
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
      log: '',
    };
    a.p.stdout!.on('data', (b: Buffer) => (a.log += b.toString()));
    a.p.stderr!.on('data', (b: Buffer) => (a.log += b.toString()));
    agents.push(a);
    const identity = await until('the agent identity', async () => logged(i, 'identity loaded'), 60_000);
    await alice.balances.transfer({ to: String(identity.address), amount: 100n * TFT });
    const reg = await until('the agent to register', async () => logged(i, 'registered'), 90_000).catch((e: Error) => {
      throw new Error(`${e.message}\n${a.log}`);
    });
    nodeIds.push(reg.nodeId as number);
  }
});

afterAll(async () => {
  // Whatever a failed test left: canceled, and removed by the nodes before they stop.
  const live = alice ? (await Promise.all(nodeIds.map((n) => alice.contracts.activeForNode(n).catch(() => [] as number[])))).flat() : [];
  if (live.length) {
    await cli(['contracts', 'cancel', ...live.map(String), '--url', chain.url], env);
    await until('the nodes to remove the networks', async () => agents.every((_, i) => !holdsNetworks(i)), 60_000, 500).catch(
      () => undefined,
    );
  }
  // A machine canceled last may still be being removed: stopping its agent now would leave its namespace.
  await until('the nodes to remove their machines', async () => agents.every((_, i) => !holdsMachines(i)), 60_000, 500).catch(
    () => undefined,
  );
  for (const a of agents) {
    if (a.p.exitCode !== null) continue;
    const exited = new Promise((r) => a.p.once('exit', r));
    a.p.kill('SIGTERM');
    await Promise.race([exited, new Promise((r) => setTimeout(r, 15_000))]);
    if (a.p.exitCode === null) a.p.kill('SIGKILL');
  }
  for (let i = 0; i < agents.length; i++) await cleanupAgentLeftovers(agentDir(i), BRIDGES[i]!);
  await served?.close();
  try {
    sh(['ip', 'netns', 'del', INTERNET]); // takes the veth, PUB with it
  } catch {
    // not made
  }
  await alice?.disconnect();
  await chain?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('bad networks, nodes and gateways in the deploy file are refused with the field named (exit 2), before anything is sent', async () => {
  const cases: [unknown, RegExp][] = [
    [
      { networks: [{ name: 'bad name!' }], workloads: [machine('a', 1, joins('bad name!'))] },
      /networks\[0\]\.name must be 1 to 64 letters, digits, - or _, got "bad name!"/,
    ],
    [
      { networks: [{ name: 'net', ip_range: '8.8.0.0/16' }], workloads: [machine('a', 1, joins('net'))] },
      /networks\[0\]\.ip_range must be a \/16 of a private range/,
    ],
    [
      { networks: [{ name: 'net' }, { name: 'net' }], workloads: [machine('a', 1, joins('net'))] },
      /networks\[1\]\.name 'net' is given twice/,
    ],
    [
      { networks: [{ name: 'net' }], workloads: [machine('a', 1, joins('other'))] },
      /workloads\[0\]\.network\.interfaces\[0\]\.network names no network of the file: 'other' \(the file's networks: net\)/,
    ],
    [
      { networks: [{ name: 'net' }, { name: 'idle' }], workloads: [machine('a', 1, joins('net'))] },
      /networks: 'idle' joined by no machine/,
    ],
    [
      { networks: [{ name: 'net' }], workloads: [machine('a', 0, joins('net'))] },
      /workloads\[0\]\.node must be a node id \(a whole number ≥ 1\), got 0/,
    ],
    [
      { networks: [{ name: 'net' }], workloads: [machine('net', 1, joins('net'))] },
      /workloads\[0\]\.name 'net' is also the name of a network/,
    ],
    [
      { networks: [{ name: 'net' }], workloads: [machine('a', 1, joins('net')), machine('b', undefined, joins('net'))] },
      /workloads\[1\] \('b'\) has no node: give it "node" in the file or --node/,
    ],
    // A gateway on a network: the network must be the file's, its backends machines of it.
    [
      { networks: [{ name: 'net' }], workloads: [machine('a', 1, joins('net')), gateway(2, 'other', ['http://a:80'])] },
      /workloads\[1\] \('site'\)\.network names no network of the file nor one deployed before: 'other' \(the file's networks: net;/,
    ],
    [
      { networks: [{ name: 'net' }], workloads: [machine('a', 1, joins('net')), gateway(2, 'net', ['http://10.30.2.2:80'])] },
      /workloads\[1\] \('site'\)\.backends\[0\]: 10\.30\.2\.2 is outside network 'net' \(10\.20\.0\.0\/16\)/,
    ],
    [
      { networks: [{ name: 'net' }], workloads: [machine('a', 1, joins('net')), gateway(2, 'net', ['http://b:80'])] },
      /workloads\[1\]\.backends\[0\] names 'b', which is no machine of the file/,
    ],
  ];
  for (const [content, message] of cases) {
    const r = await cli(['deploy', file('bad.json', content), ...at()], env);
    expect({ code: r.code, stderr: r.stderr }).toEqual({ code: 2, stderr: expect.stringMatching(message) });
  }
  const ip = await cli(
    [
      'deploy',
      file('ip.json', { networks: [{ name: 'net' }], workloads: [machine('a', nodeIds[0], joins('net'))] }),
      '--endpoint',
      '1=somewhere',
      ...at(),
    ],
    env,
  );
  expect(ip.code).toBe(2);
  expect(ip.stderr).toMatch(/--endpoint must be NODE_ID=IP/);
  const show = await cli(['network', 'show', '../etc'], env);
  expect({ code: show.code, stderr: show.stderr }).toEqual({
    code: 2,
    stderr: expect.stringContaining("the network name must be 1 to 64 letters, digits, - or _, got '../etc'"),
  });
  const user = await cli(['network', 'access', 'net', '--user', 'a b', ...at().slice(0, 2)], env);
  expect({ code: user.code, stderr: user.stderr }).toEqual({ code: 2, stderr: expect.stringContaining('--user must be 1 to 64 letters') });
  expect(readdirSync(dir)).not.toContain('state');
});

test('two zmachines on two nodes of one network: A reaches B over it; network access gives a config the access node accepts', async () => {
  const [n1, n2] = nodeIds as [number, number];
  const f = file('net.json', {
    description: 'two nodes',
    networks: [{ name: NET, ip_range: '10.30.0.0/16' }],
    workloads: [machine('a', undefined, { interfaces: [{ network: NET }] }), machine('b', n2, joins(NET))],
  });
  const endpoints = ['--endpoint', `${n1}=127.0.0.1`, '--endpoint', `${n2}=127.0.0.1`];
  const d = await cli(['deploy', f, '--node', String(n1), ...endpoints, '--wait-timeout', '90', '--json', ...at()], env);
  if (d.code !== 0) throw new Error(`deploy failed (${d.code}): ${d.stderr}\n${d.stdout}`);
  const out = d.json();
  expect(out.contracts).toEqual([expect.objectContaining({ nodeId: n1 }), expect.objectContaining({ nodeId: n2 })]);
  expect(out.networks).toEqual([
    {
      name: NET,
      ipRange: '10.30.0.0/16',
      nodes: [
        { nodeId: n1, subnet: '10.30.2.0/24', endpoint: '127.0.0.1' },
        { nodeId: n2, subnet: '10.30.3.0/24', endpoint: '127.0.0.1' },
      ],
    },
  ]);
  const [ca, cb] = out.contracts.map((c: { contractId: number }) => c.contractId) as [number, number];
  expect(out.machines).toEqual([
    expect.objectContaining({ name: 'a', nodeId: n1, contractId: ca, private: { [NET]: '10.30.2.2' } }),
    expect.objectContaining({ name: 'b', nodeId: n2, contractId: cb, private: { [NET]: '10.30.3.2' } }),
  ]);

  // The plan is saved 0600 with its keys; none of them is printed.
  const stateFile = path.join(dir, 'state', `${out.twinId}-${NET}.json`);
  expect(statSync(stateFile).mode & 0o777).toBe(0o600);
  const plan = JSON.parse(readFileSync(stateFile, 'utf8')).plan as NetworkPlan;
  for (const n of plan.nodes) {
    expect(d.stdout + d.stderr).not.toContain(n.privateKey);
  }

  // A (node 1) reaches B (node 2) over WireGuard, and back.
  expect(await until('A to reach B over the network', async () => fetchFrom(0, `${ca}-a`, '10.30.3.2'), 60_000, 500)).toMatch(
    new RegExp(`${cb}-b`),
  );
  expect(fetchFrom(1, `${cb}-b`, '10.30.2.2')).toMatch(new RegExp(`${ca}-a`));

  const text = await cli(['network', 'show', NET], env);
  expect(text.code).toBe(0);
  expect(text.stdout).toMatch(new RegExp(`node ${n1} +10\\.30\\.2\\.0/24 +127\\.0\\.0\\.1:${plan.nodes[0]!.listenPort} +contract ${ca}`));
  expect(text.stdout).toMatch(/machine b +node \d+ +10\.30\.3\.2/);
  for (const n of plan.nodes) expect(text.stdout).not.toContain(n.privateKey);

  // A user's machine: the access node (node 1, the first with an endpoint) gets the peer.
  const conf = path.join(dir, 'laptop.conf');
  const acc = await cli(['network', 'access', NET, '--user', 'laptop', '--output', conf, '--json', '--url', chain.url], env);
  if (acc.code !== 0) throw new Error(`network access failed (${acc.code}): ${acc.stderr}`);
  expect(statSync(conf).mode & 0o777).toBe(0o600);
  const after = JSON.parse(readFileSync(stateFile, 'utf8')) as {
    plan: NetworkPlan;
    contracts: { contractId: number; deployment: { workloads: { name: string; data: { peers: { wireguard_public_key: string }[] } }[] } }[];
  };
  const user = after.plan.users.find((u) => u.name === 'laptop')!;
  const config = readFileSync(conf, 'utf8');
  expect(config).toContain(`PrivateKey = ${user.privateKey}`);
  expect(config).toContain(`Address = ${user.wireguardIp}/32`);
  expect(config).toContain(`PublicKey = ${plan.nodes[0]!.publicKey}`);
  expect(config).toContain(`Endpoint = 127.0.0.1:${plan.nodes[0]!.listenPort}`);
  expect(acc.stdout).not.toContain(user.privateKey);
  expect(acc.json()).toMatchObject({ network: NET, user: 'laptop', accessNode: n1, updatedNodes: expect.arrayContaining([n1]) });
  // The access node runs the new version of its network workload, with the user's key as a peer.
  const charlie = await connect({ url: chain.url, secret: '//Charlie' });
  const answer = await charlie.deployments.result(ca).finally(() => charlie.disconnect());
  expect(answer?.version).toBeGreaterThanOrEqual(1);
  expect(answer?.workloads.find((w) => w.name === NET)).toMatchObject({ state: 'ok', version: 1 });
  expect(after.contracts[0]!.deployment.workloads.find((w) => w.name === NET)!.data.peers.map((p) => p.wireguard_public_key)).toContain(
    user.publicKey,
  );
  const wg = `tfw${instanceTag(agentDir(0))}${networkId(out.twinId, NET)}`;
  const peers = execFileSync(
    'ip',
    ['netns', 'exec', `tfn-${instanceTag(agentDir(0))}${networkId(out.twinId, NET)}`, 'wg', 'show', wg, 'peers'],
    { encoding: 'utf8' },
  );
  expect(peers).toContain(user.publicKey);
  // Traffic between the machines still flows after the update.
  expect(await until('A to reach B after the update', async () => fetchFrom(0, `${ca}-a`, '10.30.3.2'), 30_000, 500)).toMatch(
    new RegExp(`${cb}-b`),
  );

  const list = await cli(['network', 'list', '--json'], env);
  expect(list.json()).toEqual([
    expect.objectContaining({ name: NET, users: [expect.objectContaining({ name: 'laptop', publicKey: user.publicKey })] }),
  ]);
  expect(list.stdout).not.toContain(user.privateKey);

  expect((await cli(['contracts', 'cancel', String(ca), String(cb), '--url', chain.url], env)).code).toBe(0);
  await until('both nodes to remove their networks', async () => !holdsNetworks(0) && !holdsNetworks(1), 60_000, 500);
});

test("a node's refusal cancels every node's contract (all or nothing); an endpoint comes from the node's public config", async () => {
  const [n1, n2] = nodeIds as [number, number];
  // The farmer gives node 2 a public config: its IPv4, without the prefix, is its endpoint.
  const bob = await connect({ url: chain.url, secret: '//Bob' });
  await bob.nodes.setPublicConfig({
    farmId,
    nodeId: n2,
    config: { ip4: { ip: '185.206.122.41/24', gw: '185.206.122.1' }, ip6: null, domain: null },
  });
  await bob.disconnect();
  const wrong = `${served.image.sha256.slice(0, -1)}${served.image.sha256.endsWith('0') ? '1' : '0'}`;
  const bad = { ...machine('b', n2, joins('other')), image: { ...served.image, sha256: wrong } };
  const f = file('refused.json', { networks: [{ name: 'other' }], workloads: [machine('a', n1, joins('other')), bad] });
  const r = await cli(['deploy', f, '--endpoint', `${n1}=127.0.0.1`, '--wait-timeout', '60', '--json', ...at()], env);
  expect(r.code).toBe(1);
  expect(r.stderr).toContain(`network 'other' 10.20.0.0/16: node ${n1} 127.0.0.1, node ${n2} 185.206.122.41`);
  expect(r.stderr).toMatch(new RegExp(`refused: node ${n2} \\(contract \\d+\\): b: .*sha256`));
  const err = JSON.parse(r.stdout).error;
  expect(err).toMatchObject({ kind: 'refused', canceled: true, refused: [expect.objectContaining({ nodeId: n2 })] });
  expect(r.stderr).toMatch(/contracts \d+, \d+ canceled/);
  expect(await alice.contracts.activeForNode(n1)).toEqual([]);
  expect(await alice.contracts.activeForNode(n2)).toEqual([]);
  // The plan of a network that no contract carries is forgotten.
  expect(readdirSync(path.join(dir, 'state')).filter((n) => n.includes('-other.json'))).toEqual([]);
  await until('node 1 to remove the network', async () => !holdsNetworks(0), 60_000, 500);
});

test("a gateway naming the network: its node joins it (a subnet, a network workload, the others' peer), a backend naming a machine gets its address; an unreserved name is refused first", async () => {
  const [n1, n2] = nodeIds as [number, number];
  const name = `site${process.pid % 10000}`;
  // The farmer makes node 2 a gateway node: a public config with a domain.
  const bob = await connect({ url: chain.url, secret: '//Bob' });
  await bob.nodes.setPublicConfig({
    farmId,
    nodeId: n2,
    config: { ip4: { ip: '185.206.122.41/24', gw: '185.206.122.1' }, ip6: null, domain: 'gw.test' },
  });
  // A name another twin holds.
  const bobs = `bob${process.pid % 10000}`;
  const bobsContract = await bob.contracts.createName(bobs);
  const bobTwin = (await bob.twins.idOf(bob.address))!;
  await bob.disconnect();
  const f = file('gateway.json', {
    networks: [{ name: 'gwnet', ip_range: '10.40.0.0/16' }],
    workloads: [machine('a', n1, joins('gwnet')), gateway(n2, 'gwnet', ['http://a:80'], name)],
  });
  const argv = ['deploy', f, '--endpoint', `${n1}=127.0.0.1`, '--endpoint', `${n2}=127.0.0.1`, '--wait-timeout', '90', ...at()];
  const state = path.join(dir, 'state');
  const saved = (): string[] => (existsSync(state) ? readdirSync(state).filter((n) => n.endsWith('-gwnet.json')) : []);

  // The node admits a gateway only for its twin's live name contract: said before any contract exists.
  const unreserved = await cli(argv, env);
  expect({ code: unreserved.code, stderr: unreserved.stderr }).toEqual({
    code: 1,
    stderr: expect.stringContaining(
      `gateway 'site' on node ${n2}: the name '${name}' is not reserved: reserve it first with \`tfgrid name reserve ${name}\` (nothing was created)`,
    ),
  });
  expect([...(await alice.contracts.activeForNode(n1)), ...(await alice.contracts.activeForNode(n2))]).toEqual([]);
  expect(saved()).toEqual([]);
  const theirs = file('theirs.json', {
    networks: [{ name: 'gwnet', ip_range: '10.40.0.0/16' }],
    workloads: [machine('a', n1, joins('gwnet')), gateway(n2, 'gwnet', ['http://a:80'], bobs)],
  });
  const taken = await cli(['deploy', theirs, ...argv.slice(2)], env);
  expect({ code: taken.code, stderr: taken.stderr }).toEqual({
    code: 1,
    stderr: expect.stringMatching(
      new RegExp(
        `gateway 'site' on node ${n2}: the name '${bobs}' is reserved by twin ${bobTwin}, not yours \\(\\d+\\); pick another \\(nothing was created\\)`,
      ),
    ),
  });
  expect(saved()).toEqual([]);
  const released = await connect({ url: chain.url, secret: '//Bob' });
  await released.contracts.cancel(bobsContract);
  await released.disconnect();

  expect((await cli(['name', 'reserve', name, '--url', chain.url], env)).code).toBe(0);
  const d = await cli([...argv, '--json'], env);
  if (d.code !== 0) throw new Error(`deploy failed (${d.code}): ${d.stderr}\n${d.stdout}`);
  const out = d.json();
  expect(out.networks).toEqual([
    {
      name: 'gwnet',
      ipRange: '10.40.0.0/16',
      nodes: [
        { nodeId: n1, subnet: '10.40.2.0/24', endpoint: '127.0.0.1' },
        { nodeId: n2, subnet: '10.40.3.0/24', endpoint: '127.0.0.1' },
      ],
    },
  ]);
  expect(out.contracts).toEqual([expect.objectContaining({ nodeId: n1 }), expect.objectContaining({ nodeId: n2 })]);
  const [ca, cb] = out.contracts.map((c: { contractId: number }) => c.contractId) as [number, number];
  // The gateway's fqdn from node 2's answer, and the network it joins.
  expect(out.gateways).toEqual([{ name: 'site', nodeId: n2, contractId: cb, fqdn: `${name}.gw.test`, network: 'gwnet' }]);
  expect(out.machines).toEqual([expect.objectContaining({ name: 'a', nodeId: n1, private: { gwnet: '10.40.2.2' } })]);

  // What each node's contract carries (the saved network holds the deployments as sent).
  type Sent = {
    plan: NetworkPlan;
    contracts: {
      nodeId: number;
      contractId: number;
      // eslint-disable-next-line @typescript-eslint/no-explicit-any -- workload data as the CLI sent it, checked field by field by the assertions
      deployment: { workloads: { name: string; type: string; data: Record<string, any> }[] };
    }[];
    machines: unknown[];
  };
  const s = JSON.parse(readFileSync(path.join(state, saved()[0]!), 'utf8')) as Sent;
  expect(s.contracts.map((k) => [k.nodeId, k.contractId])).toEqual([
    [n1, ca],
    [n2, cb],
  ]);
  const gw = s.contracts[1]!.deployment.workloads;
  expect(gw.map((w) => [w.type, w.name])).toEqual([
    ['network', 'gwnet'],
    ['gateway-name-proxy', 'site'],
  ]);
  expect(gw[0]!.data).toMatchObject({
    ip_range: '10.40.0.0/16',
    subnet: '10.40.3.0/24',
    wireguard_private_key: s.plan.nodes[1]!.privateKey,
  });
  expect(gw[1]!.data).toEqual({ name, network: 'gwnet', backends: ['http://10.40.2.2:80'] });
  const peersOf1 = s.contracts[0]!.deployment.workloads.find((w) => w.type === 'network')!.data.peers as {
    subnet: string;
    wireguard_public_key: string;
  }[];
  expect(peersOf1).toEqual([expect.objectContaining({ subnet: '10.40.3.0/24', wireguard_public_key: s.plan.nodes[1]!.publicKey })]);
  expect(s.machines).toEqual([{ name: 'a', nodeId: n1, ip: '10.40.2.2' }]);
  expect(d.stdout + d.stderr).not.toContain(s.plan.nodes[1]!.privateKey);

  // The gateway on node 2 reaches machine a on node 1 over the network.
  expect(
    await until(
      'the name to answer through the gateway',
      async () => {
        const r = await viaGateway(gatewayPorts[1]!, `${name}.gw.test`).catch(() => undefined);
        return r?.status === 200 && r.body;
      },
      60_000,
      500,
    ),
  ).toContain(`${ca}-a`);

  // A second gateway, in a deployment of its own, joins the network node 2 already has.
  const name2 = `later${process.pid % 10000}`;
  expect((await cli(['name', 'reserve', name2, '--url', chain.url], env)).code).toBe(0);
  const later = await cli(
    ['deploy', file('later.json', { workloads: [gateway(n2, 'gwnet', ['http://a'], name2)] }), '--wait-timeout', '90', '--json', ...at()],
    env,
  );
  if (later.code !== 0) throw new Error(`deploy failed (${later.code}): ${later.stderr}\n${later.stdout}`);
  const cl = later.json().contracts[0].contractId as number;
  expect(later.json()).toMatchObject({
    networks: [],
    contracts: [{ nodeId: n2, contractId: cl }],
    gateways: [{ name: 'site', nodeId: n2, contractId: cl, fqdn: `${name2}.gw.test`, network: 'gwnet' }],
  });
  expect(
    await until(
      'the second name to answer',
      async () => {
        const r = await viaGateway(gatewayPorts[1]!, `${name2}.gw.test`).catch(() => undefined);
        return r?.status === 200 && r.body;
      },
      60_000,
      500,
    ),
  ).toContain(`${ca}-a`);
  expect((await cli(['contracts', 'cancel', String(cl), '--url', chain.url], env)).code).toBe(0);
  expect((await cli(['name', 'release', name2, '--url', chain.url], env)).code).toBe(0);

  // An own domain (gateway-fqdn-proxy): no name contract; what the node would refuse is said first.
  const own = (node: number, fqdn: string) =>
    file('own.json', { workloads: [{ type: 'gateway-fqdn-proxy', name: 'own', node, fqdn, network: 'gwnet', backends: ['http://a:80'] }] });
  const under = await cli(['deploy', own(n2, `shop.gw.test`), '--wait-timeout', '90', ...at()], env);
  expect({ code: under.code, stderr: under.stderr }).toEqual({
    code: 1,
    stderr: expect.stringContaining(
      `gateway 'own': shop.gw.test is node ${n2}'s own domain gw.test or under it, whose names are served for name contracts`,
    ),
  });
  const noGateway = await cli(
    [
      'deploy',
      file('own1.json', {
        workloads: [{ type: 'gateway-fqdn-proxy', name: 'own', node: n1, fqdn: 'www.own-site.test', backends: ['http://198.18.0.9'] }],
      }),
      '--wait-timeout',
      '90',
      ...at(),
    ],
    env,
  );
  expect({ code: noGateway.code, stderr: noGateway.stderr }).toEqual({
    code: 1,
    stderr: expect.stringContaining(`gateway 'own': node ${n1} is not a gateway node (its public config has no domain)`),
  });
  const ownDeploy = await cli(['deploy', own(n2, 'WWW.own-site.test'), '--wait-timeout', '90', '--json', ...at()], env);
  if (ownDeploy.code !== 0) throw new Error(`deploy failed (${ownDeploy.code}): ${ownDeploy.stderr}\n${ownDeploy.stdout}`);
  const co = ownDeploy.json().contracts[0].contractId as number;
  expect(ownDeploy.json().gateways).toEqual([
    {
      name: 'own',
      nodeId: n2,
      contractId: co,
      fqdn: 'www.own-site.test',
      network: 'gwnet',
      https: expect.stringMatching(/^refused: this gateway node has no ACME directory/),
    },
  ]);
  expect(
    await until(
      'the own domain to answer',
      async () => {
        const r = await viaGateway(gatewayPorts[1]!, 'www.own-site.test').catch(() => undefined);
        return r?.status === 200 && r.body;
      },
      60_000,
      500,
    ),
  ).toContain(`${ca}-a`);
  expect((await cli(['contracts', 'show', String(co), '--url', chain.url], env)).stdout).toContain(
    '  own  gateway-fqdn-proxy  ok  v0  www.own-site.test  http only (https refused: this gateway node has no ACME directory',
  );
  expect((await cli(['contracts', 'cancel', String(co), '--url', chain.url], env)).code).toBe(0);

  // The text forms: deploy's result lines, contracts show, network show.
  const text = await cli(['contracts', 'show', String(cb), '--url', chain.url], env);
  expect(text.stdout).toContain(`  site  gateway-name-proxy  ok  v0  ${name}.gw.test  network gwnet`);
  const show = await cli(['network', 'show', 'gwnet'], env);
  expect(show.stdout).toMatch(new RegExp(`node ${n2} +10\\.40\\.3\\.0/24 +127\\.0\\.0\\.1:${s.plan.nodes[1]!.listenPort} +contract ${cb}`));
  expect(show.stdout).toContain(`  gateway site  node ${n2}  ${name} → http://10.40.2.2:80`);
  expect((await cli(['network', 'show', 'gwnet', '--json'], env)).json().gateways).toEqual([
    { name: 'site', nodeId: n2, contractId: cb, gatewayName: name, backends: ['http://10.40.2.2:80'] },
  ]);

  expect((await cli(['contracts', 'cancel', String(ca), String(cb), '--url', chain.url], env)).code).toBe(0);
  expect((await cli(['name', 'release', name, '--url', chain.url], env)).code).toBe(0);
  await until('both nodes to remove their networks', async () => !holdsNetworks(0) && !holdsNetworks(1), 60_000, 500);
});

test("a machine's public IPv4 and IPv6 (an ip workload with v4 and v6 on its node): the deploy's result and contracts show print both; the Internet reaches the IPv6", async () => {
  const [n1] = nodeIds as [number];
  // The farmer gives the farm a public IP and node 1 a public config with an IPv6 network.
  const bob = await connect({ url: chain.url, secret: '//Bob' });
  await bob.farms.addIp({ farmId, ip: '185.206.122.50/24', gw: '185.206.122.1' });
  await bob.nodes.setPublicConfig({
    farmId,
    nodeId: n1,
    config: { ip4: { ip: '185.206.122.40/24', gw: '185.206.122.1' }, ip6: { ip: `${PREFIX6}::2/64`, gw: `${PREFIX6}::1` }, domain: null },
  });
  await bob.disconnect();
  const f = file('public.json', {
    workloads: [{ type: 'ip', name: 'pub', node: n1, v4: true, v6: true }, machine('web', n1, { public_ip: 'pub' })],
  });
  const d = await cli(['deploy', f, '--wait-timeout', '90', '--json', ...at()], env);
  if (d.code !== 0) throw new Error(`deploy failed (${d.code}): ${d.stderr}\n${d.stdout}`);
  const out = d.json();
  const [c] = out.contracts.map((k: { contractId: number }) => k.contractId) as [number];
  expect(out.machines).toEqual([
    expect.objectContaining({
      name: 'web',
      nodeId: n1,
      contractId: c,
      public: '185.206.122.50/24',
      publicIpv6: expect.stringMatching(new RegExp(`^${PREFIX6}:[0-9a-f:]+/64$`)),
    }),
  ]);
  const v6 = (out.machines[0].publicIpv6 as string).replace(/\/64$/, '');
  // The contract reserved the farm IP.
  expect((await alice.contracts.get(c))?.type).toMatchObject({
    kind: 'node',
    publicIpsList: [expect.objectContaining({ ip: '185.206.122.50/24' })],
  });

  const text = await cli(['contracts', 'show', String(c), '--url', chain.url], env);
  expect(text.stdout).toMatch(new RegExp(`  web  zmachine  ok  v0  .*public 185\\.206\\.122\\.50/24  public_ipv6 ${v6}/64`)); // hex digits and colons only

  // "The Internet" reaches the machine's page on its public IPv6.
  const page = await until(
    'the machine to answer on its public IPv6',
    async () => {
      try {
        const r = sh(['ip', 'netns', 'exec', INTERNET, 'sh', '-c', `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | busybox nc -w 3 ${v6} 80`]);
        return r.startsWith('HTTP/1.') && r;
      } catch {
        return undefined;
      }
    },
    60_000,
    500,
  );
  expect(page).toContain(`${c}-web`);

  expect((await cli(['contracts', 'cancel', String(c), '--url', chain.url], env)).code).toBe(0);
  await until(
    'the node to free the farm IP',
    async () => (await alice.farms.get(farmId))?.publicIps.every((p) => p.contractId === 0),
    60_000,
    500,
  );
});
