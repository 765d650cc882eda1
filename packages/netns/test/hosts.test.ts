/** Hosts on one bridge reach one another; each runs in its own mount namespace; `remove()` leaves nothing; bad input is refused first. */
import { existsSync, readlinkSync } from 'node:fs';
import { hostMounts, listLinks, listNamespaces, makeHosts, NetnsError, type Hosts } from '../src';

// Unique per run: interface names (and wireguard-go sockets elsewhere) are global to the machine.
const tag = `nnt${process.pid % 100000}`;
let hosts: Hosts | undefined;

afterAll(() => hosts?.remove());

test('host tags and counts are checked', () => {
  expect(() => makeHosts('Bad-Tag', 1, 9)).toThrow(NetnsError);
  expect(() => makeHosts('Bad-Tag', 1, 9)).toThrow(expect.objectContaining({ code: 'bad-option' }));
  expect(() => makeHosts('waytoolongtag', 1, 9)).toThrow(/1-10 characters/);
  expect(() => makeHosts('ok', 0, 9)).toThrow(/number of hosts must be 1-64/);
  expect(() => makeHosts('ok', 1, 256)).toThrow(/third octet 0-255/);
});

test('two hosts with IPv6 and mount namespaces: they reach one another over the bridge, and remove() deletes everything', () => {
  hosts = makeHosts(tag, 2, 31, { ipv6: true, mounts: true });
  const [a, b] = hosts.hosts as [Hosts['hosts'][0], Hosts['hosts'][0]];
  expect([a.ip, a.ip6, b.ip, b.ip6]).toEqual(['198.18.31.2', '2001:2:0:31::2', '198.18.31.3', '2001:2:0:31::3']);
  expect(listNamespaces()).toEqual(expect.arrayContaining([a.ns, b.ns]));
  expect(hosts.exec(a, ['busybox', 'ping', '-c', '1', '-W', '5', b.ip])).toContain('1 packets received');
  expect(hosts.exec(b, ['ip', '-6', '-o', 'addr', 'show', 'dev', 'eth0'])).toContain(`${b.ip6}/64`);
  // exec runs on the host: in its own mount namespace, not the root's.
  expect(hosts.exec(a, ['readlink', '/proc/self/ns/mnt']).trim()).not.toBe(readlinkSync('/proc/self/ns/mnt'));
  expect(existsSync(hostMounts(a.ns))).toBe(true);

  hosts.remove();
  expect(listNamespaces().filter((ns) => ns.startsWith(`${tag}-`))).toEqual([]);
  expect(listLinks().filter((l) => l.startsWith(tag))).toEqual([]);
  expect([existsSync(hostMounts(a.ns)), existsSync(hostMounts(b.ns))]).toEqual([false, false]);
});
