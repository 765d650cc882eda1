/**
 * zmachines on networks, for real (runc, WireGuard, namespaces): two nodes' machines on one private
 * network reach each other over it; a public IP reserved by the contract answers on the machine from
 * the "Internet" and is gone after cancel; machines of other contracts on the node-local bridge do not
 * reach each other; a machine naming what the deployment does not hold is refused.
 */
import { execFileSync } from 'node:child_process';
import type { Workload } from '@tfgrid/client';
import { machineAddress, networkData, planNetwork } from '@tfgrid/client';
import { NetworkHandler, PrivateNetworks, PublicIpHandler, ZmachineNetworking } from '../src/network';
import { attachMachineRoute, Planetary } from '../src/planetary';
import { makeHosts, type Hosts } from './support/netns';
import type { Provisioner } from '../src/workloads';
import type { ContractDeployment } from '../src/core';
import { deployment, logger, tempRoot, until } from './fixtures/workloads/helpers';
import { httpGet, inside, serveBusyboxImage } from '@tfgrid/testkit';
import { deleteLink, runcProvisioner, zmachine } from './fixtures/zmachine/helpers';
import { freePort } from './support/net';

jest.setTimeout(180_000);

const sh = (argv: string[]): string =>
  execFileSync(argv[0]!, argv.slice(1), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
const tag = (process.pid % 0xfff).toString(16).padStart(3, '0');
const INTERNET = `tfzn${tag}i`; // the namespace of "the Internet" for public IPs
const PUB = `tfzn${tag}p`; // the node's public interface (a veth into that namespace)

interface Node {
  t: ReturnType<typeof tempRoot>;
  p: Provisioner;
  bridge: string;
}
const nodes: Node[] = [];
// The planetary overlay: node 0's Yggdrasil in a host namespace, and a Yggdrasil user in another.
let hosts: Hosts;
let overlay: Planetary;
let user: Planetary;
const contracts: [number, number][] = [];
let served: Awaited<ReturnType<typeof serveBusyboxImage>>;

const httpd = 'mkdir -p /www; hostname > /www/index.html; exec httpd -f -p 80 -h /www';
// busybox's wget crashes in a static image without NSS files: HTTP/1.0 by hand through nc.
const GET = `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3`;
const body = (out: string): string | undefined => (out.startsWith('HTTP/1.') ? out.slice(out.indexOf('\r\n\r\n') + 4) : undefined);
/** An HTTP GET of host:80 from namespace `ns` (a host of the test, not a machine). */
const fetchIn = (ns: string, host: string): string | undefined => {
  try {
    return body(sh(['ip', 'netns', 'exec', ns, 'sh', '-c', `${GET.replace('nc', 'busybox nc')} ${host} 80`]));
  } catch {
    return undefined;
  }
};
/** An HTTP GET of host:80 from inside machine `id`; an exec failure throws. */
const fetchFrom = (n: Node, id: string, host: string): string | undefined => {
  const r = inside(`${n.t.dataDir}/runc`, id, `${GET} ${host} 80 || true`);
  if (!r.ok) throw new Error(`exec in ${id} failed: ${r.out}`);
  return body(r.out);
};

async function apply(
  node: number,
  cd: ContractDeployment,
): Promise<Record<string, { state: string; reason?: string; result?: Record<string, unknown> }>> {
  contracts.push([node, cd.contractId]);
  const states = await nodes[node]!.p.apply(cd);
  return Object.fromEntries(states.map((s) => [s.name, s]));
}

beforeAll(async () => {
  sh(['ip', 'netns', 'add', INTERNET]);
  sh(['ip', 'link', 'add', PUB, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', INTERNET]);
  sh(['ip', 'link', 'set', PUB, 'up']);
  sh(['ip', '-n', INTERNET, 'addr', 'add', '198.18.41.1/24', 'dev', 'eth0']);
  sh(['ip', '-n', INTERNET, 'link', 'set', 'eth0', 'up']);
  hosts = makeHosts(`tfzy${tag}`, 2, 42);
  const listen = `tcp://${hosts.hosts[0]!.ip}:${await freePort()}`;
  const dir = tempRoot('zmnety');
  overlay = new Planetary({
    dir: `${dir.root}/node`,
    netns: hosts.hosts[0]!.ns,
    listen: [listen],
    ifName: `tfzy${tag}n`,
    logger: logger(),
  });
  user = new Planetary({ dir: `${dir.root}/user`, netns: hosts.hosts[1]!.ns, peers: [listen], ifName: `tfzy${tag}u`, logger: logger() });
  await overlay.start();
  await user.start();
  for (let i = 0; i < 2; i++) {
    const t = tempRoot(`zmnet${i}`);
    const networks = new PrivateNetworks(`${i}${tag}`, logger());
    const planetary = async (machineNs: string, index: number) =>
      (await attachMachineRoute({ hostNs: hosts.hosts[0]!.ns, subnet: overlay.self()!.subnet, machineNs, index })).address;
    const networking = new ZmachineNetworking({ networks, publicInterface: PUB, ...(i === 0 ? { planetary } : {}), logger: logger() });
    const bridge = `tfzn${tag}b${i}`;
    const { provisioner } = runcProvisioner({
      dataDir: t.dataDir,
      pool: t.pool,
      bridge,
      subnet: `10.249.${220 + i}.0/24`,
      networking,
      handlers: [new NetworkHandler(networks), new PublicIpHandler()],
    });
    await provisioner.open();
    nodes.push({ t, p: provisioner, bridge });
  }
  served = await serveBusyboxImage(nodes[0]!.t.root);
});

afterAll(async () => {
  for (const [n, c] of contracts) await nodes[n]!.p.remove(c).catch(() => undefined);
  for (const n of nodes) {
    await n.p.stop();
    deleteLink(n.bridge);
    n.t.cleanup();
  }
  await served?.close();
  await overlay?.stop();
  await user?.stop();
  hosts?.remove();
  sh(['ip', 'netns', 'del', INTERNET]);
});

test("two nodes' machines on one private network reach each other over it", async () => {
  let port = await freePort();
  const plan = planNetwork({
    name: `net${tag}`,
    nodes: [
      { nodeId: 1, endpoint: '127.0.0.1' },
      { nodeId: 2, endpoint: '127.0.0.1' },
    ],
    port: () => port++,
  });
  const ips = plan.nodes.map((n) => machineAddress(n.subnet));
  for (let i = 0; i < 2; i++) {
    const net: Workload = {
      version: 0,
      name: 'net',
      type: 'network',
      data: networkData(plan, i + 1) as unknown as Record<string, unknown>,
      metadata: '',
      description: '',
    };
    const vm = zmachine(served.image, 'vm', httpd, { network: { interfaces: [{ network: 'net', ip: ips[i] }] } });
    const s = await apply(i, deployment(70 + i, [net, vm]));
    expect(s.net).toMatchObject({ state: 'ok' });
    expect(s.vm).toMatchObject({ state: 'ok', result: { addresses: { private: { net: ips[i] } } } });
  }
  // Machine of node 1 → machine of node 2, over WireGuard, and back.
  expect(await until('node 2 machine over the network', () => fetchFrom(nodes[0]!, '70-vm', ips[1]!), 20_000, 50)).toMatch(/71-vm/);
  expect(fetchFrom(nodes[1]!, '71-vm', ips[0]!)).toMatch(/70-vm/);
});

test('a public IP reserved by the contract answers on the machine from the Internet, and is gone after cancel', async () => {
  const ip: Workload = { version: 0, name: 'pub', type: 'ip', data: { v4: true }, metadata: '', description: '' };
  const vm = zmachine(served.image, 'web', httpd, { network: { public_ip: 'pub' } });
  const cd = { ...deployment(80, [ip, vm]), publicIps: [{ ip: '198.18.41.10/24', gateway: '198.18.41.1' }] };
  const s = await apply(0, cd);
  expect(s.pub).toMatchObject({ state: 'ok', result: { ip: '198.18.41.10/24', gateway: '198.18.41.1' } });
  expect(s.web).toMatchObject({ state: 'ok', result: { addresses: { public: '198.18.41.10/24' } } });
  expect(await until('public IP answers', () => fetchIn(INTERNET, '198.18.41.10'), 20_000, 50)).toMatch(/80-web/);
  await nodes[0]!.p.remove(80);
  expect(fetchIn(INTERNET, '198.18.41.10')).toBeUndefined();
});

test('machines of different contracts on the node-local bridge do not reach each other; the node reaches both', async () => {
  const a = await apply(0, deployment(90, [zmachine(served.image, 'a', httpd)]));
  const b = await apply(0, deployment(91, [zmachine(served.image, 'b', httpd)]));
  const ipA = (a.a!.result!.addresses as { node_local: string }).node_local;
  const ipB = (b.b!.result!.addresses as { node_local: string }).node_local;
  expect(await until('a answers the node', () => httpGet(ipA, 80).catch(() => undefined), 20_000, 50)).toMatch(/90-a/);
  expect(await until('b answers the node', () => httpGet(ipB, 80).catch(() => undefined), 20_000, 50)).toMatch(/91-b/);
  expect(fetchFrom(nodes[0]!, '90-a', ipB)).toBeUndefined();
});

test("a machine on the planetary overlay gets an address of the node's /64 and a Yggdrasil user reaches it", async () => {
  const s = await apply(0, deployment(85, [zmachine(served.image, 'ygg', httpd, { network: { planetary: true } })]));
  const address = (s.ygg!.result!.addresses as { planetary?: string }).planetary!;
  expect(s.ygg).toMatchObject({ state: 'ok' });
  expect(address.startsWith(overlay.self()!.subnet.replace('::/64', ':'))).toBe(true);
  expect(
    await until('the user reaches the machine over the overlay', () => fetchIn(hosts.hosts[1]!.ns, `[${address}]`), 20_000, 50),
  ).toMatch(/85-ygg/);
  await nodes[0]!.p.remove(85);
  expect(fetchIn(hosts.hosts[1]!.ns, `[${address}]`)).toBeUndefined();
});

test('a machine naming a network or public IP the node cannot give is refused with the reason', async () => {
  const ip: Workload = { version: 0, name: 'pub', type: 'ip', data: { v4: true }, metadata: '', description: '' };
  const s = await apply(0, deployment(95, [ip, zmachine(served.image, 'vm', httpd, { network: { public_ip: 'pub' } })]));
  expect(s.pub).toMatchObject({ state: 'error', reason: expect.stringMatching(/holds no public IP/) });
  const s2 = await apply(
    0,
    deployment(96, [zmachine(served.image, 'vm', httpd, { network: { interfaces: [{ network: 'nope', ip: '10.20.2.2' }] } })]),
  );
  expect(s2.vm).toMatchObject({ state: 'error', reason: expect.stringMatching(/no network workload named 'nope'/) });
  const s3 = await apply(1, deployment(97, [zmachine(served.image, 'vm', httpd, { network: { planetary: true } })]));
  expect(s3.vm).toMatchObject({ state: 'error', reason: expect.stringMatching(/planetary/) });
});
