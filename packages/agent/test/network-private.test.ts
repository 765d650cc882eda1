/**
 * Private networks with real WireGuard (the kernel's or wireguard-go) and namespaces: two nodes'
 * parts of one user's network carry traffic between their machines; another user's network
 * reaches neither; peers change without dropping traffic; removal leaves nothing behind.
 */
import { execFile, execFileSync } from 'node:child_process';
import { existsSync, readdirSync } from 'node:fs';
import pino from 'pino';
import { wireguardKeyPair, type NetworkData } from '@tfgrid/client';
import { PrivateNetworks, networkId, peerKeys, userspaceMark } from '../src/network';
import { findMarked } from '../src/core';
import { freePort } from './support/net';

jest.setTimeout(120_000);

const logger = pino({ level: 'silent' });
const sh = (argv: string[]): string =>
  execFileSync(argv[0]!, argv.slice(1), { encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'], timeout: 30_000 });
const tag = (process.pid % 0xffff).toString(16).padStart(4, '0');
// Two nodes on this machine: agents with their own instance tags.
const nodeA = new PrivateNetworks(`a${tag.slice(1)}`, logger);
const nodeB = new PrivateNetworks(`b${tag.slice(1)}`, logger);
const machines: string[] = [];
const net1 = networkId(1, `net-${tag}`);
const net2 = networkId(2, `other-${tag}`);

const machine = (name: string): string => {
  const ns = `tfz-t${tag}${name}`;
  sh(['ip', 'netns', 'add', ns]);
  sh(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
  machines.push(ns);
  return ns;
};
const ping = (ns: string, ip: string, count = 2): boolean => {
  try {
    sh(['ip', 'netns', 'exec', ns, 'busybox', 'ping', '-c', String(count), '-W', '2', ip]);
    return true;
  } catch {
    return false;
  }
};

let keysA = wireguardKeyPair();
const keysB = wireguardKeyPair();
let portA = 0;
let portB = 0;
const dataA = (extraPeers: NetworkData['peers'] = []): NetworkData => ({
  ip_range: '10.77.0.0/16',
  subnet: '10.77.1.0/24',
  wireguard_private_key: keysA.privateKey,
  wireguard_listen_port: portA,
  peers: [
    {
      subnet: '10.77.2.0/24',
      wireguard_public_key: keysB.publicKey,
      allowed_ips: ['10.77.2.0/24', '100.64.77.2/32'],
      endpoint: `127.0.0.1:${portB}`,
    },
    ...extraPeers,
  ],
});
const dataB = (): NetworkData => ({
  ip_range: '10.77.0.0/16',
  subnet: '10.77.2.0/24',
  wireguard_private_key: keysB.privateKey,
  wireguard_listen_port: portB,
  peers: [
    {
      subnet: '10.77.1.0/24',
      wireguard_public_key: keysA.publicKey,
      allowed_ips: ['10.77.1.0/24', '100.64.77.1/32'],
      endpoint: `127.0.0.1:${portA}`,
    },
  ],
});

beforeAll(async () => {
  portA = await freePort();
  portB = await freePort();
});

afterAll(async () => {
  await nodeA.remove(net1).catch(() => undefined);
  await nodeB.remove(net1).catch(() => undefined);
  await nodeB.remove(net2).catch(() => undefined);
  for (const ns of machines) sh(['ip', 'netns', 'del', ns]);
});

test('machines on two nodes of one network reach each other over WireGuard; the UDP port is on the node, not in the network', async () => {
  const ra = await nodeA.ensure(net1, dataA());
  const rb = await nodeB.ensure(net1, dataB());
  expect(ra).toMatchObject({ subnet: '10.77.1.0/24', gateway: '10.77.1.1', wireguard_ip: '100.64.77.1' });
  const ma = machine('a');
  const mb = machine('b');
  await nodeA.attach(net1, dataA(), 'm-a', ma, 0, '10.77.1.2');
  await nodeB.attach(net1, dataB(), 'm-b', mb, 0, '10.77.2.2');
  expect(ping(ma, '10.77.2.2', 3)).toBe(true);
  expect(ping(mb, '10.77.1.2')).toBe(true);
  // The encrypted side listens in the node's namespace; inside the network nothing does.
  expect(
    sh(['ss', '-Huln'])
      .split('\n')
      .some((l) => l.includes(`:${portA} `)),
  ).toBe(true);
  expect(sh(['ip', 'netns', 'exec', rb.netns, 'ss', '-Huln']).trim()).toBe('');
  // The private key is in no argv and no log.
  expect(sh(['ps', '-eo', 'args']).includes(keysA.privateKey)).toBe(false);
});

test("another user's network on the same node reaches neither machine", async () => {
  const other = wireguardKeyPair();
  await nodeB.ensure(net2, {
    ip_range: '10.78.0.0/16',
    subnet: '10.78.2.0/24',
    wireguard_private_key: other.privateKey,
    wireguard_listen_port: await freePort(),
    peers: [],
  });
  const mc = machine('c');
  await nodeB.attach(net2, { ip_range: '10.78.0.0/16', subnet: '10.78.2.0/24' }, 'm-c', mc, 0, '10.78.2.2');
  expect(ping(mc, '10.77.2.2', 1)).toBe(false);
  expect(ping(mc, '10.77.1.2', 1)).toBe(false);
  expect(ping(mc, '10.78.2.1', 1)).toBe(true);
});

test('an update adds and removes a peer in place: traffic to the other peer keeps flowing', async () => {
  const ma = machines[0]!;
  const extra = { subnet: '10.77.9.0/24', wireguard_public_key: wireguardKeyPair().publicKey, allowed_ips: ['10.77.9.0/24'], endpoint: '' };
  const pinging = new Promise<string>((resolve) => {
    execFile(
      'ip',
      ['netns', 'exec', ma, 'busybox', 'ping', '-c', '30', '-i', '0.1', '-W', '2', '10.77.2.2'],
      { encoding: 'utf8' },
      (_e, out) => resolve(out),
    );
  });
  await nodeA.ensure(net1, dataA([extra]));
  const n = nodeA.names(net1);
  expect((await peerKeys(n.netns, n.wg)).sort()).toEqual([keysB.publicKey, extra.wireguard_public_key].sort());
  expect(sh(['ip', '-n', n.netns, 'route', 'show', 'dev', n.wg])).toContain('10.77.9.0/24');
  await nodeA.ensure(net1, dataA());
  expect(await peerKeys(n.netns, n.wg)).toEqual([keysB.publicKey]);
  expect(sh(['ip', '-n', n.netns, 'route', 'show', 'dev', n.wg])).not.toContain('10.77.9.0/24');
  expect(await pinging).toMatch(/30 packets transmitted, 30 packets received/);
});

test('a new private key is taken without making the network again', async () => {
  keysA = wireguardKeyPair();
  await nodeA.ensure(net1, dataA());
  await nodeB.ensure(net1, dataB());
  expect(ping(machines[0]!, '10.77.2.2', 3)).toBe(true);
});

test('removal leaves no namespace, interface, socket or process', async () => {
  const names = [nodeA.names(net1), nodeB.names(net1), nodeB.names(net2)];
  await nodeA.remove(net1);
  await nodeB.remove(net1);
  await nodeB.remove(net2);
  const namespaces = sh(['ip', 'netns', 'list']);
  const sockets = existsSync('/var/run/wireguard') ? readdirSync('/var/run/wireguard') : [];
  for (const n of names) {
    expect(namespaces).not.toContain(n.netns);
    expect(sockets).not.toContain(`${n.wg}.sock`);
    expect(sh(['ip', 'link']).includes(n.wg)).toBe(false);
  }
  expect(findMarked(userspaceMark(`a${tag.slice(1)}`, nodeA.names(net1).wg))).toEqual([]);
  // Removing again is a no-op.
  await nodeA.remove(net1);
});
