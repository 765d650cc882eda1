/**
 * A gateway on a private network: backends of the network's range as the node checks them
 * (deploymentProblems), and the network on the gateway's node as a deployer checks it
 * (gatewayNetworkProblems: in the deployment or deployed there before).
 */
import { DeploymentBuilder, gatewayNetworkProblems, networkData, planNetwork, privateBackendAddress, privateBackendProblem } from '../src';
import { deploymentOf as deployment, problemsOf as problems } from './support/deployment';

const plan = planNetwork({
  name: 'net',
  ipRange: '10.20.0.0/16',
  nodes: [
    { nodeId: 1, endpoint: '198.18.0.2' },
    { nodeId: 2, endpoint: '198.18.0.3' },
  ],
  port: (() => {
    let p = 4000;
    return () => p++;
  })(),
});
const netWorkload = (name = 'net') => ({ name, type: 'network', data: networkData(plan, 2) as unknown as Record<string, unknown> });
const gateway = (data: Record<string, unknown>, type = 'gateway-name-proxy') => ({
  name: 'site',
  type,
  data: { name: 'mysite', backends: ['http://10.20.2.2:8080'], ...data },
});
test("a gateway naming a network workload of its deployment, with backends of the network's machines, is valid", () => {
  expect(
    problems(netWorkload(), gateway({ network: 'net', backends: ['http://10.20.2.2:8080', 'http://10.20.3.7/', 'http://10.20.3.8'] })),
  ).toEqual([]);
  // A gateway without network keeps any http(s) backend.
  expect(problems(gateway({ backends: ['https://198.18.0.9:443'] }))).toEqual([]);
  const d = new DeploymentBuilder(1, 2)
    .workload('network', 'net', netWorkload().data)
    .gatewayNameProxy('site', { name: 'mysite', backends: ['http://10.20.2.2:8080'], network: 'net' })
    .build();
  expect(d.workloads[1]!.data.network).toBe('net');
  expect(gatewayNetworkProblems(d)).toEqual([]);
});

test('the network must be on the gateway node: in the deployment, or deployed there before (the node knows which it hosts)', () => {
  // The node's own rules accept a network of another deployment of the twin: it checks what it hosts when it admits the gateway.
  expect(problems(gateway({ network: 'net' }))).toEqual([]);
  expect(problems(gateway({ network: 'net', backends: ['https://10.20.2.2:443'] }))).toEqual([
    expect.stringContaining('$.workloads[0].data.backends[0] must be http://IPv4[:port]'),
  ]);
  // A deployer says which networks the twin has on the node.
  const alone = deployment([gateway({ network: 'net' })]);
  expect(gatewayNetworkProblems(alone).map((p) => `${p.path} ${p.message}`)).toEqual([
    "$.workloads[0].data.network network 'net' is not on the gateway's node: no network workload of that name in this deployment, nor deployed there before",
  ]);
  expect(gatewayNetworkProblems(alone, [{ name: 'other', ip_range: '10.20.0.0/16' }])).toHaveLength(1);
  expect(gatewayNetworkProblems(alone, [{ name: 'net', ip_range: '10.20.0.0/16' }])).toEqual([]);
  expect(
    gatewayNetworkProblems(deployment([gateway({ network: 'net', backends: ['http://10.30.2.2:80'] })]), [
      { name: 'net', ip_range: '10.20.0.0/16' },
    ]).map((p) => p.message),
  ).toEqual(["10.30.2.2 is outside network 'net' (10.20.0.0/16)"]);
  // A workload of that name that is not a network does not count.
  expect(
    gatewayNetworkProblems(deployment([{ name: 'net', type: 'volume', data: { size: 1024 ** 2 } }, gateway({ network: 'net' })])),
  ).toHaveLength(1);
  for (const bad of [7, '', 'bad name!', 'x'.repeat(65)])
    expect(problems(netWorkload(), gateway({ network: bad }))).toEqual([
      expect.stringMatching(/^\$\.workloads\[1\]\.data\.network must name a network of the twin on this node/),
    ]);
});

test.each([
  ['http://10.30.2.2:8080', "$.workloads[1].data.backends[0] 10.30.2.2 is outside network 'net' (10.20.0.0/16)"],
  [
    'http://10.20.2.1:8080',
    "$.workloads[1].data.backends[0] 10.20.2.1 is not a machine address of network 'net' (.2 to .254 of a node's /24)",
  ],
  ['http://10.20.2.255:80', '$.workloads[1].data.backends[0] 10.20.2.255 is not a machine address'],
  [
    'https://10.20.2.2:443',
    '$.workloads[1].data.backends[0] must be http://IPv4[:port], an address of network \'net\' (the gateway reaches it inside the network, plain http), got "https://10.20.2.2:443"',
  ],
  ['http://web:8080', '$.workloads[1].data.backends[0] must be http://IPv4[:port]'],
  ['http://[fd00::2]:8080', '$.workloads[1].data.backends[0] must be http://IPv4[:port]'],
  ['http://10.20.2.2:0', '$.workloads[1].data.backends[0] must be http://IPv4[:port]'],
  ['http://10.20.2.2:70000', '$.workloads[1].data.backends[0] must be http://IPv4[:port]'],
  ['http://10.20.2.2:80/path', '$.workloads[1].data.backends[0]'],
])('a backend of a gateway on a network is refused, the field named: %s', (backend, message) => {
  expect(problems(netWorkload(), gateway({ network: 'net', backends: [backend] })).join('\n')).toContain(message);
});

test('every backend is checked, each named by its index; an fqdn gateway follows the same rule', () => {
  const out = problems(
    netWorkload(),
    gateway({ network: 'net', backends: ['http://10.20.2.2:80', 'http://192.168.1.2:80', 'http://10.20.9.9:80', 'http://10.21.0.2:80'] }),
  );
  expect(out).toEqual([
    expect.stringContaining('backends[1] 192.168.1.2 is outside'),
    expect.stringContaining('backends[3] 10.21.0.2 is outside'),
  ]);
  expect(
    problems(
      netWorkload(),
      gateway({ fqdn: 'shop.example.com', network: 'net', backends: ['http://10.30.0.2:80'] }, 'gateway-fqdn-proxy'),
    ).join(),
  ).toContain('backends[0] 10.30.0.2 is outside');
});

test('privateBackendAddress / privateBackendProblem: the address of an http://IPv4[:port] backend', () => {
  expect(privateBackendAddress('http://10.20.2.2:8080')).toBe('10.20.2.2');
  expect(privateBackendAddress('http://10.20.2.2/')).toBe('10.20.2.2');
  for (const b of [
    'https://10.20.2.2:443',
    'ftp://10.20.2.2:21',
    'http://010.20.2.2:80',
    'http://10.20.2.256:80',
    'http://web:80',
    'http://10.20.2.2:80/x',
  ])
    expect(privateBackendAddress(b)).toBeUndefined();
  expect(privateBackendProblem('http://10.20.2.2:80', 'net', '10.20.0.0/16')).toBeUndefined();
  expect(privateBackendProblem('http://10.99.2.2:80', 'net')).toBeUndefined(); // no range known: the form only
  expect(privateBackendProblem(42, 'net', '10.20.0.0/16')).toContain('got 42');
});
