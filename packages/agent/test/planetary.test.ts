/**
 * The planetary overlay with the real Yggdrasil daemon, between two hosts in network namespaces:
 * peering at once, traffic over the overlay addresses, no inbound listener unless configured,
 * keys kept (0600) across restarts, restart after a crash, and a daemon left by a killed agent replaced.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import { Planetary, PlanetaryError, CONFIG_FILE } from '../src/planetary';
import { workloadMark } from '../src/workloads';
import { findMarked, isAlive, MARKER_VAR } from '../src/core';
import { makeHosts, type Hosts } from './support/netns';
import { until } from '@tfgrid/testkit';

jest.setTimeout(90_000);

const logger = pino({ level: 'silent' });
const tag = `pl${process.pid % 100000}`;
let net: Hosts;
let dir: string;
const daemons: Planetary[] = [];

beforeAll(() => {
  net = makeHosts(tag, 2, 7);
  dir = mkdtempSync(path.join(tmpdir(), 'pl-'));
});

afterAll(async () => {
  for (const d of daemons) await d.stop();
  net?.remove();
  rmSync(dir, { recursive: true, force: true });
});

const daemon = (name: string, host: number, o: { peers?: string[]; listen?: string[] } = {}): Planetary => {
  const d = new Planetary({
    dir: path.join(dir, name),
    netns: net.hosts[host]!.ns,
    ifName: `${tag}y`,
    logger,
    restartMinMs: 100,
    restartMaxMs: 500,
    ...o,
  });
  daemons.push(d);
  return d;
};

test('two nodes peer at once and carry traffic over their overlay addresses; only the configured listener listens', async () => {
  const listen = `tcp://${net.hosts[1]!.ip}:12345`;
  const b = daemon('b', 1, { listen: [listen] });
  const sb = await b.start();
  const a = daemon('a', 0, { peers: [listen] });
  const sa = await a.start();
  expect(sa.address).toMatch(/^2[0-9a-f]{2}:/);
  expect(sa.subnet).toMatch(/^3[0-9a-f]{2}:.*::\/64$/);
  expect(sa.address).not.toBe(sb.address);
  await until(
    'a peered with b',
    async () => (await a.admin.peers()).some((p) => p.up !== false && (p.remote ?? p.uri ?? '').includes(net.hosts[1]!.ip)),
    20_000,
  );
  const ping = net.exec(net.hosts[0]!, ['busybox', 'ping', '-6', '-c', '2', '-W', '5', sb.address]);
  expect(ping).toMatch(/2 packets received/);
  // A listens on nothing (no multicast, no listener); B only on its configured port.
  const tcpListeners = (h: number) =>
    net
      .exec(net.hosts[h]!, ['ss', '-Htln'])
      .trim()
      .split('\n')
      .filter(Boolean)
      .map((l) => l.split(/\s+/)[3]);
  expect(tcpListeners(0)).toEqual([]);
  expect(tcpListeners(1)).toEqual([`${net.hosts[1]!.ip}:12345`]);
  expect(net.exec(net.hosts[0]!, ['ss', '-Huln']).trim()).toBe('');
  // The key stays private.
  const conf = path.join(dir, 'a', CONFIG_FILE);
  expect(statSync(conf).mode & 0o777).toBe(0o600);
  expect(JSON.parse(readFileSync(conf, 'utf8')).MulticastInterfaces).toEqual([]);
});

test('a crashed daemon is restarted with the same address', async () => {
  const a = daemons[1]!;
  const before = a.self()!.address;
  const mark = workloadMark(path.join(dir, 'a'), 'planetary');
  const [pid] = findMarked(mark);
  process.kill(pid!, 'SIGKILL');
  await until('the crash seen', () => a.status() !== 'running', 20_000);
  await until('restarted', () => a.status() === 'running' && findMarked(mark).length === 1 && findMarked(mark)[0] !== pid, 20_000);
  expect(a.self()!.address).toBe(before);
});

test("a daemon left by a killed agent is replaced: exactly one runs, with the node's key", async () => {
  const a = daemons[1]!;
  const address = a.self()!.address;
  await a.stop();
  // What a SIGKILLed agent leaves: its daemon, still running with the node's marker.
  const mark = workloadMark(path.join(dir, 'a'), 'planetary');
  const leftover = spawn('ip', ['netns', 'exec', net.hosts[0]!.ns, 'yggdrasil', '-useconffile', path.join(dir, 'a', CONFIG_FILE)], {
    stdio: 'ignore',
    detached: true,
    env: { PATH: process.env.PATH, [MARKER_VAR]: mark },
  });
  leftover.unref();
  await until('the leftover runs', () => findMarked(mark).length === 1, 20_000);
  const again = daemon('a', 0, { peers: [`tcp://${net.hosts[1]!.ip}:12345`] });
  const self = await again.start();
  expect(self.address).toBe(address);
  expect(isAlive(leftover.pid!)).toBe(false);
  expect(findMarked(mark)).toHaveLength(1);
  expect(findMarked(mark)[0]).not.toBe(leftover.pid);
});

test('bad peer addresses and interface names are refused with the reason', async () => {
  for (const peers of [['http://1.2.3.4:1'], ['tcp://1.2.3.4'], ['tcp://1.2.3.4:99999'], ['tcp://a b:1'], [`tcp://${'a'.repeat(400)}:1`]]) {
    const d = new Planetary({ dir: path.join(dir, 'bad'), peers, logger });
    await expect(d.start()).rejects.toMatchObject({ code: 'bad-config', message: expect.stringMatching(/planetary peer/) });
  }
  const d = new Planetary({ dir: path.join(dir, 'bad'), ifName: 'this-name-is-far-too-long', logger });
  await expect(d.start()).rejects.toBeInstanceOf(PlanetaryError);
});
