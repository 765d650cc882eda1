/**
 * Public IPv6 for zmachines, for real (dev chain, runc, namespaces): the node's public config `ip6`
 * on the chain gives a machine with an `ip` workload `{v6}` (or `{v4, v6}`) an address of that
 * network on its public interface, with the config's gateway as its IPv6 default route; the
 * "Internet" (a namespace behind the node's public interface) reaches it, and nothing is left after
 * cancel. Addresses are stable across an agent restart, never the node's own or the gateway's,
 * distinct from what the node already handed out (even after a restart), and a node without ip6 in
 * its public config or without a public interface refuses v6.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import path from 'node:path';
import type { Devchain } from '@tfgrid/devchain';
import { registerNode, serveBusyboxImage, setupFarmer, startChain } from '@tfgrid/testkit';
import { connect, type TfchainClient, type Workload } from '@tfgrid/client';
import { chainNodeIpv6, PrivateNetworks, PublicIpHandler, ZmachineNetworking, type NodeIpv6Source } from '../src/network';
import type { Provisioner } from '../src/workloads';
import type { ContractDeployment, HandlerContext, WorkloadState } from '../src/core';
import { deployment, logger, tempRoot, until } from './fixtures/workloads/helpers';
import { machineIfNames, shortHash } from '../src/workloads/runc';
import { deleteLink, runcProvisioner, zmachine } from './fixtures/zmachine/helpers';

jest.setTimeout(240_000);

const sh = (argv: string[]): string =>
  execFileSync(argv[0]!, argv.slice(1), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
const tag = (process.pid % 0xfff).toString(16).padStart(3, '0');
const INTERNET = `tfz6${tag}i`; // "the Internet" behind the node's public interface
const PUB = `tfz6${tag}p`; // the node's public interface (a veth into that namespace)
const BRIDGE = `tfz6${tag}b`;
const PREFIX = '2001:2:0:70';
const GW6 = `${PREFIX}::1`;
/** A source address of the Internet outside the machines' /64: answers to it take the machine's default route. */
const FAR = '2001:2:0:79::1';
// A public config needs a public IPv4 on the chain; only its ip6 is used here.
const IP4 = { ip: '185.206.122.33/24', gw: '185.206.122.1' };

let chain: Devchain;
let alice: TfchainClient;
let farmer: TfchainClient;
const chainNodes: TfchainClient[] = [];
let farmId: number;
/** Nodes on the chain: `big` with a /64 (the machines' node), `small` with a /124, `none` without ip6. */
const ids = { big: 0, small: 0, none: 0 };
let t: ReturnType<typeof tempRoot>;
let p: Provisioner;
let served: Awaited<ReturnType<typeof serveBusyboxImage>>;
/** The source the node's handler reads: the chain, or nothing (an agent recovering before it connects). */
let source: NodeIpv6Source;
const contracts = new Set<number>();

const httpd = 'mkdir -p /www; hostname > /www/index.html; exec httpd -f -p 80 -h /www';
const body = (out: string): string | undefined => (out.startsWith('HTTP/1.') ? out.slice(out.indexOf('\r\n\r\n') + 4) : undefined);
/** An HTTP GET of host:80 from the Internet namespace. */
const fetchIn = (host: string): string | undefined => {
  try {
    return body(sh(['ip', 'netns', 'exec', INTERNET, 'sh', '-c', `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | busybox nc -w 3 ${host} 80`]));
  } catch {
    return undefined;
  }
};

const ip = (name: string, data: Record<string, boolean>): Workload => ({
  version: 0,
  name,
  type: 'ip',
  data,
  metadata: '',
  description: '',
});
const ctx = (contractId: number): HandlerContext => ({
  contractId,
  twinId: 1,
  workload: () => undefined,
  result: () => undefined,
  publicIps: () => [],
});
const state = (contractId: number, name: string, result: Record<string, unknown>): WorkloadState => ({
  contractId,
  name,
  type: 'ip',
  version: 0,
  state: 'ok',
  used: { cru: 0, mru: 0, sru: 0, hru: 0 },
  result,
  updatedAt: 0,
});
/** Machine `id`'s network namespace (where its pub0 lives). */
const nsName = (id: string): string => machineIfNames(shortHash(`${path.resolve(t.dataDir)}/${id}`)).netns;
const machineNs = (id: string): boolean => existsSync(`/run/netns/${nsName(id)}`);
/** The host part of a result's address. */
const address = (r: Record<string, unknown> | undefined): string => String(r?.ip6).replace(/\/\d+$/, '');

function openNode(): Provisioner {
  const networking = new ZmachineNetworking({ networks: new PrivateNetworks(`6${tag}`, logger()), publicInterface: PUB, logger: logger() });
  const handler = new PublicIpHandler({ publicInterface: PUB, nodeIpv6: () => source() });
  return runcProvisioner({ dataDir: t.dataDir, pool: t.pool, bridge: BRIDGE, subnet: '10.249.70.0/24', networking, handlers: [handler] })
    .provisioner;
}

async function apply(
  cd: ContractDeployment,
): Promise<Record<string, { state: string; reason?: string; result?: Record<string, unknown> }>> {
  contracts.add(cd.contractId);
  return Object.fromEntries((await p.apply(cd)).map((s) => [s.name, s]));
}

async function remove(contractId: number): Promise<void> {
  await p.remove(contractId);
  contracts.delete(contractId);
}

async function chainNode(name: string, ip6: { ip: string; gw: string } | null): Promise<number> {
  const { client, nodeId } = await registerNode(chain.url, { farmId, funder: alice, secret: `//${name}`, relay: null });
  chainNodes.push(client);
  await farmer.nodes.setPublicConfig({ farmId, nodeId, config: { ip4: IP4, ip6, domain: null } });
  return nodeId;
}

beforeAll(async () => {
  chain = await startChain();
  alice = await connect({ url: chain.url, secret: '//Alice' });
  ({ client: farmer, farmId } = await setupFarmer(chain.url, { name: `ipv6_farm_${tag}`, relay: null }));
  ids.big = await chainNode(`Ipv6Big${tag}`, { ip: `${PREFIX}::5/64`, gw: GW6 });
  ids.small = await chainNode(`Ipv6Small${tag}`, { ip: `${PREFIX}::5/124`, gw: GW6 });
  ids.none = await chainNode(`Ipv6None${tag}`, null);
  source = () => chainNodeIpv6(alice, ids.big);

  sh(['ip', 'netns', 'add', INTERNET]);
  sh(['ip', 'link', 'add', PUB, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', INTERNET]);
  sh(['ip', 'link', 'set', PUB, 'up']);
  sh(['ip', '-n', INTERNET, 'addr', 'add', '198.18.70.1/24', 'dev', 'eth0']);
  sh(['ip', '-n', INTERNET, 'addr', 'add', `${GW6}/64`, 'dev', 'eth0', 'nodad', 'noprefixroute']);
  sh(['ip', '-n', INTERNET, 'addr', 'add', `${FAR}/128`, 'dev', 'lo']);
  sh(['ip', '-n', INTERNET, 'link', 'set', 'lo', 'up']);
  sh(['ip', '-n', INTERNET, 'link', 'set', 'eth0', 'up']);
  // Connections from the Internet to the machines start from FAR, outside their /64.
  sh(['ip', '-n', INTERNET, '-6', 'route', 'add', `${PREFIX}::/64`, 'dev', 'eth0', 'src', FAR]);

  t = tempRoot('zmipv6');
  p = openNode();
  await p.open();
  served = await serveBusyboxImage(t.root);
});

afterAll(async () => {
  for (const c of contracts) await p?.remove(c).catch(() => undefined);
  await p?.stop();
  deleteLink(BRIDGE);
  t?.cleanup();
  await served?.close();
  try {
    sh(['ip', 'netns', 'del', INTERNET]);
  } catch {
    // not made
  }
  for (const c of [alice, farmer, ...chainNodes]) await c?.disconnect();
  await chain?.stop();
});

test("a machine with v6 gets an address of the node's /64 that the Internet reaches over its IPv6 default route; gone after cancel", async () => {
  const s = await apply(
    deployment(7001, [ip('pub', { v6: true }), zmachine(served.image, 'web', httpd, { network: { public_ip: 'pub' } })]),
  );
  expect(s.pub).toMatchObject({ state: 'ok', result: { ip6: expect.stringMatching(/^2001:2:0:70:[0-9a-f:]+\/64$/), gateway6: GW6 } });
  expect(s.pub!.result).not.toHaveProperty('ip');
  const a = address(s.pub!.result);
  expect([`${PREFIX}::5`, GW6, `${PREFIX}::`]).not.toContain(a);
  expect(s.web).toMatchObject({ state: 'ok', result: { addresses: { public_ipv6: s.pub!.result!.ip6 } } });
  expect((s.web!.result!.addresses as Record<string, unknown>).public).toBeUndefined();
  expect(await until('the machine answers over IPv6', () => fetchIn(`[${a}]`), 20_000, 50)).toMatch(/7001-web/);
  expect(machineNs('7001-web')).toBe(true);
  // Nothing from router advertisements of the farm's network: only the address the node handed out.
  expect(sh(['ip', 'netns', 'exec', nsName('7001-web'), 'cat', '/proc/sys/net/ipv6/conf/pub0/accept_ra']).trim()).toBe('0');

  await remove(7001);
  expect(fetchIn(`[${a}]`)).toBeUndefined();
  expect(machineNs('7001-web')).toBe(false); // its pub0 and address left with it
});

test('v4 and v6 together: both answer from the Internet; the same addresses come back after an agent restart', async () => {
  const cd = {
    ...deployment(7002, [ip('pub', { v4: true, v6: true }), zmachine(served.image, 'both', httpd, { network: { public_ip: 'pub' } })]),
    publicIps: [{ ip: '198.18.70.10/24', gateway: '198.18.70.1' }],
  };
  const s = await apply(cd);
  expect(s.pub).toMatchObject({
    state: 'ok',
    result: { ip: '198.18.70.10/24', gateway: '198.18.70.1', ip6: expect.stringMatching(/\/64$/), gateway6: GW6 },
  });
  expect(s.both).toMatchObject({ state: 'ok', result: { addresses: { public: '198.18.70.10/24', public_ipv6: s.pub!.result!.ip6 } } });
  const a = address(s.pub!.result);
  expect(await until('IPv6 answers', () => fetchIn(`[${a}]`), 20_000, 50)).toMatch(/7002-both/);
  expect(await until('IPv4 answers', () => fetchIn('198.18.70.10'), 20_000, 50)).toMatch(/7002-both/);

  // Restart before the chain is reachable: the workloads come back with what their states hold.
  await p.stop();
  source = async () => undefined;
  p = openNode();
  await p.open();
  await p.recover();
  const back = Object.fromEntries(
    p
      .states()
      .filter((x) => x.contractId === 7002)
      .map((x) => [x.name, x]),
  );
  expect(back.pub).toMatchObject({ state: 'ok', result: { ip6: s.pub!.result!.ip6, gateway6: GW6 } });
  expect(back.both).toMatchObject({ state: 'ok', result: { addresses: { public_ipv6: s.pub!.result!.ip6 } } });
  expect(await until('IPv6 answers after the restart', () => fetchIn(`[${a}]`), 20_000, 50)).toMatch(/7002-both/);
  source = () => chainNodeIpv6(alice, ids.big);

  await remove(7002);
  expect(fetchIn(`[${a}]`)).toBeUndefined();
  expect(fetchIn('198.18.70.10')).toBeUndefined();
});

test("addresses avoid what the node already handed out (kept in states across a restart), the node's own and the gateway's", async () => {
  const big: NodeIpv6Source = () => chainNodeIpv6(alice, ids.big);
  const first = await new PublicIpHandler({ publicInterface: PUB, nodeIpv6: big }).provision(ip('pub', { v6: true }), ctx(7100));
  // After a restart, another workload's state holds that very address: the derivation moves on.
  const h = new PublicIpHandler({ publicInterface: PUB, nodeIpv6: big });
  expect(await h.provision(ip('other', { v6: true }), ctx(7101), state(7101, 'other', first))).toEqual(first);
  const second = await h.provision(ip('pub', { v6: true }), ctx(7100));
  expect(address(second)).not.toBe(address(first));
  expect(second.ip6).toMatch(/^2001:2:0:70:/);
  // The same workload provisioned again keeps its address; once freed, it derives the first one again.
  expect(await h.provision(ip('pub', { v6: true }), ctx(7100), state(7100, 'pub', second))).toEqual(second);
  await h.deprovision(state(7101, 'other', first));
  await h.deprovision(state(7100, 'pub', second));
  expect(await h.provision(ip('pub', { v6: true }), ctx(7100))).toEqual(first);

  // A /124 holds 16 addresses: without the network's ::0, the node's ::5 and the gateway's ::1, 13 machines fit.
  const small = new PublicIpHandler({ publicInterface: PUB, nodeIpv6: () => chainNodeIpv6(alice, ids.small) });
  const got = new Set<string>();
  for (let i = 0; i < 13; i++) got.add(address(await small.provision(ip(`m${i}`, { v6: true }), ctx(7200))));
  expect(got.size).toBe(13);
  for (const reserved of [`${PREFIX}::`, `${PREFIX}::1`, `${PREFIX}::5`]) expect(got.has(reserved)).toBe(false);
  for (const a of got) expect(a).toMatch(/^2001:2:0:70::[0-9a-f]$/);
  await expect(small.provision(ip('m13', { v6: true }), ctx(7200))).rejects.toThrow(/no free IPv6 address found in 2001:2:0:70::\/124/);
});

test('v6 is refused on a node without ip6 in its public config, or without a public interface', async () => {
  const none = new PublicIpHandler({ publicInterface: PUB, nodeIpv6: () => chainNodeIpv6(alice, ids.none) });
  await expect(none.provision(ip('pub', { v6: true }), ctx(7300))).rejects.toThrow(/public config on the chain has no ip6/);
  const noInterface = new PublicIpHandler({ nodeIpv6: () => chainNodeIpv6(alice, ids.big) });
  await expect(noInterface.admit(ip('pub', { v6: true }), ctx(7301))).rejects.toThrow(
    /needs the node's public interface \(--public-interface\)/,
  );
  await expect(noInterface.provision(ip('pub', { v6: true }), ctx(7301))).rejects.toThrow(/public interface/);
  await expect(none.admit(ip('pub', {}), ctx(7302))).rejects.toThrow(/ask for v4, v6 or both/);

  // The node's own public config loses its ip6 on the chain: a new deployment asking v6 is refused, its machine too.
  await farmer.nodes.setPublicConfig({ farmId, nodeId: ids.big, config: { ip4: IP4, ip6: null, domain: null } });
  const s = await apply(
    deployment(7303, [ip('pub', { v6: true }), zmachine(served.image, 'vm', httpd, { network: { public_ip: 'pub' } })]),
  );
  expect(s.pub).toMatchObject({ state: 'error', reason: expect.stringMatching(/no ip6/) });
  expect(s.vm).toMatchObject({ state: 'error', reason: expect.stringMatching(/public_ip 'pub' holds no address/) });
  await remove(7303);
});
