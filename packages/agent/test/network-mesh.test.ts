/**
 * A network planned as a deployer's client plans it, on three node hosts and a user's machine in
 * their own namespaces (joined by a bridge standing in for the Internet): two nodes with public
 * endpoints, one behind NAT reaching the others through the access node, and the user's machine
 * joining with the wg-quick file `tfgrid network access` writes.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { accessConfig, machineAddress, networkData, planNetwork, type NetworkPlan } from '@tfgrid/client';
import { PrivateNetworks, networkId } from '../src/network';
import { makeHosts, type Hosts } from './support/netns';

jest.setTimeout(120_000);

const logger = pino({ level: 'silent' });
const tag = `ms${(process.pid % 0xffff).toString(16)}`;
const sh = (argv: string[]): string =>
  execFileSync(argv[0]!, argv.slice(1), {
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 30_000,
    env: { ...process.env, WG_I_PREFER_BUGGY_USERSPACE_TO_POLISHED_KMOD: '1' },
  });
let net: Hosts;
let plan: NetworkPlan;
let nodes: PrivateNetworks[];
const id = networkId(9, `mesh-${tag}`);
const machines: string[] = [];
let dir: string;
const userIf = `${tag}u`;

const ping = (ns: string, ip: string): boolean => {
  try {
    sh(['ip', 'netns', 'exec', ns, 'busybox', 'ping', '-c', '2', '-W', '3', ip]);
    return true;
  } catch {
    return false;
  }
};

beforeAll(async () => {
  net = makeHosts(tag, 4, 8);
  dir = mkdtempSync(path.join(tmpdir(), 'mesh-'));
  let port = 40000;
  plan = planNetwork({
    name: 'mesh',
    nodes: [
      { nodeId: 1, endpoint: net.hosts[0]!.ip },
      { nodeId: 2, endpoint: net.hosts[1]!.ip },
      { nodeId: 3 }, // behind NAT
    ],
    users: ['laptop'],
    port: () => port++,
  });
  nodes = [0, 1, 2].map((i) => new PrivateNetworks(`${i}${tag.slice(-3)}`, logger, net.hosts[i]!.ns));
  for (let i = 0; i < 3; i++) {
    await nodes[i]!.ensure(id, networkData(plan, i + 1));
    const ns = `tfz-${tag}m${i}`;
    sh(['ip', 'netns', 'add', ns]);
    machines.push(ns);
    sh(['ip', '-n', ns, 'link', 'set', 'lo', 'up']);
    await nodes[i]!.attach(id, networkData(plan, i + 1), `m${i}`, ns, 0, machineAddress(plan.nodes[i]!.subnet));
  }
});

afterAll(async () => {
  try {
    sh(['ip', 'netns', 'exec', net.hosts[3]!.ns, 'wg-quick', 'down', path.join(dir, `${userIf}.conf`)]);
  } catch {
    /* not up */
  }
  for (let i = 0; i < 3; i++) await nodes?.[i]?.remove(id).catch(() => undefined);
  for (const ns of machines) sh(['ip', 'netns', 'del', ns]);
  net?.remove();
  rmSync(dir, { recursive: true, force: true });
});

test('every machine reaches every other, the one behind NAT through the access node', () => {
  const ips = plan.nodes.map((n) => machineAddress(n.subnet));
  for (let i = 0; i < 3; i++)
    for (let j = 0; j < 3; j++)
      if (i !== j) expect({ from: i, to: j, ok: ping(machines[i]!, ips[j]!) }).toEqual({ from: i, to: j, ok: true });
  // The hidden node has one peer, the access node, and no endpoint anyone could dial.
  expect(networkData(plan, 3).peers).toHaveLength(1);
  expect(networkData(plan, 1).peers.find((p) => p.subnet === plan.nodes[2]!.subnet)!.endpoint).toBe('');
});

test("a user's machine joins with the access config and reaches every machine", () => {
  const conf = path.join(dir, `${userIf}.conf`);
  writeFileSync(conf, accessConfig(plan, 'laptop'), { mode: 0o600 });
  sh(['ip', 'netns', 'exec', net.hosts[3]!.ns, 'wg-quick', 'up', conf]);
  for (const n of plan.nodes)
    expect({ node: n.nodeId, ok: ping(net.hosts[3]!.ns, machineAddress(n.subnet)) }).toEqual({ node: n.nodeId, ok: true });
});

test('the machines are not reachable from the Internet bridge, only over the network', () => {
  // A host on the bridge routes the network's range at node 1's address: nothing answers.
  sh(['ip', '-n', net.hosts[3]!.ns, 'route', 'replace', '10.20.99.0/24', 'via', net.hosts[0]!.ip]);
  expect(ping(net.hosts[3]!.ns, '10.20.99.2')).toBe(false);
  sh(['ip', '-n', net.hosts[1]!.ns, 'route', 'replace', plan.nodes[0]!.subnet, 'via', net.hosts[0]!.ip]);
  expect(ping(net.hosts[1]!.ns, machineAddress(plan.nodes[0]!.subnet))).toBe(false);
});
