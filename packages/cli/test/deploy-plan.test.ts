/**
 * What `tfgrid deploy` sends for a file with a gateway on a private network, worked out without a
 * chain: the network planned over the machines' nodes and the gateway's, the gateway node's
 * deployment holding the network workload with its own subnet, the other nodes peering with it, a
 * backend naming a machine given the machine's address; and the file's refusals (exit 2 paths).
 */
import type { NetworkData } from '@tfgrid/client';
import {
  buildDeployment,
  checkGatewayBackends,
  networkGateways,
  networksDeployedBefore,
  parseDeploymentFile,
  planDeployment,
  type SavedNetwork,
} from '../src/core';

const image = { url: 'http://198.18.0.1/busybox.tar.gz', sha256: 'a'.repeat(64) };
const machine = (name: string, node: number, network: unknown) => ({
  type: 'zmachine',
  name,
  node,
  image,
  size: '64MiB',
  compute_capacity: { cpu: 1, memory: '256MiB' },
  entrypoint: 'httpd -f -p 8080',
  network,
});
const gateway = (node: number, over: Record<string, unknown> = {}) => ({
  type: 'gateway-name-proxy',
  name: 'site',
  node,
  gateway_name: 'mysite',
  network: 'net',
  backends: ['http://web:8080'],
  ...over,
});
const joins = { interfaces: [{ network: 'net' }] };
const endpoints = new Map<number, string | undefined>([
  [1, '198.18.0.2'],
  [2, '198.18.0.3'],
  [3, '198.18.0.4'],
]);
const parse = (workloads: unknown[], networks: unknown = [{ name: 'net', ip_range: '10.20.0.0/16' }]) =>
  parseDeploymentFile({ networks, workloads }, 'site.json');

test("the gateway's node joins the network: its deployment holds the network workload with a subnet of its own, the other nodes peer with it", async () => {
  const f = parse([
    machine('web', 1, joins),
    machine('db', 2, { interfaces: [{ network: 'net', ip: '10.20.3.9' }] }),
    gateway(3, { backends: ['http://web:8080', 'http://db', 'http://10.20.2.7:80/'] }),
  ]);
  const { plans, machines, deployments } = await planDeployment(
    f,
    f.workloads.map((w) => w.node!),
    endpoints,
    7,
  );
  const [plan] = plans;
  expect(plan!.nodes.map((n) => [n.nodeId, n.subnet])).toEqual([
    [1, '10.20.2.0/24'],
    [2, '10.20.3.0/24'],
    [3, '10.20.4.0/24'],
  ]);
  expect(machines.get('net')).toEqual([
    { name: 'web', nodeId: 1, ip: '10.20.2.2' },
    { name: 'db', nodeId: 2, ip: '10.20.3.9' },
  ]);
  expect(deployments.map((g) => g.nodeId)).toEqual([1, 2, 3]);
  const gw = deployments[2]!.d;
  expect(gw.workloads.map((w) => [w.type, w.name])).toEqual([
    ['network', 'net'],
    ['gateway-name-proxy', 'site'],
  ]);
  const net = gw.workloads[0]!.data as unknown as NetworkData;
  expect(net).toMatchObject({ ip_range: '10.20.0.0/16', subnet: '10.20.4.0/24', wireguard_private_key: plan!.nodes[2]!.privateKey });
  expect(net.peers.map((p) => p.subnet)).toEqual(['10.20.2.0/24', '10.20.3.0/24']);
  // Backends naming machines carry their addresses; a literal one stays as written.
  expect(gw.workloads[1]!.data).toEqual({
    name: 'mysite',
    network: 'net',
    backends: ['http://10.20.2.2:8080', 'http://10.20.3.9', 'http://10.20.2.7:80/'],
  });
  // The machines' nodes route the gateway node's subnet to it.
  for (const g of deployments.slice(0, 2)) {
    const peers = (g.d.workloads.find((w) => w.type === 'network')!.data as unknown as NetworkData).peers;
    expect(peers).toContainEqual({
      subnet: '10.20.4.0/24',
      wireguard_public_key: plan!.nodes[2]!.publicKey,
      allowed_ips: ['10.20.4.0/24', '100.64.20.4/32'],
      endpoint: `198.18.0.4:${plan!.nodes[2]!.listenPort}`,
    });
  }
  expect(deployments.map((g) => g.publicIps)).toEqual([0, 0, 0]);
});

test("a gateway on a machine's node shares that node's subnet; a public IPv4+IPv6 ip workload is one farm IP, an IPv6-only one none", async () => {
  const f = parse([
    { ...machine('web', 1, { ...joins, public_ip: 'pub' }) },
    { type: 'ip', name: 'pub', node: 1, v4: true, v6: true },
    gateway(1, { node: 1 }),
  ]);
  const { plans, deployments } = await planDeployment(f, [1, 1, 1], endpoints, 7);
  expect(plans[0]!.nodes.map((n) => n.nodeId)).toEqual([1]);
  expect(deployments).toHaveLength(1);
  expect(deployments[0]!.publicIps).toBe(1);
  expect(deployments[0]!.d.workloads.map((w) => w.name)).toEqual(['net', 'web', 'pub', 'site']);
  expect(deployments[0]!.d.workloads.find((w) => w.name === 'pub')!.data).toEqual({ v4: true, v6: true });
  expect(deployments[0]!.d.workloads.find((w) => w.name === 'site')!.data.backends).toEqual(['http://10.20.2.2:8080']);
  // IPv6 only: no farm IP is reserved.
  const v6 = parse([machine('web', 1, { ...joins, public_ip: 'pub6' }), { type: 'ip', name: 'pub6', node: 1, v6: true }]);
  const only6 = await planDeployment(v6, [1, 1], endpoints, 7);
  expect(only6.deployments[0]!.publicIps).toBe(0);
  expect(only6.deployments[0]!.d.workloads.find((w) => w.name === 'pub6')!.data).toEqual({ v6: true });
});

test("a network only a gateway joins is planned on the gateway's node (its backends may be users' machines)", async () => {
  const f = parse([gateway(2, { backends: ['http://10.20.9.2:8080'] })]);
  const { plans, deployments } = await planDeployment(f, [2], endpoints, 7);
  expect(plans[0]!.nodes.map((n) => [n.nodeId, n.subnet])).toEqual([[2, '10.20.2.0/24']]);
  expect(deployments[0]!.d.workloads.map((w) => w.type)).toEqual(['network', 'gateway-name-proxy']);
});

test.each([
  [[machine('web', 1, joins), gateway(3, { network: 7 })], 'site.json: workloads[1].network must name a network by its name'],
  [
    [machine('web', 1, joins), gateway(3, { backends: ['http://api:8080'] })],
    "site.json: workloads[1].backends[0] names 'api', which is no machine of the file",
  ],
  [
    [machine('web', 1, {}), machine('db', 1, joins), gateway(3)],
    "site.json: workloads[2].backends[0] names machine 'web', which does not join network 'net'",
  ],
])('a gateway naming what the file lacks is refused with its field: %#', (workloads, message) => {
  expect(() => parse(workloads)).toThrow(message);
});

test('a literal backend outside the network, or no machine address of it, is refused before the chain is asked', async () => {
  await expect(
    checkGatewayBackends(parse([machine('web', 1, joins), gateway(3, { backends: ['http://web:8080', 'http://10.30.2.2:8080'] })])),
  ).rejects.toThrow("workloads[1] ('site').backends[1]: 10.30.2.2 is outside network 'net' (10.20.0.0/16)");
  await expect(checkGatewayBackends(parse([machine('web', 1, joins), gateway(3, { backends: ['http://10.20.2.1:80'] })]))).rejects.toThrow(
    '10.20.2.1 is not a machine address',
  );
  // The default range when the file gives none.
  await expect(
    checkGatewayBackends(parse([machine('web', 1, joins), gateway(3, { backends: ['http://10.21.2.2:80'] })], [{ name: 'net' }])),
  ).rejects.toThrow("outside network 'net' (10.20.0.0/16)");
  await expect(
    checkGatewayBackends(parse([machine('web', 1, joins), gateway(3, { backends: ['https://10.20.2.2:443'] })])),
  ).rejects.toThrow("workloads[1] ('site').backends[0]: must be http://IPv4[:port]");
  await expect(
    checkGatewayBackends(parse([machine('web', 1, joins), gateway(3, { backends: ['http://10.20.2.2:80', 'http://web:80'] })])),
  ).resolves.toBeUndefined();
});

test("a single-node file's gateway on a network workload written out in the file: a backend outside its range is refused by the deployment's rules", async () => {
  const f = parseDeploymentFile({
    workloads: [
      {
        type: 'network',
        name: 'net',
        ip_range: '10.20.0.0/16',
        subnet: '10.20.2.0/24',
        wireguard_private_key: 'x',
        wireguard_listen_port: 4000,
        peers: [],
      },
      gateway(1, { node: undefined, backends: ['http://10.30.0.2:80'] }),
    ],
  });
  await expect(buildDeployment(f, 7, 1)).rejects.toThrow(
    "$.workloads[1].data.backends[0] 10.30.0.2 is outside network 'net' (10.20.0.0/16)",
  );
});

test("a gateway may join a network deployed before, on its node: its backends are that network's machines", async () => {
  // What `tfgrid deploy` saved for an earlier file: web on node 1, db on node 2.
  const first = parse([machine('web', 1, joins), machine('db', 2, joins)]);
  const earlier = await planDeployment(first, [1, 2], endpoints, 7);
  const saved: SavedNetwork = {
    twinId: 7,
    plan: earlier.plans[0]!,
    contracts: earlier.deployments.map((g, i) => ({ nodeId: g.nodeId, contractId: 10 + i, deployment: g.d })),
    machines: earlier.machines.get('net')!,
  };
  const load = (name: string) => (name === 'net' ? saved : undefined);

  const later = parseDeploymentFile({ workloads: [gateway(2, { backends: ['http://web:8080', 'http://10.20.3.2'] })] }, 'gw.json');
  const before = networksDeployedBefore(later, [2], load);
  expect([...before.keys()]).toEqual(['net']);
  const { plans, deployments } = await planDeployment(later, [2], endpoints, 7, before);
  expect(plans).toEqual([]);
  // Only the gateway: node 2 has the network from the earlier contract.
  expect(deployments.map((g) => [g.nodeId, g.d.workloads.map((w) => w.type)])).toEqual([[2, ['gateway-name-proxy']]]);
  expect(deployments[0]!.d.workloads[0]!.data).toEqual({
    name: 'mysite',
    network: 'net',
    backends: ['http://10.20.2.2:8080', 'http://10.20.3.2'],
  });

  expect(() => networksDeployedBefore(parseDeploymentFile({ workloads: [gateway(2, { network: 'other' })] }), [2], load)).toThrow(
    "workloads[0] ('site').network names no network of the file nor one deployed before: 'other' (the file's networks: none;",
  );
  expect(() => networksDeployedBefore(later, [3], load)).toThrow(
    "workloads[0] ('site'): network 'net' is not on node 3 (it is on nodes 1, 2): put the gateway on one of them, or deploy it in one file with the network",
  );
  expect(() => networksDeployedBefore(parseDeploymentFile({ workloads: [gateway(2, { backends: ['http://api'] })] }), [2], load)).toThrow(
    "workloads[0] ('site').backends[0] names 'api', which is no machine of network 'net' (its machines: web, db)",
  );
  const outside = parseDeploymentFile({ workloads: [gateway(2, { backends: ['http://10.30.3.2'] })] });
  await expect(planDeployment(outside, [2], endpoints, 7, networksDeployedBefore(outside, [2], load))).rejects.toThrow(
    "the deployment for node 2 is not valid: $.workloads[0].data.backends[0] 10.30.3.2 is outside network 'net' (10.20.0.0/16)",
  );
});

const own = (node: number | undefined, over: Record<string, unknown> = {}) => ({
  type: 'gateway-fqdn-proxy',
  name: 'own',
  node,
  fqdn: 'www.example.com',
  network: 'net',
  backends: ['http://web:8080'],
  ...over,
});

test('a gateway-fqdn-proxy: its own domain, no name contract; machine-named backends get their addresses, its node joins the network', async () => {
  const f = parse([machine('web', 1, joins), own(3, { tls_passthrough: false })]);
  expect(f.workloads[1]).toMatchObject({
    type: 'gateway-fqdn-proxy',
    name: 'own',
    node: 3,
    data: { fqdn: 'www.example.com', network: 'net', backends: ['http://web:8080'], tls_passthrough: false },
  });
  const { plans, deployments } = await planDeployment(
    f,
    f.workloads.map((w) => w.node!),
    endpoints,
    7,
  );
  expect(plans[0]!.nodes.map((n) => n.nodeId)).toEqual([1, 3]);
  const gw = deployments.find((g) => g.nodeId === 3)!.d;
  expect(gw.workloads.map((w) => [w.type, w.name])).toEqual([
    ['network', 'net'],
    ['gateway-fqdn-proxy', 'own'],
  ]);
  expect(gw.workloads[1]!.data).toEqual({
    fqdn: 'www.example.com',
    network: 'net',
    tls_passthrough: false,
    backends: ['http://10.20.2.2:8080'],
  });
  // On one node, without a network: public backends as written, IP:port with tls_passthrough.
  const alone = parseDeploymentFile(
    {
      workloads: [
        { type: 'gateway-fqdn-proxy', name: 'tls', fqdn: 'secure.example.com', tls_passthrough: true, backends: ['198.18.0.9:443'] },
      ],
    },
    'tls.json',
  );
  const d = await buildDeployment(alone, 7, 3);
  expect(d.workloads[0]).toMatchObject({
    type: 'gateway-fqdn-proxy',
    data: { fqdn: 'secure.example.com', tls_passthrough: true, backends: ['198.18.0.9:443'] },
  });
});

test.each([
  [
    { gateway_name: 'mysite' },
    'site.json: workloads[1].gateway_name is a field of gateway-name-proxy (a name contract); a gateway-fqdn-proxy serves its "fqdn" and needs no name contract',
  ],
  [{ data: { name: 'mysite' } }, 'site.json: workloads[1].data.name is a field of gateway-name-proxy'],
  [{ fqdn: undefined }, 'site.json: workloads[1].fqdn is missing: the domain to serve, e.g. "www.example.com"'],
  [{ backends: ['http://api:8080'] }, "site.json: workloads[1].backends[0] names 'api', which is no machine of the file"],
])(
  'a gateway-fqdn-proxy with a field of the other kind, no fqdn, or a backend naming no machine is refused with its field: %#',
  (over, message) => {
    expect(() => parse([machine('web', 1, joins), own(3, over)])).toThrow(message);
  },
);

test('a gateway-name-proxy given an fqdn is refused (it serves <gateway_name>.<domain>)', () => {
  expect(() => parse([machine('web', 1, joins), gateway(3, { fqdn: 'www.example.com' })])).toThrow(
    "site.json: workloads[1].fqdn is a field of gateway-fqdn-proxy (your own domain); a gateway-name-proxy serves <gateway_name>.<the node's domain>",
  );
});

test.each([
  ['example', '$.workloads[0].data.fqdn must be a domain name of two labels or more'],
  ['10.0.0.1', '$.workloads[0].data.fqdn must be a domain name'],
  ['a_b.example.com', '$.workloads[0].data.fqdn must be a domain name'],
])("a malformed fqdn is refused by the deployment's rules, before the chain is asked: %s", async (fqdn, message) => {
  const f = parseDeploymentFile(
    { workloads: [{ type: 'gateway-fqdn-proxy', name: 'own', fqdn, backends: ['http://198.18.0.9'] }] },
    'own.json',
  );
  await expect(buildDeployment(f, 7, 3)).rejects.toThrow(`the deployment is not valid: ${message}`);
});

test('tls_passthrough backends: IP:port, on a planned network a machine address of it', async () => {
  const f = parseDeploymentFile({
    workloads: [{ type: 'gateway-fqdn-proxy', name: 'own', fqdn: 'a.example.com', tls_passthrough: true, backends: ['http://198.18.0.9'] }],
  });
  await expect(buildDeployment(f, 7, 3)).rejects.toThrow(
    '$.workloads[0].data.backends[0] must be IP:port (IPv4 or [IPv6]) with tls_passthrough',
  );
  await expect(
    checkGatewayBackends(parse([machine('web', 1, joins), own(3, { tls_passthrough: true, backends: ['10.30.2.2:8443'] })])),
  ).rejects.toThrow("workloads[1] ('own').backends[0]: 10.30.2.2 is outside network 'net' (10.20.0.0/16)");
  await expect(
    checkGatewayBackends(parse([machine('web', 1, joins), own(3, { tls_passthrough: true, backends: ['10.20.2.2:8443'] })])),
  ).resolves.toBeUndefined();
});

test("`network show`'s gateways: a name proxy by its name, an fqdn proxy by its domain", async () => {
  const f = parse([machine('web', 1, joins), gateway(2), own(2, { backends: ['http://web:81'] })]);
  const { plans, machines, deployments } = await planDeployment(f, [1, 2, 2], endpoints, 7);
  const saved: SavedNetwork = {
    twinId: 7,
    plan: plans[0]!,
    contracts: deployments.map((g, i) => ({ nodeId: g.nodeId, contractId: 20 + i, deployment: g.d })),
    machines: machines.get('net')!,
  };
  expect(networkGateways(saved)).toEqual([
    { name: 'site', nodeId: 2, contractId: 21, gatewayName: 'mysite', backends: ['http://10.20.2.2:8080'] },
    { name: 'own', nodeId: 2, contractId: 21, fqdn: 'www.example.com', backends: ['http://10.20.2.2:81'] },
  ]);
});
