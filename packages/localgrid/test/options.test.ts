/** Bad input is refused before anything is made, with a code and the reason; ss output is read as listed. */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { LOCK_DIR, listNamespaces, parseSs, socketKey, startLocalGrid, type LocalGridOptions } from '../src';

// A subnet no other test uses: what a refused start might have made is named after it (other tests' grids come and go meanwhile).
const base: LocalGridOptions = { nodes: 1, dataDir: '/nonexistent/localgrid-test', subnet: 254 };

test.each<[Partial<LocalGridOptions>, RegExp]>([
  [{ nodes: 0 }, /nodes must be an integer 1-16, got 0/],
  [{ nodes: 17 }, /nodes must be an integer 1-16/],
  [{ nodes: 1.5 }, /nodes must be an integer/],
  [{ dataDir: '' }, /dataDir is required/],
  [{ chainPort: 70000 }, /chainPort must be a port number 0-65535, got 70000/],
  [{ explorerPort: -1 }, /explorerPort must be a port number/],
  [{ planetaryPort: 0 }, /planetaryPort must be a fixed port/],
  [{ subnet: 255 }, /subnet must be the third octet 1-254 .* got 255/],
  [{ nodes: 2, gateways: [2] }, /gateway index 2 is not a node index 0-1/],
  [{ farmName: 'a farm!' }, /farm name 'a farm!' must be/],
  [{ logLevel: 'loud' }, /logLevel must be one of/],
  [{ timeoutMs: 10 }, /timeoutMs must be 1000-3600000/],
  [{ acme: true }, /acme needs a gateway node/],
])('%j is refused', async (bad, message) => {
  const o = { ...base, ...bad };
  const made = (): string[] => listNamespaces().filter((ns) => ns.startsWith(`lg${o.subnet}-`));
  expect(made()).toEqual([]);
  await expect(startLocalGrid(o)).rejects.toMatchObject({ code: 'bad-option', message: expect.stringMatching(message) });
  expect(made()).toEqual([]);
  expect(existsSync(path.join(LOCK_DIR, `${o.subnet}.pid`))).toBe(false);
});

test('ss -H -tlnup output becomes proto, address, port and program', () => {
  const text = [
    'tcp   LISTEN 0      511        127.0.0.1:9101       0.0.0.0:*    users:(("node",pid=12,fd=20))',
    'udp   UNCONN 0      0            0.0.0.0:51820      0.0.0.0:*    users:(("wireguard-go",pid=13,fd=9))',
    'tcp   LISTEN 0      4096            [::]:443           [::]:*',
    'tcp   LISTEN 0      4096   [fe80::1%eth0]:80            [::]:*',
  ].join('\n');
  expect(parseSs(text).map(socketKey)).toEqual(['tcp 127.0.0.1:9101', 'udp 0.0.0.0:51820', 'tcp [::]:443', 'tcp [fe80::1]:80']);
  expect(parseSs(text)[1]).toEqual({ proto: 'udp', address: '0.0.0.0', port: 51820, program: 'wireguard-go' });
});
