/**
 * With local backends disallowed, a server listening only on 127.0.0.1 is out of reach through
 * every spelling of a local address: refused when a route or a workload is admitted, and again by
 * the health probe and when the data plane resolves the address HAProxy is to dial. Several of those spellings do
 * reach the server when nothing checks them (asserted too), so the check is what stands between.
 * And a request whose Host is doubled or invalid gets 400 and never reaches a backend.
 */
import os from 'node:os';
import type { Workload } from '@tfgrid/client';
import { GatewayNameProxyHandler, LOCAL_BACKENDS_REFUSED, parseBackend, probeBackend, resolveBackend, type Gateway } from '../src/gateway';
import { DOMAIN, raw, request, silent, startBackend, startGateway, type Backend } from './gateway-helpers';

jest.setTimeout(30_000);

let server: Backend;
let connections = 0;
let requests = 0;

/** Hosts that all lead to this machine; each as a backend URL must be refused. */
function localForms(): string[] {
  const forms = [
    '127.0.0.1',
    '127.1',
    '127.0.1',
    '2130706433',
    '0177.0.0.1',
    '0177.1',
    '0x7f.1',
    '0x7f000001',
    '0x7F.0x0.0.01',
    '127.0.0.1.',
    '127.0.0.1..',
    '[::ffff:127.0.0.1]',
    '[::ffff:7f00:1]',
    '[0:0:0:0:0:ffff:7f00:1]',
    '[::ffff:7F00:0001]',
    '[::127.0.0.1]',
    '[::7f00:1]',
    '[64:ff9b::127.0.0.1]',
    '[64:ff9b:1::7f00:1]',
    '[2002:7f00:1::]',
    '[::1]',
    'localhost',
    'localhost.',
    'LocalHost',
    'app.localhost',
    'app.localhost.',
    '0.0.0.0',
    '0',
    '0x0',
    '[::]',
    '[::ffff:0.0.0.0]',
    '[::ffff:0:0]',
    '169.254.169.254',
    '2852039166',
    '[::ffff:169.254.169.254]',
    '[fe80::1]',
    '[febf::1]',
  ];
  // This machine's own addresses, as they are and IPv4-mapped.
  for (const i of Object.values(os.networkInterfaces()).flatMap((l) => l ?? [])) {
    if (i.family === 'IPv4') forms.push(i.address, `[::ffff:${i.address}]`);
    else if (!i.address.includes('%')) forms.push(`[${i.address}]`);
  }
  return forms;
}

beforeAll(async () => {
  server = await startBackend('local', (req, res) => {
    requests++;
    req.resume();
    req.on('end', () => res.end('reached'));
  });
  server.server.on('connection', () => connections++);
});

afterAll(async () => {
  await server?.close();
});

describe('local backends disallowed', () => {
  let gw: Gateway;
  let port: number;

  beforeAll(async () => {
    ({ gw, port } = await startGateway({}, { allowLocalBackends: false }));
  });

  afterAll(async () => {
    await gw?.stop();
  });

  test('every local form is refused as a route and as a gateway-name-proxy workload', async () => {
    const handler = new GatewayNameProxyHandler({
      gateway: gw,
      chain: { nodeDomain: async () => DOMAIN, nameContract: async () => undefined },
      nodeId: 1,
      logger: silent,
    });
    const wl = (backends: string[]): Workload => ({
      version: 0,
      name: 'gw',
      type: 'gateway-name-proxy',
      data: { name: 'sneaky', backends },
      metadata: '',
      description: '',
    });
    for (const host of localForms()) {
      const url = `http://${host}:${server.port}`;
      let err: unknown;
      try {
        gw.addRoute({ name: 'sneaky', contractId: 1, backends: [url] });
      } catch (e) {
        err = e;
      }
      expect({ url, err }).toMatchObject({ url, err: { code: 'EBACKENDLOCAL', message: expect.stringMatching(/gateway node itself/) } });
      expect(() => handler.needs(wl(['http://10.20.0.5:8080', url]))).toThrow(/gateway node itself/);
    }
    expect(gw.route('sneaky')).toBeUndefined();
    expect((await request(port, `sneaky.${DOMAIN}`)).status).toBe(404);
    expect(connections).toBe(0);
  });

  test('a backend admitted while local ones were allowed is refused again by the probe and the data plane before connecting', async () => {
    for (const host of localForms()) {
      const b = parseBackend(`http://${host}:${server.port}`, true);
      const o = { guard: LOCAL_BACKENDS_REFUSED, timeoutMs: 1000 };
      expect({ host, probe: await probeBackend(b, o) }).toEqual({ host, probe: 'EBACKENDLOCAL' });
      expect({ host, resolved: await resolveBackend(b, o) }).toEqual({ host, resolved: { error: 'EBACKENDLOCAL' } });
    }
    expect(connections).toBe(0);
    expect(requests).toBe(0);
  });
});

test('without the check, these forms do reach the server listening only on 127.0.0.1', async () => {
  for (const host of ['127.1', '2130706433', '0177.0.0.1', '0x7f.1', '[::ffff:127.0.0.1]', '[::ffff:7f00:1]', '0.0.0.0', '[::ffff:0:0]']) {
    const before = connections;
    expect({ host, probe: await probeBackend(parseBackend(`http://${host}:${server.port}`, true), { timeoutMs: 2000 }) }).toEqual({
      host,
      probe: undefined,
    });
    await new Promise((r) => setImmediate(r));
    expect(connections).toBeGreaterThan(before);
  }
});

describe('Host header lines (RFC 9112 §3.2)', () => {
  let gw: Gateway;
  let port: number;

  beforeAll(async () => {
    ({ gw, port } = await startGateway());
    gw.addRoute({ name: 'app', contractId: 5, backends: [server.url] });
  });

  afterAll(async () => {
    await gw?.stop();
  });

  test('two Host lines, an invalid Host or an absolute-form target → 400, never forwarded', async () => {
    const before = requests;
    const bad = [
      `GET / HTTP/1.1\r\nHost: app.${DOMAIN}\r\nHost: app.${DOMAIN}\r\n\r\n`,
      `GET / HTTP/1.1\r\nHost: app.${DOMAIN}\r\nHost: other.${DOMAIN}\r\n\r\n`,
      `GET / HTTP/1.1\r\nHost: other.${DOMAIN}\r\nhOST: app.${DOMAIN}\r\n\r\n`,
      `POST / HTTP/1.1\r\nHost: app.${DOMAIN}\r\nContent-Length: 0\r\nHost: evil.example\r\n\r\n`,
      `GET / HTTP/1.1\r\nHost: app ${DOMAIN}\r\n\r\n`,
      `GET / HTTP/1.1\r\nHost: app.${DOMAIN}/x\r\n\r\n`,
      `GET / HTTP/1.1\r\nHost: evil@app.${DOMAIN}\r\n\r\n`,
      `GET / HTTP/1.1\r\nHost: app.${DOMAIN}:80:80\r\n\r\n`,
      `GET / HTTP/1.1\r\nHost: app.${DOMAIN}\r\nHost: app.${DOMAIN}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
      `GET http://other.${DOMAIN}/ HTTP/1.1\r\nHost: app.${DOMAIN}\r\n\r\n`,
    ];
    for (const text of bad) {
      const answer = await raw(port, text);
      expect({ text, status: answer.split('\r\n')[0] }).toEqual({ text, status: 'HTTP/1.1 400 Bad Request' });
    }
    expect(requests).toBe(before);
    // one valid Host, with port, case and a trailing dot, is served
    const ok = await raw(port, `GET / HTTP/1.1\r\nHost: APP.${DOMAIN}.:80\r\nConnection: close\r\n\r\n`);
    expect(ok).toMatch(/^HTTP\/1\.1 200 OK[\s\S]*reached$/);
    expect(requests).toBe(before + 1);
  });
});
