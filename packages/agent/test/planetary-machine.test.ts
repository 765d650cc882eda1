/**
 * Zmachines on the planetary overlay: two node hosts in namespaces, each with its Yggdrasil daemon
 * (peered), and a machine namespace on each routed an address of its node's /64. The machines
 * reach each other and the other node over the overlay; removal leaves no veth or route.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pino from 'pino';
import {
  attachMachineRoute,
  detachMachineRoute,
  Planetary,
  planetaryHostIf,
  planetaryMachineAddress,
  PlanetaryError,
  type SelfInfo,
} from '../src/planetary';
import { makeHosts, sh, type Hosts } from './support/netns';

jest.setTimeout(90_000);

const logger = pino({ level: 'silent' });
const tag = `pm${process.pid % 100000}`;
let net: Hosts;
let dir: string;
const daemons: Planetary[] = [];
const machines = [`${tag}-m0`, `${tag}-m1`];
const selves: SelfInfo[] = [];

const ping6 = (ns: string, address: string): boolean => {
  try {
    sh(['ip', 'netns', 'exec', ns, 'busybox', 'ping', '-6', '-c', '2', '-W', '5', address]);
    return true;
  } catch {
    return false;
  }
};

beforeAll(async () => {
  net = makeHosts(tag, 2, 9);
  dir = mkdtempSync(path.join(tmpdir(), 'pm-'));
  const listen = `tcp://${net.hosts[1]!.ip}:12346`;
  const options = [{ listen: [listen] }, { peers: [listen] }];
  for (const h of [1, 0]) {
    const d = new Planetary({
      dir: path.join(dir, `n${h}`),
      netns: net.hosts[h]!.ns,
      ifName: `${tag}y`,
      logger,
      ...options[h === 1 ? 0 : 1],
    });
    daemons.push(d);
    selves[h] = await d.start();
  }
  for (const m of machines) {
    sh(['ip', 'netns', 'add', m]);
    sh(['ip', '-n', m, 'link', 'set', 'lo', 'up']);
  }
});

afterAll(async () => {
  for (const d of daemons) await d.stop();
  for (const m of machines) {
    try {
      sh(['ip', 'netns', 'del', m]);
    } catch {
      /* not made */
    }
  }
  net?.remove();
  rmSync(dir, { recursive: true, force: true });
});

test('addresses come from the /64; anything else is refused', () => {
  expect(planetaryMachineAddress('300:1234:5678:9abc::/64', 2)).toBe('300:1234:5678:9abc::2');
  expect(planetaryMachineAddress('300:0:0:1::/64', 0xffff)).toBe('300:0:0:1::ffff');
  for (const [s, i] of [
    ['300:1234:5678:9abc::/48', 2],
    ['300:1234:5678:9abc::1/64', 2],
    ['10.0.0.0/24', 2],
    ['300::/64', 0],
    ['300::/64', 0x10000],
    ['1:2:3:4:5:6:7:8:9/64', 1],
  ] as const) {
    expect(() => planetaryMachineAddress(s, i)).toThrow(PlanetaryError);
  }
});

test("two machines on two nodes reach each other's planetary addresses, and the other node", async () => {
  const routes = await Promise.all(
    [0, 1].map((h) => attachMachineRoute({ hostNs: net.hosts[h]!.ns, subnet: selves[h]!.subnet, machineNs: machines[h]!, index: 2 })),
  );
  expect(routes[0]!.address).toBe(planetaryMachineAddress(selves[0]!.subnet, 2));
  // Yggdrasil's own MTU on the machine's link, so it is not held to 1500-byte packets.
  expect((JSON.parse(sh(['ip', '-n', machines[0]!, '-j', 'link', 'show', 'dev', 'ygg0'])) as { mtu: number }[])[0]!.mtu).toBe(65535);
  // Attaching again keeps the veth (idempotent, no traffic cut).
  await attachMachineRoute({ hostNs: net.hosts[0]!.ns, subnet: selves[0]!.subnet, machineNs: machines[0]!, index: 2 });
  // The daemons peered when started; the first pings may wait for their path search.
  const end = Date.now() + 20_000;
  while (!ping6(machines[0]!, routes[1]!.address) && Date.now() < end) await new Promise((r) => setTimeout(r, 200));
  expect(ping6(machines[0]!, routes[1]!.address)).toBe(true);
  expect(ping6(machines[1]!, routes[0]!.address)).toBe(true);
  expect(ping6(machines[0]!, selves[1]!.address)).toBe(true);
});

test('removal leaves no veth, route or address', async () => {
  for (const h of [0, 1]) {
    await detachMachineRoute({ hostNs: net.hosts[h]!.ns, machineNs: machines[h]!, index: 2 });
    await detachMachineRoute({ hostNs: net.hosts[h]!.ns, machineNs: machines[h]!, index: 2 }); // idempotent
    const links = JSON.parse(sh(['ip', '-n', net.hosts[h]!.ns, '-j', 'link', 'show'])) as { ifname: string }[];
    expect(links.map((l) => l.ifname)).not.toContain(planetaryHostIf(machines[h]!, 2));
    expect(sh(['ip', '-n', net.hosts[h]!.ns, '-6', 'route', 'show', planetaryMachineAddress(selves[h]!.subnet, 2)]).trim()).toBe('');
    const inside = JSON.parse(sh(['ip', '-n', machines[h]!, '-j', 'link', 'show'])) as { ifname: string }[];
    expect(inside.map((l) => l.ifname)).toEqual(['lo']);
  }
  expect(ping6(machines[0]!, planetaryMachineAddress(selves[1]!.subnet, 2))).toBe(false);
});
