/**
 * A three-node grid on one machine, with the real agent processes, namespaces, Yggdrasil, chain
 * and explorer: every node registered with its own resources and reachable only inside its
 * namespace, with its public config (bridge IPv4 and IPv6, a domain on the gateway node) and the
 * farm's public IPs on chain; the nodes reach one another over the bridge (IPv4 and IPv6) and the
 * overlay and nothing beyond it, each node listens on exactly what issue 14 item 6 allows, and
 * stop() leaves nothing behind.
 */
import { X509Certificate } from 'node:crypto';
import { Resolver } from 'node:dns/promises';
import { chmodSync, createReadStream, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildBusyboxImage } from '@tfgrid/agent';
import { connect, DeploymentBuilder, type TfchainClient } from '@tfgrid/client';
import { SERVER_FIXTURE } from '@tfgrid/testkit';
import {
  hostMounts,
  LOCK_DIR,
  listLinks,
  listNamespaces,
  listeningSockets,
  processesMentioning,
  sh,
  socketKey,
  startLocalGrid,
  type LocalGrid,
  type LocalNode,
} from '../src';

jest.setTimeout(240_000);

// Fixture hardware: a small CI machine need not have the 100 GiB a node needs to register.
const FIXTURE_ROOT = SERVER_FIXTURE;
const GATEWAY = 2;

let dir: string;
let grid: LocalGrid;

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'lg-'));
  // The agents run workloads as an unprivileged user: it must traverse to their pools.
  chmodSync(dir, 0o711);
  grid = await startLocalGrid({
    nodes: 3,
    dataDir: dir,
    hardwareRoot: FIXTURE_ROOT,
    gateways: [GATEWAY],
    loopback: true,
    logLevel: 'warn',
    timeoutMs: 180_000,
  });
});

afterAll(async () => {
  await grid?.stop();
  rmSync(dir, { recursive: true, force: true });
});

/** GET inside a node's namespace (busybox wget, no -T: busybox 1.35's wget crashes with it; sh() bounds the time). */
const getIn = (n: LocalNode, url: string): string => grid.exec(n.index, ['busybox', 'wget', '-q', '-O', '-', url]);
const metric = (text: string, name: string): number =>
  Number(new RegExp(`^${name.replace(/[{}"]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1]);

test('every node is registered with its own identity and the resources it measured, listed up by the explorer', async () => {
  expect(new Set(grid.nodes.map((n) => n.nodeId)).size).toBe(3);
  expect(new Set(grid.nodes.map((n) => n.address)).size).toBe(3);
  for (const n of grid.nodes) {
    const metrics = getIn(n, n.metricsUrl);
    expect(metric(metrics, 'tfgrid_agent_node_id')).toBe(n.nodeId);
    const listed = (await (await fetch(`${grid.explorerUrl}/nodes?node_id=${n.nodeId}`)).json()) as {
      farmId: number;
      twinId: number;
      status: string;
      total_resources: Record<string, number>;
    }[];
    expect(listed).toHaveLength(1);
    expect(listed[0]).toMatchObject({ farmId: grid.farmId, twinId: n.twinId, status: 'up' });
    for (const r of ['cru', 'mru', 'sru', 'hru'])
      expect(listed[0]!.total_resources[r]).toBe(metric(metrics, `tfgrid_agent_capacity_total{resource="${r}"}`));
  }
  // The CLI's way in: the explorer and the chain on the host's loopback too.
  const viaLoopback = (await (await fetch(`${grid.loopback!.explorerUrl}/nodes?farm_ids=${grid.farmId}`)).json()) as unknown[];
  expect(viaLoopback).toHaveLength(3);
  const health = (await (
    await fetch(grid.loopback!.chainUrl.replace('ws:', 'http:'), {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '{"jsonrpc":"2.0","id":1,"method":"system_health","params":[]}',
    })
  ).json()) as { result?: unknown };
  expect(health.result).toBeDefined();
});

test("every node's public config is on chain with its bridge addresses, the gateway node's with its domain; the farm holds its public IPs", async () => {
  const reader: TfchainClient = await connect({ url: grid.chainUrl });
  try {
    expect(grid.bridgeIp6).toBe(`2001:2:0:${grid.subnet}::1`);
    for (const n of grid.nodes) {
      expect(n.ip6).toBe(`2001:2:0:${grid.subnet}::${n.index + 2}`);
      expect(n.publicConfig).toBe(true);
      expect(n.domain).toBe(n.index === GATEWAY ? `gateway${GATEWAY}.localgrid.test` : undefined);
      expect((await reader.nodes.get(n.nodeId))!.publicConfig).toEqual({
        ip4: { ip: `${n.ip}/24`, gw: grid.bridgeIp },
        ip6: { ip: `${n.ip6}/64`, gw: grid.bridgeIp6 },
        domain: n.index === GATEWAY ? `gateway${GATEWAY}.localgrid.test` : null,
      });
    }
    const pool = Array.from({ length: 10 }, (_, i) => ({ ip: `198.18.${grid.subnet}.${200 + i}/24`, gw: grid.bridgeIp }));
    expect(grid.publicIps).toEqual(pool);
    const farm = await reader.farms.get(grid.farmId);
    expect(farm!.publicIps).toEqual(pool.map((p) => ({ ip: p.ip, gateway: p.gw, contractId: 0 })));
  } finally {
    await reader.disconnect();
  }
});

test("a node's metrics answer inside its namespace only; nodes reach each other's bridge addresses and nothing beyond the bridge", () => {
  const [a, b] = grid.nodes as [LocalNode, LocalNode];
  expect(getIn(a, a.metricsUrl)).toMatch(/tfgrid_agent_node_id/);
  expect(() => getIn(b, `http://${a.ip}:9101/metrics`)).toThrow(/refused/i);
  for (const from of grid.nodes) {
    expect(grid.exec(from.index, ['ip', 'route', 'show', 'default']).trim()).toBe('');
    for (const to of grid.nodes)
      if (to !== from) expect(grid.exec(from.index, ['busybox', 'ping', '-c', '1', '-W', '3', to.ip])).toMatch(/1 packets received/);
    expect(grid.exec(from.index, ['busybox', 'ping', '-c', '1', '-W', '3', grid.bridgeIp])).toMatch(/1 packets received/);
    // IPv6 on the bridge too, usable at once (no duplicate address detection).
    for (const to of grid.nodes)
      if (to !== from) expect(grid.exec(from.index, ['busybox', 'ping', '-6', '-c', '1', '-W', '3', to.ip6])).toMatch(/1 packets received/);
    expect(grid.exec(from.index, ['busybox', 'ping', '-6', '-c', '1', '-W', '3', grid.bridgeIp6])).toMatch(/1 packets received/);
    expect(grid.exec(from.index, ['ip', '-6', 'route', 'show', 'default']).trim()).toBe('');
    // No route off the machine: an address outside the bridge's /24 is unreachable at once.
    expect(() => grid.exec(from.index, ['busybox', 'ping', '-c', '1', '-W', '2', '198.19.255.254'])).toThrow(/unreachable/i);
  }
});

test('the nodes reach each other over the planetary overlay (node 0 listens, the others peer with it)', () => {
  const [, b, c] = grid.nodes as [LocalNode, LocalNode, LocalNode];
  expect(grid.nodes.every((n) => n.planetaryAddress)).toBe(true);
  expect(grid.exec(b.index, ['busybox', 'ping', '-6', '-c', '2', '-W', '5', c.planetaryAddress!])).toMatch(/2 packets received/);
});

test('each node listens on exactly its loopback metrics port, Yggdrasil on the configured node, the gateway ports on gateway nodes', () => {
  for (const n of grid.nodes) {
    const expected = ['tcp 127.0.0.1:9101'];
    if (n.planetaryListen) expected.push(`tcp ${n.planetaryListen.replace('tcp://', '')}`);
    const sockets = listeningSockets(n.ns);
    if (n.index === GATEWAY) {
      // The gateway node's public config holds a domain: HAProxy on its HTTP port, and on 443 (no
      // certificate directory, but an ACME directory: own domains get certificates). On loopback
      // only: HAProxy's peers port (its stick tables across reloads).
      const loopback = sockets.filter((s) => s.address === '127.0.0.1' && s.port !== 9101);
      expect(loopback.map((s) => `${s.proto} ${s.program}`)).toEqual(['tcp haproxy']);
      expect(sockets.filter((s) => s.port === 80 || s.port === 443).map((s) => `${socketKey(s)} ${s.program}`)).toEqual(
        expect.arrayContaining(['tcp 0.0.0.0:80 haproxy', 'tcp 0.0.0.0:443 haproxy']),
      );
      expected.push('tcp 0.0.0.0:80', 'tcp 0.0.0.0:443', ...loopback.map(socketKey));
    }
    // No private network is deployed here: no WireGuard UDP port.
    expect(sockets.map(socketKey).sort()).toEqual(expected.sort());
  }
});

test('the local ACME CA answers every node on the bridge (trusting acmeCaFile), its DNS points any name at the gateway node, its root is a CA', async () => {
  expect(grid.acmeDirectory).toBe(`https://${grid.bridgeIp}:${grid.acme!.ports.acme}/dir`);
  for (const n of grid.nodes) {
    const directory = JSON.parse(
      grid.exec(n.index, ['curl', '-sSf', '--max-time', '10', '--cacert', grid.acmeCaFile!, grid.acmeDirectory!]),
    ) as { newOrder?: string };
    expect(directory.newOrder).toMatch(new RegExp(`^https://${grid.bridgeIp.replace(/\./g, '\\.')}:\\d+/`));
  }
  const root = new X509Certificate(readFileSync(grid.acmeRootFile!));
  expect(root.ca).toBe(true);
  expect(root.subject).toMatch(/Pebble Root CA/);
  const dns = new Resolver();
  dns.setServers([grid.acme!.dnsServer]);
  const gateway = grid.nodes[GATEWAY]!;
  for (const name of ['shop.example.test', 'www.my-own-domain.test']) expect(await dns.resolve4(name)).toEqual([gateway.ip]);
  // Only the gateway node's agent is given the CA.
  const agents = processesMentioning(dir).filter((p) => /tfgrid-agent\.js/.test(p.args));
  const acmeFlags = `--acme-directory ${grid.acmeDirectory} --acme-ca ${grid.acmeCaFile}`;
  expect(grid.nodes.map((n) => agents.some((p) => p.args.includes(`--data-dir ${n.dataDir} `) && p.args.includes(acmeFlags)))).toEqual(
    grid.nodes.map((n) => n.index === GATEWAY),
  );
});

const socketsOf = (n: LocalNode): string[] => listeningSockets(n.ns).map(socketKey).sort();

test('a private network hosted by a node adds exactly its WireGuard UDP port there, gone again after cancel', async () => {
  const [a] = grid.nodes as [LocalNode];
  const before = grid.nodes.map(socketsOf);
  const deployer: TfchainClient = await connect({ url: grid.chainUrl, secret: '//Bob' });
  try {
    await deployer.twins.acceptTerms({ documentLink: 'https://library.threefold.me/info/legal/#/', documentHash: 'localgrid-test' });
    const twinId = (await deployer.twins.idOf(deployer.address!)) ?? (await deployer.twins.create());
    const port = 51820;
    const key = sh(['wg', 'genkey']).trim();
    const d = new DeploymentBuilder(twinId, a.nodeId)
      .workload('network', 'net', {
        ip_range: '10.20.0.0/16',
        subnet: '10.20.1.0/24',
        wireguard_private_key: key,
        wireguard_listen_port: port,
        peers: [],
      })
      .build();
    const { contractId } = await deployer.deployments.create(d);
    await deployer.deployments.wait(contractId, { timeoutMs: 60_000 });
    const withNetwork = grid.nodes.map(socketsOf);
    // wireguard-go binds the port on the IPv4 and the IPv6 wildcard: those, and nothing else, are new.
    const added = withNetwork[0]!.filter((k) => !before[0]!.includes(k));
    expect(added.length).toBeGreaterThan(0);
    for (const k of added) expect(k).toMatch(new RegExp(`^udp (0\\.0\\.0\\.0|\\[::\\]|\\*):${port}$`));
    expect(withNetwork[0]!.filter((k) => !added.includes(k))).toEqual(before[0]);
    expect(withNetwork.slice(1)).toEqual(before.slice(1));
    await deployer.contracts.cancel(contractId);
    const end = Date.now() + 30_000;
    while (socketsOf(a).some((k) => k.endsWith(`:${port}`)) && Date.now() < end) await new Promise((r) => setTimeout(r, 200));
    expect(socketsOf(a)).toEqual(before[0]);
  } finally {
    await deployer.disconnect();
  }
});

/** The busybox image served on the bridge, where the agents fetch it. */
async function serveImage(): Promise<{ image: { url: string; sha256: string }; close: () => Promise<void> }> {
  const file = path.join(dir, 'busybox.tar.gz');
  const { sha256 } = await buildBusyboxImage(file);
  const server = http.createServer((_req, res) => createReadStream(file).pipe(res.writeHead(200, { 'content-type': 'application/gzip' })));
  await new Promise<void>((r) => server.listen(0, grid.bridgeIp, r));
  const { port } = server.address() as AddressInfo;
  return {
    image: { url: `http://${grid.bridgeIp}:${port}/busybox.tar.gz`, sha256 },
    close: () =>
      new Promise<void>((r) => {
        server.closeAllConnections();
        server.close(() => r());
      }),
  };
}

/** GET http://host/ from this process (the root namespace, on the bridge); undefined when nothing answers. */
async function getFromBridge(host: string): Promise<string | undefined> {
  try {
    const r = await fetch(`http://${host.includes(':') ? `[${host}]` : host}/`, { signal: AbortSignal.timeout(3000) });
    return await r.text();
  } catch {
    return undefined;
  }
}

async function eventually<T>(f: () => Promise<T | undefined>, what: string, ms = 30_000): Promise<T> {
  const end = Date.now() + ms;
  for (;;) {
    const v = await f();
    if (v !== undefined) return v;
    if (Date.now() > end) throw new Error(`${what}: not within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 300));
  }
}

test("a zmachine's reserved farm IP and its IPv6 from the node's public config answer from the bridge; after cancel the IP is free again", async () => {
  const node = grid.nodes[1]!;
  const served = await serveImage();
  const deployer: TfchainClient = await connect({ url: grid.chainUrl, secret: '//Charlie' });
  try {
    await deployer.twins.acceptTerms({ documentLink: 'https://library.threefold.me/info/legal/#/', documentHash: 'localgrid-test' });
    const twinId = (await deployer.twins.idOf(deployer.address!)) ?? (await deployer.twins.create());
    const httpd = 'mkdir -p /www; hostname > /www/index.html; exec httpd -f -p 80 -h /www';
    const d = new DeploymentBuilder(twinId, node.nodeId)
      .workload('ip', 'pub', { v4: true, v6: true })
      .zmachine('web', {
        image: served.image,
        size: 32 * 1024 * 1024,
        compute_capacity: { cpu: 1, memory: 256 * 1024 * 1024 },
        entrypoint: httpd,
        network: { public_ip: 'pub' },
      })
      .build();
    const { contractId } = await deployer.deployments.create(d, { publicIps: 1 });
    const answer = await deployer.deployments.wait(contractId, { timeoutMs: 120_000 });
    const addresses = answer.workloads.find((w) => w.name === 'web')!.data!.addresses as { public: string; public_ipv6: string };
    // The farm IP the contract reserved, and an address of the node's public IPv6 /64.
    const farmIp = (await deployer.farms.get(grid.farmId))!.publicIps.find((p) => p.contractId === contractId)!;
    expect(grid.publicIps).toContainEqual({ ip: farmIp.ip, gw: farmIp.gateway });
    expect(addresses.public).toBe(farmIp.ip);
    expect(addresses.public_ipv6.startsWith(`2001:2:0:${grid.subnet}:`)).toBe(true);
    const v4 = addresses.public.split('/')[0]!;
    const v6 = addresses.public_ipv6.split('/')[0]!;
    expect(await eventually(() => getFromBridge(v4), `${v4} answering`)).toMatch(/web/);
    expect(await eventually(() => getFromBridge(v6), `${v6} answering`)).toMatch(/web/);
    await deployer.contracts.cancel(contractId);
    await eventually(async () => ((await getFromBridge(v4)) === undefined ? true : undefined), `${v4} gone after cancel`);
    expect((await deployer.farms.get(grid.farmId))!.publicIps.find((p) => p.ip === farmIp.ip)!.contractId).toBe(0);
  } finally {
    await deployer.disconnect();
    await served.close();
  }
});

test('stop() leaves no namespace, interface, route, lock or process behind', async () => {
  const { tag, subnet, nodes } = grid;
  const running = (): string[] => processesMentioning(dir).map((p) => p.args);
  // An agent and its Yggdrasil per node, every one of them with its data directory in its arguments.
  expect(running().filter((l) => /tfgrid-agent\.js/.test(l))).toHaveLength(3);
  expect(running().filter((l) => /^yggdrasil /.test(l))).toHaveLength(3);
  const acmePids = grid.acme!.pids;
  expect(running().filter((l) => /^pebble /.test(l))).toHaveLength(1);
  await grid.stop();
  expect(listNamespaces().filter((ns) => ns.startsWith(`${tag}-`))).toEqual([]);
  expect(listLinks().filter((l) => l.startsWith(tag))).toEqual([]);
  expect(sh(['ip', 'route', 'show']).includes(`198.18.${subnet}.`)).toBe(false);
  expect(sh(['ip', '-6', 'route', 'show']).includes(`2001:2:0:${subnet}:`)).toBe(false);
  expect(existsSync(path.join(LOCK_DIR, `${subnet}.pid`))).toBe(false);
  // Each host's mount namespace is gone with it.
  expect(nodes.map((n) => existsSync(hostMounts(n.ns)))).toEqual(nodes.map(() => false));
  const alive = nodes
    .map((n) => n.pid)
    .filter((pid) => {
      try {
        process.kill(pid, 0);
        return true;
      } catch {
        return false;
      }
    });
  expect(alive).toEqual([]);
  expect(running()).toEqual([]);
  for (const pid of acmePids) expect(() => process.kill(pid, 0)).toThrow();
});
