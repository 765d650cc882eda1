/** A gateway on a private network: the network on the gateway's node, backends of its range, as the node checks them. */
import { DeploymentBuilder, DeploymentError, deploymentProblems, networkData, planNetwork, privateBackendAddress, privateBackendProblem, type Deployment } from '../src';

const plan = planNetwork({ name: 'net', ipRange: '10.20.0.0/16', nodes: [{ nodeId: 1, endpoint: '198.18.0.2' }, { nodeId: 2, endpoint: '198.18.0.3' }], port: (() => { let p = 4000; return () => p++; })() });
const netWorkload = (name = 'net') => ({ name, type: 'network', data: networkData(plan, 2) as unknown as Record<string, unknown> });
const gateway = (data: Record<string, unknown>, type = 'gateway-name-proxy') => ({ name: 'site', type, data: { name: 'mysite', backends: ['http://10.20.2.2:8080'], ...data } });
const deployment = (workloads: { name: string; type: string; data: Record<string, unknown> }[]): Deployment =>
  ({ version: 0, twin_id: 1, node_id: 2, metadata: '', description: '', expiration: 0, workloads: workloads.map((w) => ({ version: 0, metadata: '', description: '', ...w })) }) as unknown as Deployment;
const problems = (...workloads: { name: string; type: string; data: Record<string, unknown> }[]) => deploymentProblems(deployment(workloads)).map((p) => `${p.path} ${p.message}`);

test("a gateway naming a network workload of its deployment, with backends of the network's machines, is valid", () => {
  expect(problems(netWorkload(), gateway({ network: 'net', backends: ['http://10.20.2.2:8080', 'https://10.20.3.7:443/'] }))).toEqual([]);
  // A gateway without network keeps any http(s) backend.
  expect(problems(gateway({ backends: ['http://198.18.0.9:80'] }))).toEqual([]);
  const d = new DeploymentBuilder(1, 2).workload('network', 'net', netWorkload().data).gatewayNameProxy('site', { name: 'mysite', backends: ['http://10.20.2.2:8080'], network: 'net' }).build();
  expect(d.workloads[1]!.data.network).toBe('net');
});

test('the network must be on the gateway node: a network workload of the same deployment, by that name', () => {
  expect(problems(gateway({ network: 'net' }))).toEqual(["$.workloads[0].data.network no network workload named 'net' in this deployment: the gateway node joins a network through its own network workload"]);
  expect(problems(netWorkload('other'), gateway({ network: 'net' })).join()).toContain("no network workload named 'net'");
  // A workload of that name that is not a network does not count.
  expect(problems({ name: 'net', type: 'volume', data: { size: 1024 ** 2 } }, gateway({ network: 'net' })).join()).toContain("no network workload named 'net'");
  for (const bad of [7, '', 'bad name!', 'x'.repeat(65)]) expect(problems(netWorkload(), gateway({ network: bad }))).toEqual([expect.stringMatching(/^\$\.workloads\[1\]\.data\.network must name a network workload/)]);
  expect(() => new DeploymentBuilder(1, 2).gatewayNameProxy('site', { name: 'mysite', backends: ['http://10.20.2.2:8080'], network: 'net' }).build()).toThrow(DeploymentError);
});

test.each([
  ['http://10.30.2.2:8080', "$.workloads[1].data.backends[0] 10.30.2.2 is outside network 'net' (10.20.0.0/16)"],
  ['http://10.20.2.1:8080', "$.workloads[1].data.backends[0] 10.20.2.1 is not a machine address of network 'net' (.2 to .254 of a node's /24)"],
  ['http://10.20.2.255:80', "$.workloads[1].data.backends[0] 10.20.2.255 is not a machine address"],
  ['http://10.20.2.2', "$.workloads[1].data.backends[0] must be http(s)://IPv4:port, an address of network 'net' (the gateway joins it), got \"http://10.20.2.2\""],
  ['http://web:8080', '$.workloads[1].data.backends[0] must be http(s)://IPv4:port'],
  ['http://[fd00::2]:8080', '$.workloads[1].data.backends[0] must be http(s)://IPv4:port'],
  ['http://10.20.2.2:0', '$.workloads[1].data.backends[0] must be http(s)://IPv4:port'],
  ['http://10.20.2.2:70000', '$.workloads[1].data.backends[0] must be http(s)://IPv4:port'],
  ['http://10.20.2.2:80/path', '$.workloads[1].data.backends[0]'],
])('a backend of a gateway on a network is refused, the field named: %s', (backend, message) => {
  expect(problems(netWorkload(), gateway({ network: 'net', backends: [backend] })).join('\n')).toContain(message);
});

test('every backend is checked, each named by its index; an fqdn gateway follows the same rule', () => {
  const out = problems(netWorkload(), gateway({ network: 'net', backends: ['http://10.20.2.2:80', 'http://192.168.1.2:80', 'http://10.20.9.9:80', 'http://10.21.0.2:80'] }));
  expect(out).toEqual([expect.stringContaining('backends[1] 192.168.1.2 is outside'), expect.stringContaining('backends[3] 10.21.0.2 is outside')]);
  // gateway-fqdn-proxy is not a type of our nodes yet; the rule is the same for it where it is.
  expect(problems(netWorkload(), gateway({ network: 'net', backends: ['http://10.30.0.2:80'] }, 'gateway-fqdn-proxy')).join()).toContain('backends[0] 10.30.0.2 is outside');
});

test('privateBackendAddress / privateBackendProblem: the address of an http(s)://IPv4:port backend', () => {
  expect(privateBackendAddress('http://10.20.2.2:8080')).toBe('10.20.2.2');
  expect(privateBackendAddress('https://10.20.2.2:443/')).toBe('10.20.2.2');
  for (const b of ['http://10.20.2.2', 'ftp://10.20.2.2:21', 'http://010.20.2.2:80', 'http://10.20.2.256:80', 'http://web:80']) expect(privateBackendAddress(b)).toBeUndefined();
  expect(privateBackendProblem('http://10.20.2.2:80', 'net', '10.20.0.0/16')).toBeUndefined();
  expect(privateBackendProblem(42, 'net', '10.20.0.0/16')).toContain('got 42');
});
