/**
 * gateway-fqdn-proxy's data as Zero-OS defines it ({fqdn, backends, tls_passthrough, network}) and
 * the rules a node checks before it runs one, each named by its field: the fqdn's form, the
 * backends' form with and without tls_passthrough (shared with gateway-name-proxy), private
 * network backends; and what a deployer can check first (an fqdn under the node's own domain).
 */
import {
  DeploymentBuilder,
  deploymentProblems,
  fqdnProblem,
  fqdnUnderDomain,
  gatewayBackendProblem,
  networkData,
  planNetwork,
  WORKLOAD_TYPES,
  type Deployment,
} from '../src';
import { deploymentOf, problemsOf } from './support/deployment';

const deployment = (type: string, data: Record<string, unknown>): Deployment => deploymentOf([{ name: 'site', type, data }]);
const problems = (data: Record<string, unknown>, type = 'gateway-fqdn-proxy') => problemsOf({ name: 'site', type, data });

test('a gateway-fqdn-proxy is a workload type, built and valid with a domain and backends', () => {
  expect(WORKLOAD_TYPES).toContain('gateway-fqdn-proxy');
  const d = new DeploymentBuilder(1, 2)
    .gatewayFqdnProxy('site', { fqdn: 'www.Example.com', backends: ['http://10.20.2.2:8080', 'https://[fd00::5]'], tls_passthrough: false })
    .build();
  expect(d.workloads[0]).toMatchObject({
    type: 'gateway-fqdn-proxy',
    name: 'site',
    data: { fqdn: 'www.Example.com', backends: ['http://10.20.2.2:8080', 'https://[fd00::5]'], tls_passthrough: false },
  });
  expect(problems({ fqdn: 'shop.example.co.uk', backends: ['http://backend.example.net:81/'] })).toEqual([]);
  expect(problems({ fqdn: 'a.io', backends: ['10.0.0.5:443', '[2001:db8::5]:8443'], tls_passthrough: true })).toEqual([]);
});

test.each([
  [undefined, 'must be a domain name (a string)'],
  [42, 'must be a domain name (a string)'],
  ['localhost', 'two labels or more'],
  ['example.com.', 'no trailing dot'],
  ['10.0.0.1', 'the last label starts with a letter'],
  ['-a.example.com', 'got "-a.example.com"'],
  ['a-.example.com', 'got "a-.example.com"'],
  ['a_b.example.com', 'got "a_b.example.com"'],
  ['*.example.com', 'got "*.example.com"'],
  ['a..example.com', 'got "a..example.com"'],
  ['example.com/path', 'got "example.com/path"'],
  [`${'a'.repeat(64)}.com`, 'got'],
  [`${'abcdefghi.'.repeat(26)}com`, 'at most 253 characters'],
  ['http://example.com', 'got'],
])('a malformed fqdn is refused, the field named: %p', (fqdn, message) => {
  expect(problems({ fqdn, backends: ['http://10.0.0.1'] })).toEqual([expect.stringMatching(/^\$\.workloads\[0\]\.data\.fqdn /)]);
  expect(problems({ fqdn, backends: ['http://10.0.0.1'] })[0]).toContain(message);
  expect(fqdnProblem(fqdn)).toBeDefined();
});

test('backends: http(s)://host[:port] without tls_passthrough, IP:port with it; at most 16; each named by its index', () => {
  expect(problems({ fqdn: 'a.example.com', backends: [] })).toEqual([
    '$.workloads[0].data.backends must be a non-empty array of http(s)://host[:port]',
  ]);
  expect(problems({ fqdn: 'a.example.com', backends: [], tls_passthrough: true })).toEqual([
    '$.workloads[0].data.backends must be a non-empty array of IP:port',
  ]);
  expect(problems({ fqdn: 'a.example.com' })).toHaveLength(1);
  expect(problems({ fqdn: 'a.example.com', backends: Array.from({ length: 17 }, (_, i) => `http://10.0.0.${i + 1}`) })).toEqual([
    '$.workloads[0].data.backends must hold at most 16 backends',
  ]);
  const out = problems({
    fqdn: 'a.example.com',
    backends: [
      'http://10.0.0.1',
      'ftp://10.0.0.1',
      'http://10.0.0.1/path',
      'http://u@h',
      'http://h:0',
      'http://h:70000',
      'http://h:123456',
      7,
      `http://${'h'.repeat(300)}`,
    ],
  });
  expect(out.map((p) => p.split(' ')[0])).toEqual([1, 2, 3, 4, 5, 6, 7, 8].map((i) => `$.workloads[0].data.backends[${i}]`));
  // With tls_passthrough the backend terminates TLS: an address and a port, no scheme.
  const pass = problems({
    fqdn: 'a.example.com',
    tls_passthrough: true,
    backends: [
      '10.0.0.1:443',
      'http://10.0.0.1:443',
      '10.0.0.1',
      'host:443',
      '10.0.0.256:443',
      '010.0.0.1:443',
      '10.0.0.1:0',
      '[fd00::1]:443',
      '[fd00::1]',
    ],
  });
  expect(pass.map((p) => p.split(' ')[0])).toEqual([1, 2, 3, 4, 5, 6, 8].map((i) => `$.workloads[0].data.backends[${i}]`));
  expect(pass[0]).toContain('must be IP:port (IPv4 or [IPv6]) with tls_passthrough');
  expect(problems({ fqdn: 'a.example.com', backends: ['http://10.0.0.1'], tls_passthrough: 'yes' })).toEqual([
    '$.workloads[0].data.tls_passthrough must be a boolean',
  ]);
  expect(gatewayBackendProblem('https://[fd00::5]:8443', false)).toBeUndefined();
  expect(gatewayBackendProblem('[fd00::5]:8443', true)).toBeUndefined();
});

test('gateway-name-proxy shares the backend rules (tls_passthrough included)', () => {
  expect(problems({ name: 'mysite', backends: ['10.0.0.1:443'], tls_passthrough: true }, 'gateway-name-proxy')).toEqual([]);
  expect(problems({ name: 'mysite', backends: ['10.0.0.1:443'] }, 'gateway-name-proxy')).toEqual([
    '$.workloads[0].data.backends[0] must be http(s)://host[:port]',
  ]);
  expect(problems({ name: 'mysite', fqdn: 'x', backends: ['http://10.0.0.1'] }, 'gateway-name-proxy')).toEqual([]); // fqdn is no field of a name proxy
});

test('on a private network: http://IPv4[:port] of its machines, or IPv4:port with tls_passthrough', () => {
  const plan = planNetwork({ name: 'net', ipRange: '10.20.0.0/16', nodes: [{ nodeId: 2, endpoint: '198.18.0.3' }], port: () => 4000 });
  const net = { version: 0, name: 'net', type: 'network', data: networkData(plan, 2), metadata: '', description: '' };
  const gw = (data: Record<string, unknown>) =>
    deploymentProblems({
      ...deployment('gateway-fqdn-proxy', { fqdn: 'a.example.com', network: 'net', ...data }),
      workloads: [
        net,
        { ...deployment('gateway-fqdn-proxy', { fqdn: 'a.example.com', network: 'net', ...data }).workloads[0]!, name: 'site' },
      ],
    } as unknown as Deployment).map((p) => `${p.path} ${p.message}`);
  expect(gw({ backends: ['http://10.20.2.2:8080'] })).toEqual([]);
  expect(gw({ backends: ['10.20.2.2:8443'], tls_passthrough: true })).toEqual([]);
  expect(gw({ backends: ['10.30.2.2:8443'], tls_passthrough: true })).toEqual([
    "$.workloads[1].data.backends[0] 10.30.2.2 is outside network 'net' (10.20.0.0/16)",
  ]);
  expect(gw({ backends: ['[fd00::2]:8443'], tls_passthrough: true })).toEqual([
    expect.stringContaining("must be IPv4:port, an address of network 'net'"),
  ]);
});

test("fqdnUnderDomain: the node's domain and the names under it, by whole labels, in any case", () => {
  expect(fqdnUnderDomain('gw.example.com', 'gw.example.com')).toBe(true);
  expect(fqdnUnderDomain('Shop.GW.example.com', 'gw.example.com')).toBe(true);
  expect(fqdnUnderDomain('a.b.gw.example.com', 'gw.example.com.')).toBe(true);
  expect(fqdnUnderDomain('evilgw.example.com', 'gw.example.com')).toBe(false);
  expect(fqdnUnderDomain('example.com', 'gw.example.com')).toBe(false);
  expect(fqdnUnderDomain('shop.example.com', '')).toBe(false);
});

test('no two gateway workloads of a deployment serve the same domain (in any case) or the same name', () => {
  const d = (workloads: { name: string; type: string; data: Record<string, unknown> }[]) =>
    deploymentProblems({
      ...deployment('volume', {}),
      workloads: workloads.map((w) => ({ version: 0, metadata: '', description: '', ...w })),
    } as unknown as Deployment).map((p) => `${p.path} ${p.message}`);
  const backends = ['http://10.0.0.1'];
  expect(
    d([
      { name: 'a', type: 'gateway-fqdn-proxy', data: { fqdn: 'www.example.com', backends } },
      { name: 'b', type: 'gateway-fqdn-proxy', data: { fqdn: 'WWW.example.com', backends } },
    ]),
  ).toEqual(["$.workloads[1].data.fqdn 'WWW.example.com' is served by workloads[0] already"]);
  expect(
    d([
      { name: 'a', type: 'gateway-name-proxy', data: { name: 'shop', backends } },
      { name: 'b', type: 'gateway-name-proxy', data: { name: 'shop', backends } },
    ]),
  ).toEqual(["$.workloads[1].data.name 'shop' is served by workloads[0] already"]);
  expect(
    d([
      { name: 'a', type: 'gateway-name-proxy', data: { name: 'shop', backends } },
      { name: 'b', type: 'gateway-fqdn-proxy', data: { fqdn: 'shop.example.com', backends } },
    ]),
  ).toEqual([]);
});
