/**
 * Own-domain certificates against a real ACME server: Debian's pebble, its DNS from
 * pebble-challtestsrv answering every name with 127.0.0.1, its HTTP-01 checks sent to a small
 * challenge server here (the ChallengeResponder the gateway's HTTP side implements for real).
 * Pebble issues 30-second certificates, so the renewal loop has one to renew (at a third of the
 * lifetime left).
 */
import { X509Certificate } from 'node:crypto';
import { cpSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import tls from 'node:tls';
import * as acme from 'acme-client';
import { freePort, until } from '@tfgrid/testkit';
import {
  AcmeCertificates,
  AcmeError,
  startLocalAcmeServer,
  type ChallengeResponder,
  type IssuedCertificate,
  type LocalAcmeServer,
} from '../src/gateway/acme';

jest.setTimeout(120_000);

/** Serves GET /.well-known/acme-challenge/<token> for any Host, as the gateway does. */
class ChallengeServer implements ChallengeResponder {
  readonly tokens = new Map<string, string>();
  readonly hosts: string[] = [];
  /** Names whose checks are held unanswered (a gateway that does not answer), as an order that hangs. */
  readonly unanswered = new Set<string>();
  readonly server = http.createServer((req, res) => {
    this.hosts.push(String(req.headers.host));
    if (this.unanswered.has(String(req.headers.host).replace(/:\d+$/, ''))) return;
    const m = /^\/\.well-known\/acme-challenge\/([A-Za-z0-9_-]+)$/.exec(req.url ?? '');
    const answer = m ? this.tokens.get(m[1]!) : undefined;
    res.writeHead(answer ? 200 : 404, { 'content-type': 'text/plain' }).end(answer ?? 'Not Found');
  });

  async publish(token: string, keyAuthorization: string): Promise<void> {
    this.tokens.set(token, keyAuthorization);
  }

  async withdraw(token: string): Promise<void> {
    this.tokens.delete(token);
  }
}

let dir: string;
let challenges: ChallengeServer;
let pebble: LocalAcmeServer;
let certs: AcmeCertificates;
const issued: IssuedCertificate[] = [];
/** Requests the ACME client sent to pebble, counted on its way out (nothing is changed). */
let caRequests = 0;

function options(dataDir: string): ConstructorParameters<typeof AcmeCertificates>[0] {
  return {
    directoryUrl: pebble.directoryUrl,
    caPem: pebble.caPem,
    dataDir,
    responder: challenges,
    email: 'ops@example.test',
    checkIntervalMs: 500,
    pollMs: 200,
    orderTimeoutMs: 60_000,
    retryMinMs: 60_000,
  };
}

function getPem(url: string, ca: string): Promise<string> {
  return new Promise((resolve, reject) => {
    https
      .get(url, { ca }, (res) => {
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => (res.statusCode === 200 ? resolve(body) : reject(new Error(`${url}: HTTP ${res.statusCode}`))));
      })
      .on('error', reject);
  });
}

/** Serves the certificate on loopback and connects trusting only `root`, naming `fqdn`. */
async function servedChain(c: IssuedCertificate, root: string): Promise<{ authorized: boolean; error?: string; subjectaltname?: string }> {
  const server = tls.createServer({ cert: readFileSync(c.certPath), key: readFileSync(c.keyPath) }, (s) => s.end());
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  try {
    const port = (server.address() as AddressInfo).port;
    return await new Promise((resolve, reject) => {
      const s = tls.connect({ host: '127.0.0.1', port, servername: c.fqdn, ca: root }, () => {
        resolve({ authorized: s.authorized, subjectaltname: s.getPeerCertificate().subjectaltname });
        s.end();
      });
      s.on('error', reject);
    });
  } finally {
    server.close();
  }
}

function filesUnder(d: string): string[] {
  return readdirSync(d, { recursive: true, withFileTypes: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name));
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'gw-acme-'));
  challenges = new ChallengeServer();
  const httpPort = await freePort();
  await new Promise<void>((r) => challenges.server.listen(httpPort, '127.0.0.1', r));
  const ports = { acme: await freePort(), management: await freePort(), dns: await freePort(), dnsManagement: await freePort() };
  pebble = await startLocalAcmeServer({
    host: '127.0.0.1',
    dir: path.join(dir, 'pebble'),
    answerIPv4: '127.0.0.1',
    httpPort,
    ports,
    certificateValiditySeconds: 30,
  });
  const origin = new URL(pebble.directoryUrl).origin;
  acme.axios.interceptors.request.use((c) => {
    if (c.url?.startsWith(origin)) caRequests += 1;
    return c;
  });
  certs = new AcmeCertificates(options(path.join(dir, 'node')));
  certs.onIssued((c) => issued.push(c));
});

afterAll(async () => {
  await certs?.stop();
  await pebble?.stop();
  challenges?.server.closeAllConnections();
  await new Promise((r) => challenges?.server.close(r));
  for (const pid of pebble?.pids ?? []) expect(() => process.kill(pid, 0)).toThrow();
  rmSync(dir, { recursive: true, force: true });
});

test('a certificate is issued by HTTP-01, chains to pebble’s root when served, and is stored 0600', async () => {
  const [a, b] = await Promise.all([certs.ensure('shop.example.test'), certs.ensure('shop.example.test')]);
  expect(b).toEqual(a);
  expect(issued.map((c) => c.fqdn)).toEqual(['shop.example.test']); // one order for both calls
  expect(challenges.hosts).toContain(`shop.example.test:${(challenges.server.address() as AddressInfo).port}`);
  expect(challenges.tokens.size).toBe(0); // withdrawn once validated

  const root = await getPem(`${pebble.managementUrl}/roots/0`, pebble.caPem);
  expect(readFileSync(pebble.rootFile, 'utf8')).toBe(root);
  const served = await servedChain(a, root);
  expect(served).toMatchObject({ authorized: true, subjectaltname: 'DNS:shop.example.test' });
  expect(a.notAfter.getTime()).toBe(new Date(new X509Certificate(readFileSync(a.certPath)).validTo).getTime());

  const store = certs.storeDir;
  expect(store).toBe(path.join(dir, 'node', 'gateway', 'acme'));
  for (const f of filesUnder(store)) expect([f, statSync(f).mode & 0o777]).toEqual([f, 0o600]);
  expect(
    filesUnder(store)
      .map((f) => path.relative(store, f))
      .sort(),
  ).toEqual([
    'account.key',
    'certs/shop.example.test/fullchain.pem',
    'certs/shop.example.test/issuer.json',
    'certs/shop.example.test/privkey.pem',
  ]);
  expect(statSync(store).mode & 0o777).toBe(0o700);
});

test('a second ensure() — and a restarted agent on the same store — uses the stored certificate without asking the CA', async () => {
  const first = await certs.ensure('shop.example.test');
  const before = statSync(first.certPath).mtimeMs;
  const sent = caRequests;
  const again = await certs.ensure('shop.example.test');
  const restarted = new AcmeCertificates(options(path.join(dir, 'node')));
  const fromStore = await restarted.ensure('shop.example.test');
  expect(caRequests).toBe(sent);
  expect(again).toEqual(first);
  expect(fromStore).toEqual(first);
  expect(issued).toHaveLength(1);
  expect(statSync(first.certPath).mtimeMs).toBe(before);

  // The same store under another directory URL: that CA's certificate is not used, a new one is ordered.
  const copy = path.join(dir, 'copy');
  cpSync(path.join(dir, 'node'), copy, { recursive: true });
  const otherCa = new AcmeCertificates({ ...options(copy), directoryUrl: `${pebble.directoryUrl}?another-ca` });
  const other = await otherCa.ensure('shop.example.test');
  expect(caRequests).toBeGreaterThan(sent);
  expect(new X509Certificate(readFileSync(other.certPath)).serialNumber).not.toBe(
    new X509Certificate(readFileSync(first.certPath)).serialNumber,
  );
});

test('the renewal loop renews inside the window, keeps the key, and emits onIssued', async () => {
  const old = await certs.ensure('shop.example.test');
  const oldSerial = new X509Certificate(readFileSync(old.certPath)).serialNumber;
  const oldKey = readFileSync(old.keyPath);
  const count = issued.length;
  certs.start();
  const renewed = await until('a renewed certificate', () => issued.slice(count).find((c) => c.fqdn === 'shop.example.test'), 90_000, 200);
  await certs.stop();
  expect(renewed.notAfter.getTime()).toBeGreaterThan(old.notAfter.getTime());
  const x = new X509Certificate(readFileSync(renewed.certPath));
  expect(x.serialNumber).not.toBe(oldSerial);
  expect(readFileSync(renewed.keyPath)).toEqual(oldKey);
  expect(statSync(renewed.certPath).mode & 0o777).toBe(0o600);
  const root = readFileSync(pebble.rootFile, 'utf8');
  expect(await servedChain(renewed, root)).toMatchObject({ authorized: true });
});

test('bad names are refused with EACMEFQDN before anything is ordered; the name bound is EACMENAMES', async () => {
  const bad = [
    '',
    'Shop.example.test',
    '*.example.test',
    'example',
    'shop.example.test.',
    'a..b',
    '-a.example.test',
    'a-.example.test',
    'a_b.example.test',
    '127.0.0.1',
    `${'a'.repeat(64)}.test`,
    `${'abcdefghi.'.repeat(26)}test`,
    'ш.example.test',
    'a b.test',
  ];
  for (const name of bad) await expect(certs.ensure(name)).rejects.toMatchObject({ code: 'EACMEFQDN' });
  await expect(certs.ensure(42 as unknown as string)).rejects.toBeInstanceOf(AcmeError);
  expect(certs.names().map((n) => n.fqdn)).toEqual(['shop.example.test']);

  const bounded = new AcmeCertificates({ ...options(path.join(dir, 'node')), maxNames: 1 });
  await bounded.ensure('shop.example.test'); // from the store
  await expect(bounded.ensure('other.example.test')).rejects.toMatchObject({ code: 'EACMENAMES' });
});

test('a failed challenge is a clear EACMEORDER, writes nothing, and the name backs off instead of asking again', async () => {
  // The domain points elsewhere: 127.0.0.2, where nothing answers HTTP.
  await new Promise<void>((resolve, reject) => {
    const req = http.request(
      `http://${pebble.dnsServer.replace(/:\d+$/, '')}:${pebble.ports.dnsManagement}/add-a`,
      { method: 'POST' },
      (res) => {
        res.resume();
        res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`add-a: HTTP ${res.statusCode}`))));
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify({ host: 'elsewhere.example.test.', addresses: ['127.0.0.2'] }));
  });
  const store = certs.storeDir;
  const filesBefore = filesUnder(store).sort();
  const err = (await certs.ensure('elsewhere.example.test').catch((e: unknown) => e)) as AcmeError;
  expect(err).toBeInstanceOf(AcmeError);
  expect(err.code).toBe('EACMEORDER');
  expect(err.message).toMatch(/could not validate 'elsewhere\.example\.test' by HTTP-01 .*127\.0\.0\.2/);
  expect(challenges.tokens.size).toBe(0);
  expect(filesUnder(store).sort()).toEqual(filesBefore);

  const again = (await certs.ensure('elsewhere.example.test').catch((e: unknown) => e)) as AcmeError;
  expect(again.code).toBe('EACMEBACKOFF');
  expect(again.retryAt!.getTime()).toBeGreaterThan(Date.now() + 30_000);
  expect(certs.names().find((n) => n.fqdn === 'elsewhere.example.test')).toMatchObject({ error: err.message });

  await certs.release('elsewhere.example.test');
  await certs.release('shop.example.test');
  expect(certs.names()).toEqual([]);
  expect(filesUnder(store).map((f) => path.relative(store, f))).toEqual(['account.key']);
});

test('an order that hangs ends at orderTimeoutMs (EACMETIMEOUT), one released meanwhile at once (EACMERELEASED); neither writes anything', async () => {
  challenges.unanswered.add('slow.example.test');
  challenges.unanswered.add('gone.example.test');
  const dataDir = path.join(dir, 'hanging');
  const hanging = new AcmeCertificates({ ...options(dataDir), orderTimeoutMs: 3000 });
  const timedOut = (await hanging.ensure('slow.example.test').catch((e: unknown) => e)) as AcmeError;
  expect(timedOut).toMatchObject({
    code: 'EACMETIMEOUT',
    message: "the certificate order for 'slow.example.test' did not finish within 3000 ms",
  });

  const ordering = hanging.ensure('gone.example.test').catch((e: unknown) => e);
  await until('the CA checking gone.example.test', () => challenges.hosts.some((h) => h.startsWith('gone.example.test:')));
  await hanging.release('gone.example.test');
  expect(await ordering).toMatchObject({ code: 'EACMERELEASED' });
  expect(hanging.names().map((n) => n.fqdn)).toEqual(['slow.example.test']);
  expect(filesUnder(hanging.storeDir).map((f) => path.relative(hanging.storeDir, f))).toEqual(['account.key']);
  // Both exchanges stop by their next poll of the CA, withdrawing their answers; stop() waits for that.
  await hanging.stop();
  expect(challenges.tokens.size).toBe(0);
  expect(filesUnder(hanging.storeDir).map((f) => path.relative(hanging.storeDir, f))).toEqual(['account.key']);
});
