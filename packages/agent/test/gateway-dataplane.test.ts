/**
 * The Gateway on its HAProxy data plane: what it adds or must keep: request smuggling forms refused or normalised
 * (the backend never sees a hidden second request), route changes under load losing no request,
 * HTTP/2 to clients on the TLS listener, TLS passthrough by SNI (other names still terminated,
 * the client's address kept), own-fqdn routes (HTTP at once, HTTPS once the certificate is
 * loaded, a reissued one loaded again), HTTP-01 answers on any name, and a node without HAProxy
 * saying so.
 */
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import http2 from 'node:http2';
import https from 'node:https';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import { Registry } from 'prom-client';
import { DirectoryCertificateSource, Gateway, selfSignedCertificate } from '../src/gateway';
import type { FqdnCertificates, IssuedCertificate } from '../src/gateway/acme';
import { DOMAIN, raw, request, silent, startBackend, smugglingForms, startGateway, until, wsEcho, type Backend } from './gateway-helpers';

jest.setTimeout(60_000);

let dir: string;
let a: Backend;
let b: Backend;
const seen: { backend: string; path: string; hosts: number }[] = [];
/** maxBodyBytes of the TLS listener's gateway (HTTP/2 bodies). */
const H2_LIMIT = 256 * 1024;

/** A self-signed certificate for `names` (the first is the CN), written as cert and key files. */
async function makeCert(name: string, names: string[]): Promise<{ cert: string; key: string }> {
  const cert = path.join(dir, `${name}.crt`);
  const key = path.join(dir, `${name}.key`);
  await selfSignedCertificate({ names, keyFile: key, certFile: cert, days: 2 });
  return { cert, key };
}

function recorder(id: string): Parameters<typeof startBackend>[1] {
  return (req, res) => {
    const hosts = req.rawHeaders.filter((_, i) => i % 2 === 0 && req.rawHeaders[i]!.toLowerCase() === 'host').length;
    seen.push({ backend: id, path: req.url ?? '', hosts });
    let n = 0;
    req.on('data', (c: Buffer) => (n += c.length));
    req.on('end', () => {
      const body = JSON.stringify({ backend: id, url: req.url, headers: req.headers, bodyLength: n });
      res.writeHead(200, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  };
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'gw-plane-'));
  a = await startBackend('a', recorder('a'));
  b = await startBackend('b', recorder('b'));
});

afterAll(async () => {
  await a?.close();
  await b?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

describe('request smuggling', () => {
  let gw: Gateway;
  let port: number;
  const H = `app.${DOMAIN}`;

  beforeAll(async () => {
    ({ gw, port } = await startGateway());
    gw.addRoute({ name: 'app', contractId: 1, backends: [a.url] });
    await gw.settled();
  });

  afterAll(async () => {
    await gw?.stop();
  });

  const cases = smugglingForms(H);

  test.each(cases)('%s: refused or normalised, the backend never sees two requests', async (_name, text) => {
    const before = seen.length;
    const answer = await raw(port, text);
    const statuses = [...answer.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1]));
    const got = seen.slice(before);
    expect(got.length).toBeLessThanOrEqual(1);
    expect(got.every((s) => !s.path.includes('smuggled') && s.hosts === 1)).toBe(true);
    expect(statuses.length).toBeLessThanOrEqual(1);
    if (got.length === 0) expect(statuses.every((s) => s >= 400)).toBe(true);
  });
});

describe("heads HAProxy's parser would read otherwise, answered as the edge always did", () => {
  let gw: Gateway;
  let port: number;
  const H = `app.${DOMAIN}`;

  beforeAll(async () => {
    ({ gw, port } = await startGateway());
    gw.addRoute({ name: 'app', contractId: 11, backends: [a.url] });
    await gw.settled();
  });

  afterAll(async () => {
    await gw?.stop();
  });

  test('two identical Host lines (HAProxy would merge them) → 400 Bad Request, never forwarded', async () => {
    for (const text of [
      `GET /twohosts HTTP/1.1\r\nHost: ${H}\r\nHost: ${H}\r\n\r\n`,
      `GET /twohosts HTTP/1.1\r\nHost: ${H}\r\nHost: ${H}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    ]) {
      const before = seen.length;
      const answer = await raw(port, text);
      expect({ text, status: answer.split('\r\n')[0] }).toEqual({ text, status: 'HTTP/1.1 400 Bad Request' });
      expect(seen.slice(before)).toEqual([]);
    }
  });

  test('150 headers, then a second Host → 431 (the count is checked before the Host)', async () => {
    const many = Array.from({ length: 150 }, (_, i) => `X${i}:a\r\n`).join('');
    const answer = await raw(port, `GET /c/many HTTP/1.1\r\nHost: ${H}\r\n${many}Host: evil.example\r\nConnection: close\r\n\r\n`);
    expect(answer.split('\r\n')[0]).toBe('HTTP/1.1 431 Request Header Fields Too Large');
  });

  test('a folded Transfer-Encoding with an empty first line → 400; nothing after its body reaches the backend', async () => {
    const before = seen.length;
    const S = `GET /smuggled/te-folded-name HTTP/1.1\r\nHost: ${H}\r\n\r\n`;
    const answer = await raw(port, `POST /c/te-folded-name HTTP/1.1\r\nHost: ${H}\r\nTransfer-Encoding:\r\n chunked\r\n\r\n0\r\n\r\n${S}`);
    expect([...answer.matchAll(/HTTP\/1\.1 (\d{3}) /g)].map((m) => Number(m[1]))).toEqual([400]);
    expect(seen.slice(before)).toEqual([]);
  });

  test('a head sent in pieces is read whole before it is judged; the one valid Host is served', async () => {
    const s = await new Promise<net.Socket>((resolve) => {
      const c = net.connect(port, '127.0.0.1', () => resolve(c));
    });
    let text = '';
    s.on('data', (d: Buffer) => (text += d.toString()));
    const closed = new Promise((r) => s.on('close', r));
    for (const part of [`GET /pieces HTTP/1.1\r\nHo`, `st: ${H}\r\nX-A: a\r\n`, `Connection: close\r\n`, `\r\n`]) {
      s.write(part);
      await new Promise((r) => setTimeout(r, 30));
    }
    await closed;
    expect(text.split('\r\n')[0]).toBe('HTTP/1.1 200 OK');
  });
});

test('websocket_tunnels: an open WebSocket tunnel is counted for its name while it lives', async () => {
  const registry = new Registry();
  const ws = await startBackend('ws', (_q, r) => r.end('no'));
  wsEcho(ws.server);
  const { gw, port } = await startGateway({}, { registry });
  const gauge = async (): Promise<number> => {
    await gw.refresh();
    const m = (await registry.getMetricsAsJSON()).find((x) => x.name.endsWith('websocket_tunnels'));
    return Number(
      (m?.values as { value: number; labels: Record<string, string> }[] | undefined)?.find((v) => v.labels.name === 'chat')?.value ?? 0,
    );
  };
  try {
    gw.addRoute({ name: 'chat', contractId: 12, backends: [ws.url] });
    await gw.settled();
    const s = net.connect(port, '127.0.0.1');
    let text = '';
    s.on('data', (d: Buffer) => (text += d.toString()));
    s.write(
      `GET /ws HTTP/1.1\r\nHost: chat.${DOMAIN}\r\nConnection: Upgrade\r\nUpgrade: websocket\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\nSec-WebSocket-Version: 13\r\n\r\n`,
    );
    await until('101', () => text.startsWith('HTTP/1.1 101'), 5_000, 20);
    await until('one tunnel', async () => (await gauge()) === 1, 5_000, 50);
    s.destroy();
    await until('no tunnel', async () => (await gauge()) === 0, 5_000, 50);
  } finally {
    await gw.stop();
    await ws.close();
  }
});

test('bytes counted before a reload are reported once after it: never lost, never doubled', async () => {
  const nru: { id: number; bytes: number }[] = [];
  const { gw, port } = await startGateway({}, { nru: { add: (id, bytes) => void nru.push({ id, bytes }) } });
  try {
    gw.addRoute({ name: 'meter', contractId: 13, backends: [a.url] });
    await gw.settled();
    const five = async (): Promise<void> => {
      for (let i = 0; i < 5; i++)
        expect((await request(port, `meter.${DOMAIN}`, { path: '/m', method: 'POST', body: 'x'.repeat(1000) })).status).toBe(200);
    };
    await five();
    await gw.refresh();
    const first = gw.usage(13);
    expect(first.in).toBeGreaterThan(5000);
    expect(first.out).toBeGreaterThan(0);
    // the same five again, not read before the reload that more names than slots cause
    await five();
    for (let i = 0; i < 20; i++) gw.addRoute({ name: `more${i}`, contractId: 200 + i, backends: [b.url] });
    await gw.settled();
    await until(
      'the reloaded config serves the last name',
      async () => (await request(port, `more19.${DOMAIN}`)).status === 200,
      20_000,
      50,
    );
    for (let i = 0; i < 3; i++) await gw.refresh();
    expect(gw.usage(13)).toEqual({ in: 2 * first.in, out: 2 * first.out });
    gw.flushUsage();
    expect(nru.filter((x) => x.id === 13).reduce((t, x) => t + x.bytes, 0)).toBe(2 * (first.in + first.out));
  } finally {
    await gw.stop();
  }
});

test('ratePerSecond 0 turns the per-client limit off: HAProxy takes the config and no request gets 429', async () => {
  const { gw, port } = await startGateway({ ratePerSecond: 0, rateBurst: 2 });
  try {
    gw.addRoute({ name: 'open', contractId: 3, backends: [a.url] });
    await gw.settled();
    const statuses = new Set<number>();
    for (let i = 0; i < 20; i++) statuses.add((await request(port, `open.${DOMAIN}`)).status);
    expect([...statuses]).toEqual([200]);
  } finally {
    await gw.stop();
  }
});

test('route changes under load (other names added and removed, the backend set changed) lose no request', async () => {
  const { gw, port } = await startGateway({ ratePerSecond: 1e6, rateBurst: 1e6 });
  try {
    gw.addRoute({ name: 'busy', contractId: 2, backends: [a.url] });
    await gw.settled();
    const codes = new Map<number, number>();
    let stop = false;
    const client = async (): Promise<void> => {
      for (let i = 0; i < 400 && !stop; i++) {
        const r = await request(port, `busy.${DOMAIN}`);
        codes.set(r.status, (codes.get(r.status) ?? 0) + 1);
      }
    };
    const load = Promise.all(Array.from({ length: 8 }, client));
    const sets = [[a.url, b.url], [b.url], [a.url], [a.url, b.url]];
    for (let i = 0; i < 20; i++) {
      gw.addRoute({ name: `other${i}`, contractId: 100 + i, backends: [b.url] });
      gw.addRoute({ name: 'busy', contractId: 2, backends: sets[i % sets.length]! });
      if (i > 2) gw.removeRoute(`other${i - 3}`);
      await new Promise((r) => setTimeout(r, 25));
    }
    stop = true;
    await load;
    expect([...codes.keys()]).toEqual([200]);
    expect(codes.get(200)).toBeGreaterThan(100);
  } finally {
    await gw.stop();
  }
});

describe('TLS listener: HTTP/2, passthrough, own fqdn certificates', () => {
  let gw: Gateway;
  let httpPort: number;
  let tlsPort: number;
  let ptServer: https.Server;
  let wildcard: { cert: string; key: string };
  const listeners: ((c: IssuedCertificate) => void)[] = [];
  const issued = new Map<string, IssuedCertificate>();
  const released: string[] = [];
  // Certificates as an ACME client would hand them over (made with openssl here; the ACME part has its own tests against pebble).
  const certificates: FqdnCertificates = {
    ensure: async (fqdn) => {
      const { cert, key } = await makeCert(`${fqdn}-1`, [fqdn]);
      const c = { fqdn, certPath: cert, keyPath: key, notAfter: new Date(Date.now() + 86_400_000) };
      issued.set(fqdn, c);
      return c;
    },
    release: async (fqdn) => void released.push(fqdn),
    onIssued: (f) => void listeners.push(f),
  };

  function tlsGet(
    servername: string,
    p = tlsPort,
  ): Promise<{ status: number; body: string; subject: string; alpn: string | false | null }> {
    return new Promise((resolve, reject) => {
      const s = tls.connect({ host: '127.0.0.1', port: p, servername, rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] }, () => {
        s.write(`GET /tls HTTP/1.1\r\nHost: ${servername}\r\nConnection: close\r\n\r\n`);
      });
      let text = '';
      s.on('data', (d: Buffer) => (text += d.toString()));
      s.on('end', () => {
        const status = Number(/^HTTP\/1\.1 (\d+)/.exec(text)?.[1] ?? 0);
        resolve({
          status,
          body: text.split('\r\n\r\n').slice(1).join('\r\n\r\n'),
          subject: s.getPeerX509Certificate()?.subject ?? '',
          alpn: s.alpnProtocol,
        });
      });
      s.on('error', reject);
    });
  }

  beforeAll(async () => {
    wildcard = await makeCert('wildcard', [`*.${DOMAIN}`]);
    const certDir = mkdtempSync(path.join(dir, 'dir-'));
    execFileSync('cp', [wildcard.cert, path.join(certDir, 'fullchain.pem')]);
    execFileSync('cp', [wildcard.key, path.join(certDir, 'privkey.pem')]);
    const pt = await makeCert('passthrough', ['pt.example.test']);
    ptServer = https.createServer({ cert: readFileSync(pt.cert), key: readFileSync(pt.key) }, (req, res) =>
      res.end(`passthrough backend ${req.url}`),
    );
    await new Promise<void>((r) => ptServer.listen(0, '127.0.0.1', r));
    ({ gw, port: httpPort } = await startGateway(
      { maxBodyBytes: H2_LIMIT },
      {
        httpsAddress: '127.0.0.1:0',
        certificates: new DirectoryCertificateSource({ dir: certDir, logger: silent, watchIntervalMs: 0 }),
        fqdnCertificates: certificates,
      },
    ));
    tlsPort = Number(gw.status().https!.split(':').pop());
    gw.addRoute({ name: 'secure', contractId: 3, backends: [a.url] });
    gw.addRoute({
      name: 'fqdn-4',
      contractId: 4,
      fqdn: 'pt.example.test',
      tlsPassthrough: true,
      backends: [`https://127.0.0.1:${(ptServer.address() as AddressInfo).port}`],
    });
    await gw.settled();
  });

  afterAll(async () => {
    await gw?.stop();
    ptServer?.closeAllConnections();
    await new Promise((r) => ptServer?.close(r));
  });

  test('HTTP/2 to clients on the TLS listener (ALPN h2), forwarded as HTTP/1.1 with X-Forwarded-Proto https', async () => {
    const client = http2.connect(`https://127.0.0.1:${tlsPort}`, { servername: `secure.${DOMAIN}`, rejectUnauthorized: false });
    try {
      const r = await new Promise<{ status: number; body: string }>((resolve, reject) => {
        const req = client.request({ ':path': '/h2?x=1', ':authority': `secure.${DOMAIN}` });
        let status = 0;
        let body = '';
        req.on('response', (h) => (status = Number(h[':status'])));
        req.on('data', (d: Buffer) => (body += d.toString()));
        req.on('end', () => resolve({ status, body }));
        req.on('error', reject);
        req.end();
      });
      expect(r.status).toBe(200);
      const j = JSON.parse(r.body) as { url: string; headers: Record<string, string> };
      expect(j.url).toBe('/h2?x=1');
      expect(j.headers['x-forwarded-proto']).toBe('https');
      expect(j.headers['x-forwarded-for']).toBe('127.0.0.1');
      expect((client.socket as tls.TLSSocket).alpnProtocol).toBe('h2');
    } finally {
      client.close();
    }
  });

  /** POSTs `chunks` DATA frames of `size` bytes over HTTP/2 without a Content-Length; the status and body that came back. */
  async function h2Post(p: string, chunks: number, size: number): Promise<{ status: number; body: string }> {
    const client = http2.connect(`https://127.0.0.1:${tlsPort}`, { servername: `secure.${DOMAIN}`, rejectUnauthorized: false });
    try {
      return await new Promise((resolve, reject) => {
        const req = client.request({ ':method': 'POST', ':path': p, ':authority': `secure.${DOMAIN}` });
        let status = 0;
        let body = '';
        req.on('response', (h) => (status = Number(h[':status'])));
        req.on('data', (d: Buffer) => (body += d.toString()));
        req.on('end', () => resolve({ status, body }));
        req.on('close', () => resolve({ status, body }));
        req.on('error', reject);
        void (async () => {
          for (let i = 0; i < chunks && status === 0 && !req.destroyed; i++) {
            if (!req.write(Buffer.alloc(size, 0x68))) await new Promise((r) => req.once('drain', r).once('close', r));
          }
          if (!req.destroyed) req.end();
        })();
      });
    } finally {
      client.close();
    }
  }

  test('HTTP/2 bodies without a Content-Length are counted as they stream: under the limit intact, past it 413', async () => {
    const ok = await h2Post('/h2-small', 48, 4096);
    expect([ok.status, (JSON.parse(ok.body) as { bodyLength: number }).bodyLength]).toEqual([200, 48 * 4096]);
    const before = seen.length;
    const big = await h2Post('/h2-big', 64, 16 * 1024);
    expect([big.status, big.body]).toEqual([413, 'Payload Too Large\n']);
    // The backend never answered a whole body past the limit.
    expect(seen.slice(before).filter((x) => x.path === '/h2-big').length).toBeLessThanOrEqual(1);
  });

  test('TLS passthrough: the SNI of a passthrough route reaches its backend untouched; other names are terminated, the client address kept', async () => {
    const pt = await tlsGet('pt.example.test');
    expect(pt.subject).toBe('CN=pt.example.test');
    expect(pt.status).toBe(200);
    expect(pt.body).toBe('passthrough backend /tls');
    const term = await tlsGet(`secure.${DOMAIN}`);
    expect(term.subject).toBe(`CN=*.${DOMAIN}`);
    expect(JSON.parse(term.body).headers['x-forwarded-for']).toBe('127.0.0.1');
    // a passthrough name on the HTTP listener is no route there
    expect((await request(httpPort, 'pt.example.test')).status).toBe(404);
  });

  test('an own fqdn: served on HTTP at once, on HTTPS once its certificate is loaded, a reissued one loaded again; removed: released', async () => {
    gw.addRoute({ name: 'fqdn-5', contractId: 5, fqdn: 'Shop.Example.Test', backends: [b.url] });
    await gw.settled();
    const plain = await request(httpPort, 'shop.example.test', { path: '/own' });
    expect(plain.status).toBe(200);
    expect(JSON.parse(plain.body)).toMatchObject({ backend: 'b', url: '/own' });
    expect(gw.route('shop.example.test')).toMatchObject({ fqdn: 'shop.example.test', ownFqdn: true, state: 'active' });
    await until(
      'the certificate is served',
      async () => (await tlsGet('shop.example.test').catch(() => undefined))?.subject === 'CN=shop.example.test',
      10_000,
      50,
    );
    const first = await tlsGet('shop.example.test');
    expect(JSON.parse(first.body)).toMatchObject({ backend: 'b' });
    // a renewal (onIssued) with another certificate for the same name
    const renewed = await makeCert('shop-2', ['shop.example.test', 'renewed.example.test']);
    const firstFingerprint = new crypto.X509Certificate(readFileSync(issued.get('shop.example.test')!.certPath)).fingerprint256;
    for (const f of listeners)
      f({ fqdn: 'shop.example.test', certPath: renewed.cert, keyPath: renewed.key, notAfter: new Date(Date.now() + 86_400_000) });
    const renewedFingerprint = new crypto.X509Certificate(readFileSync(renewed.cert)).fingerprint256;
    expect(renewedFingerprint).not.toBe(firstFingerprint);
    await until(
      'the reissued certificate is served',
      async () => {
        const s = tls.connect({ host: '127.0.0.1', port: tlsPort, servername: 'shop.example.test', rejectUnauthorized: false });
        const fp = await new Promise<string | undefined>((resolve) => {
          s.once('secureConnect', () => resolve(s.getPeerX509Certificate()?.fingerprint256));
          s.once('error', () => resolve(undefined));
        });
        s.destroy();
        return fp === renewedFingerprint;
      },
      10_000,
      50,
    );
    gw.removeRoute('shop.example.test');
    await until('released', () => released.includes('shop.example.test'), 5_000, 20);
    expect((await request(httpPort, 'shop.example.test')).status).toBe(404);
  });

  test('HTTP-01 answers on any name, before routes; withdrawn → 404; only base64url tokens', async () => {
    await gw.challenges.publish('tok_en-1', 'tok_en-1.thumb_print');
    for (const host of ['shop.example.test', `nope.${DOMAIN}`, '127.0.0.1']) {
      const r = await request(httpPort, host, { path: '/.well-known/acme-challenge/tok_en-1' });
      expect({ host, status: r.status, body: r.body }).toEqual({ host, status: 200, body: 'tok_en-1.thumb_print' });
    }
    await gw.challenges.withdraw('tok_en-1');
    expect((await request(httpPort, `nope.${DOMAIN}`, { path: '/.well-known/acme-challenge/tok_en-1' })).status).toBe(404);
    await expect(gw.challenges.publish('bad token', 'x.y')).rejects.toMatchObject({ code: 'EACMETOKEN' });
  });
});

test('without HAProxy: start() fails with GATEWAY_ENGINE_MISSING naming haproxy and how to install it; status says unavailable', async () => {
  const gw = new Gateway({ logger: silent, httpAddress: '127.0.0.1:0', domain: DOMAIN, haproxyBinary: path.join(dir, 'no-haproxy') });
  expect(gw.status().unavailable).toMatch(/HAProxy/);
  await expect(gw.start()).rejects.toMatchObject({
    code: 'GATEWAY_ENGINE_MISSING',
    message: expect.stringMatching(/haproxy.*apt-get install haproxy/i),
  });
  expect(gw.status()).toMatchObject({ state: 'idle', unavailable: expect.stringMatching(/apt-get install haproxy/) });
});
