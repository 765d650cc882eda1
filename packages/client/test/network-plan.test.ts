/** Planning a private network across nodes: subnets, keys and ports kept as it grows, peers by reachability, user access. */
import {
  accessConfig,
  assertValidDeployment,
  networkData,
  planNetwork,
  NetworkPlanError,
  wireguardPublicKey,
  type Deployment,
} from '../src';

let port = 5000;
const next = () => port++;

test('each node gets its own /24, key pair and port; public nodes mesh, a NATed node goes through the access node', () => {
  const plan = planNetwork({
    name: 'n',
    nodes: [{ nodeId: 1, endpoint: '198.18.0.2' }, { nodeId: 2, endpoint: '2001:db8::2' }, { nodeId: 3 }],
    port: next,
  });
  expect(plan.ipRange).toBe('10.20.0.0/16');
  expect(plan.nodes.map((n) => n.subnet)).toEqual(['10.20.2.0/24', '10.20.3.0/24', '10.20.4.0/24']);
  expect(new Set(plan.nodes.map((n) => n.listenPort)).size).toBe(3);
  for (const n of plan.nodes) expect(wireguardPublicKey(n.privateKey)).toBe(n.publicKey);
  const d1 = networkData(plan, 1);
  const d2 = networkData(plan, 2);
  const d3 = networkData(plan, 3);
  // Node 1 is the access node: it routes the hidden node and dials node 2.
  expect(d1.peers.map((p) => [p.subnet, p.endpoint])).toEqual([
    ['10.20.3.0/24', `[2001:db8::2]:${plan.nodes[1]!.listenPort}`],
    ['10.20.4.0/24', ''],
  ]);
  // Node 2 reaches the hidden node through node 1.
  expect(d2.peers).toHaveLength(1);
  expect(d2.peers[0]!.allowed_ips).toEqual(['10.20.2.0/24', '100.64.20.2/32', '10.20.4.0/24', '100.64.20.4/32']);
  // The hidden node sends everything to the access node.
  expect(d3.peers).toEqual([
    {
      subnet: '10.20.2.0/24',
      wireguard_public_key: plan.nodes[0]!.publicKey,
      allowed_ips: ['10.20.0.0/16', '100.64.0.0/16'],
      endpoint: `198.18.0.2:${plan.nodes[0]!.listenPort}`,
    },
  ]);
  // What the plan gives a node is what the node accepts.
  for (const [i, data] of [d1, d2, d3].entries()) {
    const dep = {
      version: 0,
      twin_id: 1,
      node_id: i + 1,
      metadata: '',
      description: '',
      expiration: 0,
      workloads: [{ version: 0, name: 'n', type: 'network', metadata: '', description: '', data }],
    } as unknown as Deployment;
    expect(() => assertValidDeployment(dep)).not.toThrow();
  }
});

test('growing a plan keeps what each member had; the range cannot change', () => {
  const first = planNetwork({ name: 'n', nodes: [{ nodeId: 1, endpoint: '198.18.0.2' }], port: next });
  const grown = planNetwork({
    name: 'n',
    nodes: [
      { nodeId: 1, endpoint: '198.18.0.2' },
      { nodeId: 7, endpoint: '198.18.0.3' },
    ],
    users: ['laptop'],
    previous: first,
    port: next,
  });
  expect(grown.nodes[0]).toEqual(first.nodes[0]);
  expect(grown.nodes[1]!.subnet).toBe('10.20.3.0/24');
  expect(grown.users[0]!.subnet).toBe('10.20.4.0/24');
  const again = planNetwork({ name: 'n', nodes: [{ nodeId: 7, endpoint: '198.18.0.3' }], users: ['laptop'], previous: grown, port: next });
  expect(again.nodes[0]).toEqual(grown.nodes[1]);
  expect(again.users[0]).toEqual(grown.users[0]);
  expect(() => planNetwork({ name: 'n', ipRange: '10.30.0.0/16', nodes: [], previous: first })).toThrow(/cannot change/);
});

test("a user's access file dials the access node and routes the whole network", () => {
  const plan = planNetwork({
    name: 'n',
    ipRange: '10.40.0.0/16',
    nodes: [{ nodeId: 1 }, { nodeId: 2, endpoint: '198.18.0.9' }],
    users: ['laptop'],
    port: next,
  });
  const conf = accessConfig(plan, 'laptop');
  const u = plan.users[0]!;
  expect(conf).toContain(`Address = ${u.wireguardIp}/32`);
  expect(conf).toContain(`PrivateKey = ${u.privateKey}`);
  expect(conf).toContain(`PublicKey = ${plan.nodes[1]!.publicKey}`);
  expect(conf).toContain(`Endpoint = 198.18.0.9:${plan.nodes[1]!.listenPort}`);
  expect(conf).toContain('AllowedIPs = 10.40.0.0/16, 100.64.0.0/16');
  expect(networkData(plan, 2).peers.some((p) => p.wireguard_public_key === u.publicKey && p.endpoint === '')).toBe(true);
  expect(() => accessConfig(plan, 'phone')).toThrow(NetworkPlanError);
});

test('refusals: no public node for NATed nodes or users, a range that is not a /16, an unknown node', () => {
  expect(() => planNetwork({ name: 'n', nodes: [{ nodeId: 1 }, { nodeId: 2 }] })).toThrow(/no node has a public endpoint/);
  expect(() => planNetwork({ name: 'n', nodes: [{ nodeId: 1 }], users: ['me'] })).toThrow(/no node has a public endpoint/);
  expect(planNetwork({ name: 'n', nodes: [{ nodeId: 1 }] }).nodes).toHaveLength(1);
  expect(() => planNetwork({ name: 'n', ipRange: '10.20.0.0/24', nodes: [] })).toThrow(/must be a \/16/);
  expect(() => networkData(planNetwork({ name: 'n', nodes: [{ nodeId: 1 }] }), 5)).toThrow(/node 5 is not part/);
});
