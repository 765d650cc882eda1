/** The network primitive's data as a node checks it, and WireGuard keys as `wg` makes them. */
import { execFileSync } from 'node:child_process';
import {
  assertValidDeployment,
  deploymentProblems,
  isWireguardKey,
  machineIpInSubnet,
  parseCidr4,
  overlaps,
  wireguardAddress,
  wireguardKeyPair,
  wireguardPublicKey,
  type Deployment,
} from '../src';

const key = () => wireguardKeyPair();
const network = (over: Record<string, unknown> = {}) => ({
  ip_range: '10.20.0.0/16',
  subnet: '10.20.1.0/24',
  wireguard_private_key: key().privateKey,
  wireguard_listen_port: 3011,
  peers: [
    {
      subnet: '10.20.2.0/24',
      wireguard_public_key: key().publicKey,
      allowed_ips: ['10.20.2.0/24', '100.64.20.2/32'],
      endpoint: '198.18.0.3:3011',
    },
  ],
  ...over,
});
const deployment = (workloads: { name: string; type: string; data: Record<string, unknown> }[]): Deployment =>
  ({
    version: 0,
    twin_id: 1,
    node_id: 1,
    metadata: '',
    description: '',
    expiration: 0,
    workloads: workloads.map((w) => ({ version: 0, metadata: '', description: '', ...w })),
  }) as unknown as Deployment;
const problems = (data: Record<string, unknown>, type = 'network') =>
  deploymentProblems(deployment([{ name: 'net', type, data }])).map((p) => `${p.path}: ${p.message}`);

test('WireGuard keys: the public key is what `wg pubkey` derives; pairs are accepted by wg', () => {
  for (let i = 0; i < 3; i++) {
    const priv = execFileSync('wg', ['genkey'], { encoding: 'utf8' }).trim();
    expect(wireguardPublicKey(priv)).toBe(execFileSync('wg', ['pubkey'], { input: priv, encoding: 'utf8' }).trim());
  }
  const kp = wireguardKeyPair();
  expect(execFileSync('wg', ['pubkey'], { input: kp.privateKey, encoding: 'utf8' }).trim()).toBe(kp.publicKey);
  expect(isWireguardKey(kp.publicKey)).toBe(true);
  for (const bad of ['', 'abc', kp.publicKey.slice(1), kp.publicKey.replace('=', 'A'), `${kp.publicKey} `])
    expect(isWireguardKey(bad)).toBe(false);
  expect(() => wireguardPublicKey('nope')).toThrow(/WireGuard key/);
});

test("a network workload with Zero-OS's fields is valid", () => {
  expect(problems(network())).toEqual([]);
  expect(() => assertValidDeployment(deployment([{ name: 'net', type: 'network', data: network({ peers: [] }) }]))).not.toThrow();
});

test.each([
  [{ ip_range: '10.20.0.0/24' }, 'data.ip_range'],
  [{ ip_range: '8.8.0.0/16' }, 'data.ip_range'],
  [{ ip_range: '10.20.0.1/16' }, 'data.ip_range'],
  [{ subnet: '10.21.1.0/24' }, 'data.subnet: must lie inside ip_range'],
  [{ subnet: '10.20.1.0/25' }, 'data.subnet'],
  [{ wireguard_private_key: 'x' }, 'data.wireguard_private_key'],
  [{ wireguard_listen_port: 80 }, 'data.wireguard_listen_port'],
  [{ wireguard_listen_port: 1e9 }, 'data.wireguard_listen_port'],
  [{ peers: 'x' }, 'data.peers'],
  [
    { peers: [{ subnet: '10.20.1.0/24', wireguard_public_key: key().publicKey, allowed_ips: ['10.20.1.0/24'], endpoint: '' }] },
    'data.peers[0].subnet: 10.20.1.0/24 overlaps',
  ],
  [
    { peers: [{ subnet: '10.20.2.0/24', wireguard_public_key: 'k', allowed_ips: ['10.20.2.0/24'], endpoint: '' }] },
    'data.peers[0].wireguard_public_key',
  ],
  [
    { peers: [{ subnet: '10.20.2.0/24', wireguard_public_key: key().publicKey, allowed_ips: ['nope'], endpoint: '' }] },
    'data.peers[0].allowed_ips[0]',
  ],
  [
    { peers: [{ subnet: '10.20.2.0/24', wireguard_public_key: key().publicKey, allowed_ips: ['10.20.2.0/24'], endpoint: '198.18.0.3' }] },
    'data.peers[0].endpoint',
  ],
  [
    { peers: [{ subnet: '10.20.2.0/24', wireguard_public_key: key().publicKey, allowed_ips: ['10.20.2.0/24'], endpoint: '198.18.0.3:0' }] },
    'data.peers[0].endpoint',
  ],
])('a bad network field is named: %j', (over, named) => {
  expect(problems(network(over)).join('\n')).toContain(named);
});

test("a zmachine's network names the networks it joins with an address each", () => {
  const zm = (name: string, net: unknown) => ({
    name,
    type: 'zmachine',
    data: {
      image: { url: 'http://198.18.0.1/i.tar', sha256: 'a'.repeat(64) },
      compute_capacity: { cpu: 1, memory: 256 * 1024 * 1024 },
      network: net,
    },
  });
  const withNet = (...machines: ReturnType<typeof zm>[]) =>
    deploymentProblems(
      deployment([{ name: 'net', type: 'network', data: network() }, { name: 'pub', type: 'ip', data: { v4: true } }, ...machines]),
    ).map((p) => `${p.path}: ${p.message}`);
  expect(withNet(zm('a', { interfaces: [{ network: 'net', ip: '10.20.1.2' }], planetary: true, public_ip: 'pub' }))).toEqual([]);
  expect(withNet(zm('a', { interfaces: [{ network: 'net', ip: '10.20.1' }] })).join()).toContain('data.network.interfaces[0].ip');
  expect(
    withNet(
      zm('a', {
        interfaces: [
          { network: 'net', ip: '10.20.1.2' },
          { network: 'net', ip: '10.20.1.3' },
        ],
      }),
    ).join(),
  ).toContain('joins the same network twice');
  expect(withNet(zm('a', { planetary: 'yes' })).join()).toContain('data.network.planetary');
  expect(withNet(zm('a', [])).join()).toContain('data.network');
  // Across the deployment: what it names must be there, addresses are the node subnet's and not shared, an ip serves one machine.
  expect(withNet(zm('a', { interfaces: [{ network: 'other', ip: '10.20.1.2' }] })).join()).toContain("no network workload named 'other'");
  expect(withNet(zm('a', { interfaces: [{ network: 'net', ip: '10.20.2.2' }] })).join()).toContain(
    "not a machine address of the network's subnet 10.20.1.0/24",
  );
  expect(withNet(zm('a', { interfaces: [{ network: 'net', ip: '10.20.1.1' }] })).join()).toContain('not a machine address');
  expect(
    withNet(
      zm('a', { interfaces: [{ network: 'net', ip: '10.20.1.2' }] }),
      zm('b', { interfaces: [{ network: 'net', ip: '10.20.1.2' }] }),
    ).join(),
  ).toContain("already the address of 'a'");
  expect(withNet(zm('a', { public_ip: 'nope' })).join()).toContain("no ip workload named 'nope'");
  expect(withNet(zm('a', { public_ip: 'pub' }), zm('b', { public_ip: 'pub' })).join()).toContain("already the public IP of 'a'");
  expect(problems({ v4: true }, 'ip')).toEqual([]);
  expect(problems({}, 'ip').join()).toContain('data.v4');
});

test("addresses: Zero-OS's WireGuard address of a subnet, hosts of a /24, overlaps", () => {
  expect(wireguardAddress('10.20.3.0/24')).toBe('100.64.20.3');
  expect(machineIpInSubnet('10.20.1.2', '10.20.1.0/24')).toBe(true);
  for (const ip of ['10.20.1.1', '10.20.1.0', '10.20.1.255', '10.20.2.2']) expect(machineIpInSubnet(ip, '10.20.1.0/24')).toBe(false);
  expect(overlaps(parseCidr4('10.20.0.0/16')!, parseCidr4('10.20.5.0/24')!)).toBe(true);
  expect(overlaps(parseCidr4('10.20.0.0/24')!, parseCidr4('10.20.1.0/24')!)).toBe(false);
  for (const bad of ['10.20.0.0', '10.20.0.0/33', '010.20.0.0/16', '10.20.0.0/016', '1.2.3.4.5/8']) expect(parseCidr4(bad)).toBeUndefined();
});
