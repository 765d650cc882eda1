/**
 * Network capacity end to end on a three-node grid in namespaces (@tfgrid/localgrid: the real
 * agents, each its own process and host namespace, WireGuard, Yggdrasil, runc), deployed through
 * the CLI as a user does:
 * - one private network across node 0 and node 1, machine A on node 0 and B on node 1: B reaches
 *   A's HTTP over it; a machine of another user's network (same range) reaches neither;
 * - a user's machine (a fourth namespace on the bridge) joins with `tfgrid network access` and
 *   reaches A; it runs Yggdrasil too, and reaches A's planetary address; A and B reach each other
 *   over their planetary addresses;
 * - a gateway name on node 2 (joined to the network) serves A's HTTP to a client on the "Internet"
 *   bridge, and a second name serves A over the overlay, while A's private address is unreachable
 *   from there;
 * - A's public IPv4 (a farm IP reserved by its contract) and IPv6 answer from the bridge;
 * - node 0's agent killed with SIGKILL and restarted brings every network back with no duplicate;
 * - each node listens on exactly what it may (metrics on loopback, Yggdrasil where configured,
 *   the gateway's ports, the UDP ports of the networks it hosts);
 * - cancel removes every namespace, interface, route and WireGuard peer of the deployments, and
 *   the public addresses stop answering.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { listeningSockets, socketKey, startLocalGrid, startRelay, type LocalGrid, type LocalNode, type Relay } from '@tfgrid/localgrid';
import { instanceTag, Planetary } from '@tfgrid/agent';
import { httpGet, inside, serveBusyboxImage, SERVER_FIXTURE, unmountUnder } from '@tfgrid/testkit';
import { cli, until, type Run } from './helpers';

jest.setTimeout(300_000);

const FIXTURE_ROOT = SERVER_FIXTURE;
const tag = (process.pid % 0xfff).toString(16).padStart(3, '0');
/** The user's machine: a fourth host on the bridge (not a node). */
const LAPTOP = `tfge${tag}l`;
const LAPTOP_VETH = `tfge${tag}v`;
const LAPTOP_WG = `tfge${tag}w`;
const GATEWAY = 2;

let dir: string;
let grid: LocalGrid;
let images: Awaited<ReturnType<typeof serveBusyboxImage>>;
let imageRelay: Relay;
let image: { url: string; sha256: string };
let laptopIp: string;
let yggUser: Planetary | undefined;
const bob = (): Record<string, string> => ({
  TFGRID_URL: grid.loopback!.chainUrl,
  TFGRID_EXPLORER: grid.loopback!.explorerUrl,
  TFGRID_MNEMONIC: '//Bob',
  TFGRID_STATE_DIR: path.join(dir, 'state-bob'),
});
const dave = (): Record<string, string> => ({ ...bob(), TFGRID_MNEMONIC: '//Dave', TFGRID_STATE_DIR: path.join(dir, 'state-dave') });

const sh = (argv: string[]): string =>
  execFileSync(argv[0]!, argv.slice(1), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
const trySh = (argv: string[]): string | undefined => {
  try {
    return sh(argv);
  } catch {
    return undefined;
  }
};
const ok = (r: Run, what: string): Run => {
  if (r.code !== 0) throw new Error(`${what} failed (exit ${r.code}):\n${r.stderr}\n${r.stdout}`);
  return r;
};

// busybox's wget crashes in a static image without NSS files: HTTP/1.0 by hand through nc.
const request = (host: string): string => `printf 'GET / HTTP/1.0\\r\\n\\r\\n' | nc -w 3 ${host} 80`;
const body = (out: string | undefined): string | undefined =>
  out?.startsWith('HTTP/1.') ? out.slice(out.indexOf('\r\n\r\n') + 4) : undefined;
const node = (i: number): LocalNode => grid.nodes[i]!;
const runcRoot = (i: number): string => path.join(node(i).dataDir, 'runc');
/** An HTTP GET of host:80 from inside machine `id` on node `i`. */
const fromMachine = (i: number, id: string, host: string): string | undefined => {
  const r = inside(runcRoot(i), id, `${request(host)} || true`);
  if (!r.ok) throw new Error(`exec in ${id} failed: ${r.out}`);
  return body(r.out);
};
/**
 * An HTTP GET of host:80 from the user's machine, with curl (busybox nc half-closes after the
 * request, and a Node HTTP server such as the gateway's drops a request whose client half-closed).
 */
const fromLaptop = (host: string, hostHeader?: string): string | undefined =>
  trySh([
    'ip',
    'netns',
    'exec',
    LAPTOP,
    'curl',
    '-sf',
    '-m',
    '5',
    '-g',
    ...(hostHeader ? ['-H', `Host: ${hostHeader}`] : []),
    `http://${host.includes(':') ? `[${host}]` : host}:80/`,
  ]);

const machine = (name: string, nodeId: number, network: unknown): Record<string, unknown> => ({
  type: 'zmachine',
  name,
  node: nodeId,
  image,
  size: '64MiB',
  compute_capacity: { cpu: 1, memory: '256MiB' },
  entrypoint: `mkdir -p /www; echo ${name} > /www/index.html; exec httpd -f -p 80 -h /www`,
  network,
});
function file(name: string, content: unknown): string {
  const f = path.join(dir, name);
  writeFileSync(f, JSON.stringify(content));
  return f;
}

interface Deployed {
  twinId: number;
  contracts: { contractId: number; nodeId: number }[];
  machines: {
    name: string;
    nodeId: number;
    contractId: number;
    private: Record<string, string>;
    planetary?: string | null;
    public?: string | null;
    publicIpv6?: string | null;
  }[];
  gateways: { name: string; nodeId: number; contractId: number; fqdn: string; network?: string }[];
}
let site: Deployed;
let other: Deployed;
let overlayName: Deployed;
const A = (): Deployed['machines'][number] => site.machines.find((m) => m.name === 'a')!;
const B = (): Deployed['machines'][number] => site.machines.find((m) => m.name === 'b')!;
const idOf = (m: Deployed['machines'][number]): string => `${m.contractId}-${m.name}`;
const bare = (cidr: string): string => cidr.replace(/\/\d+$/, '');

/** Links of namespace `ns` as node `i` sees it (its network namespaces are named on the node only), sorted. */
const linksIn = (i: number, ns: string): string[] =>
  grid
    .exec(i, ['ip', ...(ns === node(i).ns ? [] : ['-n', ns]), '-o', 'link', 'show'])
    .split('\n')
    .map((l) => /^\d+:\s+([^:@\s]+)/.exec(l)?.[1])
    .filter((x): x is string => !!x)
    .sort();

/**
 * What node `i`'s agent made on the machine, by name (never pids): the links of its host
 * namespace, its networks' namespaces with their links, its machines' namespaces with their links,
 * its WireGuard control sockets, and the processes that run for it (wireguard-go, Yggdrasil, relays).
 * Other tests' namespaces on the same machine are not counted: everything is told apart by the agent's instance tag or data directory.
 */
function holdings(i: number): {
  links: string[];
  networks: Record<string, string[]>;
  machines: Record<string, string[]>;
  wireguard: string[];
  processes: string[];
} {
  const inst = instanceTag(node(i).dataDir);
  const networks = Object.fromEntries(
    grid
      .exec(i, ['ip', 'netns', 'list'])
      .split('\n')
      .map((l) => l.split(' ')[0]!)
      .filter((n) => n.startsWith(`tfn-${inst}`))
      .sort()
      .map((n) => [n, linksIn(i, n)]),
  );
  const containers = JSON.parse(sh(['runc', '--root', runcRoot(i), 'list', '-f', 'json']) || '[]') as
    { id: string; pid: number; status: string }[] | null;
  const machines = Object.fromEntries(
    (containers ?? [])
      .filter((c) => c.status === 'running')
      .sort((a, b) => a.id.localeCompare(b.id))
      .map((c) => {
        const ns = grid.exec(i, ['ip', 'netns', 'identify', String(c.pid)]).trim();
        return [c.id, ns ? linksIn(i, ns) : []];
      }),
  );
  const wireguard = (trySh(['ls', '/var/run/wireguard']) ?? '')
    .split('\n')
    .filter((f) => f.startsWith(`tfw${inst}`))
    .sort();
  const processes = sh(['ps', '-eo', 'args'])
    .split('\n')
    .filter((a) => new RegExp(`^wireguard-go tfw${inst}|^yggdrasil .*${node(i).dataDir}/|network-relay\\.js .*${node(i).dataDir}/`).test(a))
    .sort();
  return { links: linksIn(i, node(i).ns), networks, machines, wireguard, processes };
}
let baseline: ReturnType<typeof holdings>[];

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'tfgrid-gridnet-'));
  chmodSync(dir, 0o711);
  grid = await startLocalGrid({
    nodes: 3,
    dataDir: path.join(dir, 'grid'),
    hardwareRoot: FIXTURE_ROOT,
    gateways: [GATEWAY],
    loopback: true,
    logLevel: 'warn',
    timeoutMs: 180_000,
  });
  // The image, served on the host's loopback and relayed onto the bridge where the nodes fetch it.
  images = await serveBusyboxImage(dir);
  const local = new URL(images.image.url);
  imageRelay = await startRelay({
    listenHost: grid.bridgeIp,
    listenPort: 0,
    targetHost: local.hostname,
    targetPort: Number(local.port),
    what: 'image server',
  });
  image = { url: `http://${grid.bridgeIp}:${imageRelay.port}/busybox.tar.gz`, sha256: images.image.sha256 };
  // The user's machine: its own namespace on the "Internet" bridge, no default route.
  laptopIp = `198.18.${grid.subnet}.60`;
  sh(['ip', 'netns', 'add', LAPTOP]);
  sh(['ip', 'link', 'add', LAPTOP_VETH, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', LAPTOP]);
  sh(['ip', 'link', 'set', LAPTOP_VETH, 'master', grid.bridge, 'up']);
  sh(['ip', '-n', LAPTOP, 'link', 'set', 'lo', 'up']);
  sh(['ip', '-n', LAPTOP, 'addr', 'add', `${laptopIp}/24`, 'dev', 'eth0']);
  sh(['ip', '-n', LAPTOP, 'addr', 'add', `2001:2:0:${grid.subnet}::60/64`, 'dev', 'eth0', 'nodad']);
  sh(['ip', '-n', LAPTOP, 'link', 'set', 'eth0', 'up']);
  baseline = grid.nodes.map((_, i) => holdings(i));
  for (const who of [bob(), dave()]) {
    ok(await cli(['terms', 'accept'], who), 'terms accept');
    ok(await cli(['twin', 'create'], who), 'twin create');
  }
});

afterAll(async () => {
  await yggUser?.stop().catch(() => undefined);
  trySh(['ip', 'netns', 'del', LAPTOP]);
  trySh(['ip', 'link', 'del', LAPTOP_VETH]);
  trySh(['ip', 'link', 'del', LAPTOP_WG]);
  await imageRelay?.stop();
  await images?.close();
  await grid?.stop();
  unmountUnder(dir);
  rmSync(dir, { recursive: true, force: true });
});

test('a file across three nodes: A and B on one private network, a gateway on the third joining it, a public IPv4 and IPv6 for A', async () => {
  const [n0, n1, n2] = [node(0).nodeId, node(1).nodeId, node(GATEWAY).nodeId];
  ok(await cli(['name', 'reserve', `site${tag}`], bob()), 'name reserve');
  const f = file('site.json', {
    networks: [{ name: 'net', ip_range: '10.20.0.0/16' }],
    workloads: [
      { type: 'ip', name: 'pub', node: n0, v4: true, v6: true },
      machine('a', n0, { interfaces: [{ network: 'net' }], planetary: true, public_ip: 'pub' }),
      machine('b', n1, { interfaces: [{ network: 'net' }], planetary: true }),
      { type: 'gateway-name-proxy', name: 'site', node: n2, gateway_name: `site${tag}`, network: 'net', backends: ['http://a:80'] },
    ],
  });
  site = ok(await cli(['deploy', f, '--wait-timeout', '120', '--json'], bob()), 'deploy').json() as Deployed;
  expect(site.contracts.map((c) => c.nodeId).sort()).toEqual([n0, n1, n2].sort());
  expect(A().private.net).toMatch(/^10\.20\.\d+\.\d+$/);
  expect(A().planetary).toBeTruthy();
  expect(A().public).toMatch(new RegExp(`^198\\.18\\.${grid.subnet}\\.2\\d\\d/24$`));
  expect(A().publicIpv6).toMatch(new RegExp(`^2001:2:0:${grid.subnet}:`));
  expect(site.gateways).toEqual([
    expect.objectContaining({ name: 'site', nodeId: n2, fqdn: `site${tag}.${node(GATEWAY).domain}`, network: 'net' }),
  ]);
});

test("B reaches A's HTTP over the private network, and A reaches B", async () => {
  expect(await until('B to reach A over the network', async () => fromMachine(1, idOf(B()), A().private.net!), 60_000, 500)).toBe('a\n');
  expect(fromMachine(0, idOf(A()), B().private.net!)).toBe('b\n');
});

test("another user's network in the same range on the same nodes reaches neither A nor B", async () => {
  // The same range, and node 0's first /24 as A's: C at .50 of A's subnet, on A's node.
  const cIp = A().private.net!.replace(/\.\d+$/, '.50');
  const f = file('other.json', {
    networks: [{ name: 'net', ip_range: '10.20.0.0/16' }],
    workloads: [machine('c', node(0).nodeId, { interfaces: [{ network: 'net', ip: cIp }] })],
  });
  other = ok(await cli(['deploy', f, '--wait-timeout', '120', '--json'], dave()), 'deploy of the other user').json() as Deployed;
  const c = other.machines[0]!;
  expect(c.private.net).toBe(cIp);
  expect(await until("C's own page", async () => fromMachine(0, idOf(c), c.private.net!), 30_000, 500)).toBe('c\n');
  expect(fromMachine(0, idOf(c), A().private.net!)).toBeUndefined();
  expect(fromMachine(0, idOf(c), B().private.net!)).toBeUndefined();
});

test("the gateway on node 2 serves A by name to the Internet bridge; A's private address is unreachable from there", async () => {
  const gw = node(GATEWAY);
  const fqdn = site.gateways[0]!.fqdn;
  expect(await until('the name to serve A', async () => fromLaptop(gw.ip, fqdn), 60_000, 500)).toBe('a\n');
  // The same from the root namespace, through Node's own HTTP client.
  expect(await httpGet(gw.ip, 80, '/', 5000, { host: fqdn })).toBe('a\n');
  expect(fromLaptop(A().private.net!)).toBeUndefined();
  expect(fromLaptop(B().private.net!)).toBeUndefined();
});

test('a gateway name on node 2 serves A over the planetary overlay', async () => {
  ok(await cli(['name', 'reserve', `ygg${tag}`], bob()), 'name reserve');
  const f = file('overlay.json', {
    workloads: [{ type: 'gateway-name-proxy', name: 'overlay', gateway_name: `ygg${tag}`, backends: [`http://[${A().planetary}]:80`] }],
  });
  overlayName = ok(
    await cli(['deploy', f, '--node', String(node(GATEWAY).nodeId), '--wait-timeout', '60', '--json'], bob()),
    'deploy the overlay name',
  ).json() as Deployed;
  const fqdn = `ygg${tag}.${node(GATEWAY).domain}`;
  const served = await until('the overlay name to serve A', async () => fromLaptop(node(GATEWAY).ip, fqdn), 60_000, 500).catch(
    (e: Error) => {
      const raw = trySh(['ip', 'netns', 'exec', LAPTOP, 'curl', '-si', '-m', '5', '-H', `Host: ${fqdn}`, `http://${node(GATEWAY).ip}/`]);
      const log = readFileSync(node(GATEWAY).log, 'utf8')
        .split('\n')
        .filter((l) => /gateway|backend|proxy/i.test(l))
        .slice(-15)
        .join('\n');
      throw new Error(`${e.message}\n--- the gateway answered:\n${raw}\n--- node 2's log:\n${log}`);
    },
  );
  expect(served).toBe('a\n');
});

test("A's reserved public IPv4 and its public IPv6 answer from the Internet bridge", async () => {
  expect(await until("A's public IPv4", async () => fromLaptop(bare(A().public!)), 30_000, 500)).toBe('a\n');
  expect(await until("A's public IPv6", async () => fromLaptop(bare(A().publicIpv6!)), 30_000, 500)).toBe('a\n');
});

test('A and B reach each other over their planetary addresses; a Yggdrasil user in a fourth namespace reaches A', async () => {
  expect(await until('B to reach A over the overlay', async () => fromMachine(1, idOf(B()), A().planetary!), 60_000, 500)).toBe('a\n');
  expect(await until('A to reach B over the overlay', async () => fromMachine(0, idOf(A()), B().planetary!), 60_000, 500)).toBe('b\n');
  yggUser = new Planetary({
    dir: path.join(dir, 'ygg-user'),
    netns: LAPTOP,
    peers: [node(0).planetaryListen!],
    ifName: `tfge${tag}y`,
    logger: pino({ level: 'silent' }),
  });
  await yggUser.start();
  expect(await until('the Yggdrasil user to reach A', async () => fromLaptop(A().planetary!), 90_000, 1000)).toBe('a\n');
});

test("the user's machine joins the network with the config of `tfgrid network access` and reaches A", async () => {
  const conf = path.join(dir, 'laptop.conf');
  ok(await cli(['network', 'access', 'net', '--user', 'laptop', '--output', conf], bob()), 'network access');
  const text = readFileSync(conf, 'utf8');
  const address = /^Address = (\S+)$/m.exec(text)![1]!;
  const allowed = /^AllowedIPs = (.+)$/m.exec(text)![1]!.split(/,\s*/);
  // wg-quick's job, by hand: the interface (userspace), the keys and peer, the address, the routes.
  const stripped = path.join(dir, 'laptop.wg');
  writeFileSync(
    stripped,
    text
      .split('\n')
      .filter((l) => !/^(Address|DNS|MTU)\s*=/.test(l))
      .join('\n'),
    { mode: 0o600 },
  );
  execFileSync('ip', ['netns', 'exec', LAPTOP, 'wireguard-go', LAPTOP_WG], {
    env: { ...process.env, WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD: '1' },
    stdio: 'ignore',
  });
  sh(['ip', 'netns', 'exec', LAPTOP, 'wg', 'setconf', LAPTOP_WG, stripped]);
  sh(['ip', '-n', LAPTOP, 'addr', 'add', address, 'dev', LAPTOP_WG]);
  sh(['ip', '-n', LAPTOP, 'link', 'set', LAPTOP_WG, 'up']);
  for (const a of allowed) sh(['ip', '-n', LAPTOP, 'route', 'replace', a, 'dev', LAPTOP_WG]);
  expect(await until('the laptop to reach A over WireGuard', async () => fromLaptop(A().private.net!), 60_000, 500)).toBe('a\n');
  sh(['ip', '-n', LAPTOP, 'link', 'del', LAPTOP_WG]);
});

test('each node listens on exactly its metrics port, Yggdrasil where configured, the gateway ports, and the UDP ports of its networks', () => {
  const ports = (i: number): number[] => {
    const planned = [site, other].flatMap((d) => d.contracts.filter((c) => c.nodeId === node(i).nodeId));
    return planned.length ? wireguardPorts(i) : [];
  };
  for (const [i, n] of grid.nodes.entries()) {
    const sockets = listeningSockets(n.ns);
    const keys = sockets.map(socketKey);
    // The gateway's HAProxy also has its peers port on loopback (its stick tables across a reload).
    const peers = sockets.filter((s) => i === GATEWAY && s.proto === 'tcp' && s.address === '127.0.0.1' && s.program === 'haproxy');
    expect(peers.length).toBeLessThanOrEqual(1);
    const allowed = (k: string): boolean =>
      k === 'tcp 127.0.0.1:9101' ||
      peers.some((s) => socketKey(s) === k) ||
      (n.planetaryListen !== undefined && k === `tcp ${n.planetaryListen.replace('tcp://', '')}`) ||
      (i === GATEWAY && /^tcp (0\.0\.0\.0|\[::\]|\*):(80|443)$/.test(k)) ||
      ports(i).some((p) => new RegExp(`^udp (0\\.0\\.0\\.0|\\[::\\]|\\*):${p}$`).test(k));
    expect({ node: i, unexpected: keys.filter((k) => !allowed(k)) }).toEqual({ node: i, unexpected: [] });
    expect(keys).toContain('tcp 127.0.0.1:9101');
    for (const p of ports(i)) expect(keys.some((k) => k.startsWith('udp ') && k.endsWith(`:${p}`))).toBe(true);
  }
});

test("node 0's agent killed with SIGKILL and started again brings every network back, with no duplicate", async () => {
  const before = holdings(0);
  await grid.restartAgent(0, 'SIGKILL');
  expect(await until('B to reach A again', async () => fromMachine(1, idOf(B()), A().private.net!), 120_000, 1000)).toBe('a\n');
  const again = await until(
    'the name to serve A again',
    async () => fromLaptop(node(GATEWAY).ip, site.gateways[0]!.fqdn),
    60_000,
    1000,
  ).catch((e: Error) => {
    const raw = trySh([
      'ip',
      'netns',
      'exec',
      LAPTOP,
      'curl',
      '-si',
      '-m',
      '5',
      '-H',
      `Host: ${site.gateways[0]!.fqdn}`,
      `http://${node(GATEWAY).ip}/`,
    ]);
    const log = readFileSync(node(GATEWAY).log, 'utf8').split('\n').slice(-15).join('\n');
    throw new Error(`${e.message}\n--- the gateway answered:\n${raw}\n--- node 2's log:\n${log}`);
  });
  expect(again).toBe('a\n');
  expect(await until("A's public IPv4 again", async () => fromLaptop(bare(A().public!)), 60_000, 1000)).toBe('a\n');
  expect(holdings(0)).toEqual(before);
});

test('cancel removes every namespace, interface, route, WireGuard peer and process of the deployments; the public addresses stop answering', async () => {
  for (const [d, who] of [
    [site, bob()],
    [other, dave()],
    [overlayName, bob()],
  ] as const) {
    const ids = d.contracts ? d.contracts.map((c) => c.contractId) : [(d as unknown as { contractId: number }).contractId];
    ok(await cli(['contracts', 'cancel', ...ids.map(String)], who), 'cancel');
  }
  const gone = (i: number): boolean => {
    const h = holdings(i);
    return Object.keys(h.networks).length === 0 && Object.keys(h.machines).length === 0 && h.wireguard.length === 0;
  };
  await until('the nodes to remove everything', async () => grid.nodes.every((_, i) => gone(i)), 90_000, 500);
  for (const [i] of grid.nodes.entries()) {
    const now = holdings(i);
    expect({ node: i, networks: now.networks, machines: now.machines, wireguard: now.wireguard }).toEqual({
      node: i,
      networks: {},
      machines: {},
      wireguard: [],
    });
    // The node's own processes only (its Yggdrasil): no wireguard-go, no relay.
    expect(now.processes).toEqual(baseline[i]!.processes);
    // The node's own links only: what it had before any deployment, and the workload bridge its first machine made.
    expect(now.links.filter((l) => !baseline[i]!.links.includes(l) && l !== 'tfgrid-wl0')).toEqual([]);
    // No route to a machine's planetary address is left.
    expect(
      grid
        .exec(i, ['ip', '-6', 'route', 'show'])
        .split('\n')
        .filter((r) => /^3[0-9a-f]{2}:.*::[0-9a-f]+ /.test(r)),
    ).toEqual([]);
  }
  expect(fromLaptop(bare(A().public!))).toBeUndefined();
  expect(fromLaptop(bare(A().publicIpv6!))).toBeUndefined();
  expect(fromLaptop(node(GATEWAY).ip, site.gateways[0]!.fqdn)).toBeUndefined();
  expect(fromLaptop(node(GATEWAY).ip, `ygg${tag}.${node(GATEWAY).domain}`)).toBeUndefined();
});

/** The WireGuard listen ports of the networks node `i` hosts, from the saved plans. */
function wireguardPorts(i: number): number[] {
  const ports: number[] = [];
  for (const state of ['state-bob', 'state-dave']) {
    for (const f of (trySh(['ls', path.join(dir, state)]) ?? '').split('\n').filter((x) => x.endsWith('.json'))) {
      const plan = JSON.parse(readFileSync(path.join(dir, state, f), 'utf8')).plan as { nodes: { nodeId: number; listenPort: number }[] };
      for (const n of plan.nodes) if (n.nodeId === node(i).nodeId) ports.push(n.listenPort);
    }
  }
  return ports;
}
