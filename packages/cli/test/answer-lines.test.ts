/** How `deploy`, `contracts show` and `contracts update` print a node's answer, one line per workload. */
import type { Deployment, DeploymentAnswer } from '@tfgrid/client';
import { answerLines, resultLines } from '../src/commands';

const answer = (workloads: DeploymentAnswer['workloads']): DeploymentAnswer => ({
  contractId: 1,
  nodeId: 1,
  twinId: 2,
  hash: 'h',
  version: 0,
  updatedAt: 0,
  workloads,
  sealed: true,
  opened: true,
});

test('addresses, private networks by name, sizes and reasons', () => {
  expect(
    answerLines(
      answer([
        { name: 'data', type: 'volume', version: 0, state: 'ok', data: { size: 256 * 1024 ** 2 } },
        {
          name: 'web',
          type: 'zmachine',
          version: 1,
          state: 'ok',
          data: { runtime: 'runc', addresses: { node_local: '10.249.0.2', private: { mynet: '10.20.1.2' }, planetary: '300::1' } },
        },
        { name: 'solo', type: 'zmachine', version: 0, state: 'ok', data: { addresses: { node_local: '10.249.0.3', private: {} } } },
        { name: 'bad', type: 'zmachine', version: 0, state: 'error', reason: 'the image at … has sha256 …' },
      ]),
    ),
  ).toEqual([
    'data  volume  ok  v0  256 MiB',
    'web  zmachine  ok  v1  node_local 10.249.0.2  private mynet 10.20.1.2  planetary 300::1',
    'solo  zmachine  ok  v0  node_local 10.249.0.3',
    'bad  zmachine  error  v0  — the image at … has sha256 …',
  ]);
});

test("a machine's public IPv6 when the node gives one; a gateway's fqdn and network, from the answer or the deployment sent", () => {
  const sent = {
    version: 0,
    twin_id: 2,
    node_id: 3,
    metadata: '',
    description: '',
    expiration: 0,
    workloads: [
      {
        version: 0,
        name: 'site',
        type: 'gateway-name-proxy',
        metadata: '',
        description: '',
        data: { name: 'mysite', backends: ['http://10.20.2.2:80'], network: 'net' },
      },
    ],
  } as Deployment;
  const a = answer([
    {
      name: 'web',
      type: 'zmachine',
      version: 0,
      state: 'ok',
      data: { addresses: { private: { net: '10.20.2.2' }, public: '198.18.0.40/24', public_ipv6: '2001:2::40/64' } },
    },
    { name: 'old', type: 'zmachine', version: 0, state: 'ok', data: { addresses: { public: '198.18.0.41/24' } } },
    { name: 'site', type: 'gateway-name-proxy', version: 0, state: 'ok', data: { fqdn: 'mysite.gw.example', name: 'mysite' } },
    { name: 'told', type: 'gateway-name-proxy', version: 0, state: 'ok', data: { fqdn: 'told.gw.example', network: 'other' } },
  ]);
  expect(answerLines(a, sent)).toEqual([
    'web  zmachine  ok  v0  private net 10.20.2.2  public 198.18.0.40/24  public_ipv6 2001:2::40/64',
    'old  zmachine  ok  v0  public 198.18.0.41/24',
    'site  gateway-name-proxy  ok  v0  mysite.gw.example  network net',
    'told  gateway-name-proxy  ok  v0  told.gw.example  network other',
  ]);
  // Without the deployment sent (another tool's contract), what the answer says.
  expect(answerLines(a)[2]).toBe('site  gateway-name-proxy  ok  v0  mysite.gw.example');
  const r = resultLines([{ nodeId: 3, contractId: 9, hash: 'h', deployment: sent }], [a]);
  expect(r.text).toEqual([
    '  web  node 3  contract 9  private net 10.20.2.2  public 198.18.0.40/24  public_ipv6 2001:2::40/64',
    '  old  node 3  contract 9  public 198.18.0.41/24',
    '  site  node 3  contract 9  gateway mysite.gw.example  network net',
    '  told  node 3  contract 9  gateway told.gw.example  network other',
  ]);
  expect(r.json.machines[0]).toMatchObject({ name: 'web', public: '198.18.0.40/24', publicIpv6: '2001:2::40/64' });
  expect(r.json.machines[1]).toMatchObject({ name: 'old', publicIpv6: null });
  expect(r.json.gateways).toEqual([
    { name: 'site', nodeId: 3, contractId: 9, fqdn: 'mysite.gw.example', network: 'net' },
    { name: 'told', nodeId: 3, contractId: 9, fqdn: 'told.gw.example', network: 'other' },
  ]);
});

test("an fqdn proxy's line: its own domain (from the answer, else the deployment sent) and how HTTPS is served", () => {
  const sent = {
    version: 0,
    twin_id: 2,
    node_id: 3,
    metadata: '',
    description: '',
    expiration: 0,
    workloads: [
      {
        version: 0,
        name: 'quiet',
        type: 'gateway-fqdn-proxy',
        metadata: '',
        description: '',
        data: { fqdn: 'Quiet.Example.com', backends: ['http://10.20.2.2:80'] },
      },
    ],
  } as Deployment;
  const a = answer([
    {
      name: 'own',
      type: 'gateway-fqdn-proxy',
      version: 0,
      state: 'ok',
      data: {
        fqdn: 'www.example.com',
        https: 'refused: this gateway node has no ACME directory (--acme-directory), so www.example.com is served on HTTP only',
      },
    },
    {
      name: 'acme',
      type: 'gateway-fqdn-proxy',
      version: 0,
      state: 'ok',
      data: { fqdn: 'acme.example.com', https: 'certificate by ACME (HTTP-01), renewed before it expires', network: 'net' },
    },
    {
      name: 'tls',
      type: 'gateway-fqdn-proxy',
      version: 0,
      state: 'ok',
      data: { fqdn: 'tls.example.com', https: 'passthrough: TLS goes to the backends as it came' },
    },
    { name: 'quiet', type: 'gateway-fqdn-proxy', version: 0, state: 'ok' },
    {
      name: 'gw',
      type: 'gateway-fqdn-proxy',
      version: 0,
      state: 'error',
      reason: "fqdn gw.example is this gateway's own domain gw.example or under it: …",
    },
  ]);
  expect(answerLines(a, sent)).toEqual([
    'own  gateway-fqdn-proxy  ok  v0  www.example.com  http only (https refused: this gateway node has no ACME directory (--acme-directory), so www.example.com is served on HTTP only)',
    'acme  gateway-fqdn-proxy  ok  v0  acme.example.com  https by ACME  network net',
    'tls  gateway-fqdn-proxy  ok  v0  tls.example.com  tls passthrough',
    'quiet  gateway-fqdn-proxy  ok  v0  quiet.example.com',
    "gw  gateway-fqdn-proxy  error  v0  — fqdn gw.example is this gateway's own domain gw.example or under it: …",
  ]);
  const r = resultLines([{ nodeId: 3, contractId: 9, hash: 'h', deployment: sent }], [a]);
  expect(r.text[1]).toBe('  acme  node 3  contract 9  gateway acme.example.com  https by ACME  network net');
  expect(r.json.gateways[1]).toEqual({
    name: 'acme',
    nodeId: 3,
    contractId: 9,
    fqdn: 'acme.example.com',
    network: 'net',
    https: 'certificate by ACME (HTTP-01), renewed before it expires',
  });
});
