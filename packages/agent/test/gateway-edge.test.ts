/**
 * The edge where HAProxy's parser alone reads the head, and bodies that stream past a buffer:
 * a chunked body over maxBodyBytes is refused 413 and never reaches the backend whole (one under
 * the limit passes intact); the smuggling forms sent as the second request of a kept-alive
 * connection and as the first one over HTTPS are refused or normalised, and a backend that reads
 * every head strictly never sees a second request hidden in one.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import net, { type AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import type { Registry } from 'prom-client';
import { DirectoryCertificateSource, selfSignedCertificate, type Gateway } from '../src/gateway';
import { DOMAIN, raw, request, silent, startBackend, smugglingForms, startGateway, until, type Backend } from './gateway-helpers';

jest.setTimeout(60_000);

const H = `app.${DOMAIN}`;
const statuses = (text: string): number[] => [...text.matchAll(/HTTP\/1\.[01] (\d{3}) /g)].map((m) => Number(m[1]));

describe('request bodies past a buffer', () => {
  const LIMIT = 256 * 1024;
  let backend: Backend;
  let gw: Gateway;
  let port: number;
  let registry: Registry;
  /** What the backend read of each body: bytes, and whether it ended. */
  const bodies: { path: string; bytes: number; ended: boolean; closed: boolean }[] = [];

  beforeAll(async () => {
    backend = await startBackend('count', (req, res) => {
      const b = { path: req.url ?? '', bytes: 0, ended: false, closed: false };
      bodies.push(b);
      req.on('data', (c: Buffer) => (b.bytes += c.length));
      req.on('close', () => (b.closed = true));
      // (This one answers at once, before it has read the body.)
      if (req.url === '/early') res.writeHead(200, { 'content-type': 'text/plain' }).write('early\n');
      req.on('end', () => {
        b.ended = true;
        res.end(JSON.stringify({ bytes: b.bytes }));
      });
    });
    ({ gw, port, registry } = await startGateway({ maxBodyBytes: LIMIT, ratePerSecond: 0 }));
    gw.addRoute({ name: 'app', contractId: 1, backends: [backend.url] });
    await gw.settled();
  });

  afterAll(async () => {
    await gw?.stop();
    await backend?.close();
  });

  /** Sends a chunked body of `chunks` chunks of `size` bytes, pacing on the socket; answers all that came back. */
  function chunked(p: string, chunks: number, size: number, stopOnAnswer = true): Promise<string> {
    return new Promise((resolve, reject) => {
      const s = net.connect(port, '127.0.0.1');
      const got: Buffer[] = [];
      let closed = false;
      const t = setTimeout(() => s.destroy(), 20_000);
      s.on('data', (c: Buffer) => got.push(c));
      s.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNRESET' || e.code === 'EPIPE' ? undefined : reject(e)));
      s.on('close', () => {
        closed = true;
        clearTimeout(t);
        resolve(Buffer.concat(got).toString());
      });
      const chunk = Buffer.concat([Buffer.from(`${size.toString(16)}\r\n`), Buffer.alloc(size, 0x61), Buffer.from('\r\n')]);
      void (async () => {
        s.write(`POST ${p} HTTP/1.1\r\nHost: ${H}\r\nTransfer-Encoding: chunked\r\nConnection: close\r\n\r\n`);
        // As a client that reads while it sends: it stops once an answer came (unless told not to) (the gateway closes
        // after an early answer, and a write that meets that close would drop what was not read yet).
        const answered = (): boolean => closed || (stopOnAnswer && got.length > 0);
        for (let i = 0; i < chunks && !answered(); i++) {
          if (!s.write(chunk)) await new Promise((r) => s.once('drain', r).once('close', r));
          await new Promise((r) => setTimeout(r, 1));
        }
        if (!answered()) s.write('0\r\n\r\n');
      })();
    });
  }

  test('a chunked body of 1 MiB in many chunks over a 256 KiB limit → 413; the backend never gets it whole', async () => {
    const answer = await chunked('/big', 64, 16 * 1024);
    expect(statuses(answer)).toEqual([413]);
    expect(answer).toMatch(/^HTTP\/1\.1 413 Request Entity Too Large\r\n/);
    expect(answer.toLowerCase()).toContain('connection: close');
    expect(answer.endsWith('\r\n\r\nPayload Too Large\n')).toBe(true);
    const seen = bodies.filter((b) => b.path === '/big');
    // (The backend may have been given the head and part of the body, at most the limit, never the end.)
    for (const b of seen) {
      await until('backend request closed', () => b.closed, 10_000, 20);
      expect({ ended: b.ended, within: b.bytes <= LIMIT }).toEqual({ ended: false, within: true });
    }
    await until(
      'body_too_large counted',
      async () => /tfgrid_gateway_rejected_total\{name="app",reason="body_too_large"\} [1-9]/.test(await registry.metrics()),
      10_000,
      50,
    );
  });

  test('a backend that answered before the body came past the limit: the exchange is cut, the body never whole', async () => {
    const answer = await chunked('/early', 64, 16 * 1024, false);
    expect(statuses(answer)).toEqual([200]);
    expect(answer).not.toContain('413');
    const seen = bodies.filter((b) => b.path === '/early');
    expect(seen.length).toBe(1);
    await until('backend request closed', () => seen[0]!.closed, 10_000, 20);
    expect({ ended: seen[0]!.ended, within: seen[0]!.bytes <= LIMIT }).toEqual({ ended: false, within: true });
  });

  test('a chunked body under the limit (200 KiB in 4 KiB chunks) passes intact', async () => {
    const answer = await chunked('/small', 50, 4096);
    expect(statuses(answer)).toEqual([200]);
    expect(JSON.parse(answer.split('\r\n\r\n')[1]!)).toEqual({ bytes: 50 * 4096 });
    expect(bodies.filter((b) => b.path === '/small').map((b) => [b.bytes, b.ended])).toEqual([[50 * 4096, true]]);
  });

  test('a Content-Length over the limit is refused 413 at once, before any body byte', async () => {
    const before = bodies.length;
    const answer = await raw(port, `POST /declared HTTP/1.1\r\nHost: ${H}\r\nContent-Length: ${LIMIT + 1}\r\n\r\n`);
    expect(answer).toMatch(/^HTTP\/1\.1 413 Request Entity Too Large\r\n/);
    expect(bodies.slice(before)).toEqual([]);
    // …and a body of exactly the limit is served.
    const ok = await request(port, H, { method: 'POST', path: '/exact', body: Buffer.alloc(LIMIT, 0x62) });
    expect([ok.status, JSON.parse(ok.body)]).toEqual([200, { bytes: LIMIT }]);
  });

  test('requests without a body and small ones on one kept-alive connection are all served', async () => {
    const text = [0, 1, 2]
      .map((i) => `POST /ka${i} HTTP/1.1\r\nHost: ${H}\r\nContent-Length: 3\r\n\r\nabc` + `GET /ka${i}g HTTP/1.1\r\nHost: ${H}\r\n\r\n`)
      .join('');
    const answer = await raw(port, `${text}GET /last HTTP/1.1\r\nHost: ${H}\r\nConnection: close\r\n\r\n`);
    expect(statuses(answer)).toEqual([200, 200, 200, 200, 200, 200, 200]);
  });
});

// ---- a backend that reads every request head strictly ----

interface Head {
  method: string;
  path: string;
  /** Header lines as received (name, value). */
  headers: [string, string][];
  /** What a strict reader finds wrong in it (empty when none). */
  faults: string[];
}

/**
 * Parses requests off one connection strictly (CRLF only, no folds, one Host, one framing) and
 * answers each 200; on a head it cannot frame it records the fault and closes.
 */
function strictReader(heads: Head[]): (s: net.Socket) => void {
  return (s) => {
    let buf = Buffer.alloc(0);
    s.on('error', () => s.destroy());
    s.on('data', (d: Buffer) => {
      buf = Buffer.concat([buf, d]);
      for (;;) {
        const end = buf.indexOf('\r\n\r\n');
        if (end < 0) return;
        const lines = buf.subarray(0, end).toString('latin1').split('\r\n');
        const [method = '', target = '', version = ''] = lines[0]!.split(' ');
        const head: Head = { method, path: target, headers: [], faults: [] };
        if (!/^[A-Z]+ \S+ HTTP\/1\.1$/.test(lines[0]!)) head.faults.push('request line');
        for (const line of lines.slice(1)) {
          if (line.includes('\n')) head.faults.push('bare LF');
          if (/^[ \t]/.test(line)) head.faults.push('obs-fold');
          const c = line.indexOf(':');
          if (c <= 0 || /[\s]/.test(line.slice(0, c))) head.faults.push('header line');
          head.headers.push([line.slice(0, c).toLowerCase(), line.slice(c + 1).trim()]);
        }
        const all = (n: string): string[] => head.headers.filter(([k]) => k === n).map(([, v]) => v);
        if (all('host').length !== 1) head.faults.push('host count');
        const cl = all('content-length');
        const te = all('transfer-encoding');
        if (cl.length > 1 || cl.some((v) => !/^\d+$/.test(v))) head.faults.push('content-length');
        if (cl.length && te.length) head.faults.push('CL and TE');
        if (te.length && te.join(',').toLowerCase().replace(/\s/g, '') !== 'chunked') head.faults.push('transfer-encoding');
        heads.push(head);
        if (head.faults.length || version !== 'HTTP/1.1') return void s.destroy();
        let rest = buf.subarray(end + 4);
        if (te.length) {
          // Chunked: wait for the whole body (sizes, data, the last chunk and the empty trailer).
          let off = 0;
          for (;;) {
            const e = rest.indexOf('\r\n', off);
            if (e < 0) return;
            const size = parseInt(rest.subarray(off, e).toString('latin1'), 16);
            if (!Number.isFinite(size)) return void (head.faults.push('chunk size'), s.destroy());
            if (size === 0) {
              const t = rest.indexOf('\r\n\r\n', off);
              if (t < 0) return;
              rest = rest.subarray(t + 4);
              break;
            }
            if (rest.length < e + 2 + size + 2) return;
            off = e + 2 + size + 2;
          }
        } else if (cl.length) {
          const n = Number(cl[0]);
          if (rest.length < n) return;
          rest = rest.subarray(n);
        }
        buf = rest;
        s.write('HTTP/1.1 200 OK\r\nContent-Length: 2\r\n\r\nok');
      }
    });
  };
}

const SMUGGLING = smugglingForms(H);

describe('smuggling forms where only HAProxy parses the head', () => {
  let dir: string;
  let gw: Gateway;
  let httpPort: number;
  let tlsPort: number;
  let server: net.Server;
  const heads: Head[] = [];

  beforeAll(async () => {
    dir = mkdtempSync(path.join(os.tmpdir(), 'gw-edge-'));
    await selfSignedCertificate({
      names: [`*.${DOMAIN}`],
      keyFile: path.join(dir, 'privkey.pem'),
      certFile: path.join(dir, 'fullchain.pem'),
      days: 2,
    });
    server = net.createServer(strictReader(heads));
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const certificates = new DirectoryCertificateSource({ dir, logger: silent, watchIntervalMs: 100 });
    ({ gw, port: httpPort } = await startGateway({ ratePerSecond: 0 }, { httpsAddress: '127.0.0.1:0', certificates }));
    tlsPort = Number(gw.status().https!.split(':').pop());
    gw.addRoute({ name: 'app', contractId: 1, backends: [`http://127.0.0.1:${(server.address() as AddressInfo).port}`] });
    await gw.settled();
    await until('certificate loaded', () => gw.status().certificate?.loaded === true, 10_000, 50);
  });

  afterAll(async () => {
    await gw?.stop();
    await new Promise((r) => server?.close(r));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  /** On one connection: a plain GET, its whole answer, then `text`; answers what came after the first answer. */
  function secondOnKeptAlive(text: string): Promise<{ first: string; rest: string }> {
    return new Promise((resolve, reject) => {
      const s = net.connect(httpPort, '127.0.0.1');
      let got = Buffer.alloc(0);
      let first = '';
      const t = setTimeout(() => s.destroy(), 5_000);
      s.on('data', (d: Buffer) => {
        got = Buffer.concat([got, d]);
        if (!first && got.indexOf('\r\n\r\nok') >= 0) {
          const at = got.indexOf('\r\n\r\nok') + 6;
          first = got.subarray(0, at).toString();
          got = got.subarray(at);
          s.write(text);
        }
      });
      s.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNRESET' ? undefined : reject(e)));
      s.on('close', () => {
        clearTimeout(t);
        resolve({ first, rest: got.toString() });
      });
      s.write(`GET /first HTTP/1.1\r\nHost: ${H}\r\n\r\n`);
    });
  }

  /** Over TLS (HTTP/1.1, the route's name as SNI): `text` as the first request; answers all that came back. */
  function overTls(text: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const s = tls.connect({ host: '127.0.0.1', port: tlsPort, servername: H, rejectUnauthorized: false, ALPNProtocols: ['http/1.1'] });
      const got: Buffer[] = [];
      const t = setTimeout(() => s.destroy(), 5_000);
      s.on('secureConnect', () => s.write(text));
      s.on('data', (d: Buffer) => got.push(d));
      s.on('error', (e: NodeJS.ErrnoException) => (e.code === 'ECONNRESET' ? undefined : reject(e)));
      s.on('close', () => {
        clearTimeout(t);
        resolve(Buffer.concat(got).toString());
      });
    });
  }

  /** What held for one form: refused (4xx, nothing forwarded) or one clean request forwarded, never a hidden one. */
  function judge(answer: string, got: Head[]): void {
    const st = statuses(answer);
    expect({ hidden: got.filter((h) => h.path.includes('smuggled')), faults: got.flatMap((h) => h.faults) }).toEqual({
      hidden: [],
      faults: [],
    });
    expect(got.length).toBeLessThanOrEqual(1);
    expect(st.length).toBeLessThanOrEqual(1);
    if (got.length === 0) expect(st.every((s) => s >= 400 && s < 500)).toBe(true);
  }

  test.each(SMUGGLING)('%s, as the second request of a kept-alive connection', async (_name, text) => {
    const before = heads.length;
    const { first, rest } = await secondOnKeptAlive(text);
    expect(statuses(first)).toEqual([200]);
    const got = heads.slice(before);
    expect(got[0]?.path).toBe('/first');
    judge(rest, got.slice(1));
  });

  test.each(SMUGGLING)('%s, over HTTPS', async (_name, text) => {
    const before = heads.length;
    const answer = await overTls(text);
    judge(answer, heads.slice(before));
  });

  test('a clean request over HTTPS and a second one on the same connection are both forwarded', async () => {
    const before = heads.length;
    const answer = await overTls(
      `GET /t1 HTTP/1.1\r\nHost: ${H}\r\n\r\nPOST /t2 HTTP/1.1\r\nHost: ${H}\r\nContent-Length: 2\r\nConnection: close\r\n\r\nhi`,
    );
    expect(statuses(answer)).toEqual([200, 200]);
    expect(heads.slice(before).map((h) => [h.path, h.faults])).toEqual([
      ['/t1', []],
      ['/t2', []],
    ]);
  });
});
