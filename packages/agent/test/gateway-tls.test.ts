/**
 * HTTPS from a certificate directory: a self-signed wildcard for the domain made with the
 * openssl CLI, served through SNI, X-Forwarded-Proto https, and a renewed certificate picked up
 * without a restart.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import https from 'node:https';
import os from 'node:os';
import path from 'node:path';
import type { TLSSocket } from 'node:tls';
import { X509Certificate } from 'node:crypto';
import { Registry } from 'prom-client';
import { DirectoryCertificateSource, gatewayFromConfig, selfSignedCertificate, type Gateway } from '../src/gateway';
import type { AddressInfo } from 'node:net';
import { DOMAIN, request, silent, startBackend, startGateway, until, type Backend } from './gateway-helpers';

jest.setTimeout(30_000);

let dir: string;
let backend: Backend;
let gw: Gateway;
let port: number;

/** The wildcard directory's certificate for `cn`, self-signed. */
function makeCert(cn: string): Promise<void> {
  return selfSignedCertificate({ names: [cn], keyFile: path.join(dir, 'privkey.pem'), certFile: path.join(dir, 'fullchain.pem'), days: 2 });
}

function get(host: string): Promise<{ status: number; body: string; cert: X509Certificate }> {
  const ca = readFileSync(path.join(dir, 'fullchain.pem'));
  return new Promise((resolve, reject) => {
    const req = https.request(
      { host: '127.0.0.1', port, servername: host, headers: { host }, ca, agent: false, rejectUnauthorized: false },
      (res) => {
        const peer = (res.socket as TLSSocket).getPeerX509Certificate()!;
        let body = '';
        res.on('data', (c: Buffer) => (body += c.toString()));
        res.on('end', () => resolve({ status: res.statusCode!, body, cert: peer }));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

beforeAll(async () => {
  dir = mkdtempSync(path.join(os.tmpdir(), 'gw-certs-'));
  await makeCert(`*.${DOMAIN}`);
  backend = await startBackend('tls');
  const certificates = new DirectoryCertificateSource({ dir, logger: silent, watchIntervalMs: 100 });
  ({ gw } = await startGateway({}, { httpsAddress: '127.0.0.1:0', certificates }));
  port = Number(gw.status().https!.split(':').pop());
  gw.addRoute({ name: 'secure', contractId: 5, backends: [backend.url] });
});

afterAll(async () => {
  await gw?.stop();
  await backend?.close();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

test('serves names over HTTPS with the wildcard certificate (verified against it as CA)', async () => {
  const ca = readFileSync(path.join(dir, 'fullchain.pem'));
  const verified = await new Promise<number>((resolve, reject) => {
    const req = https.request(
      { host: '127.0.0.1', port, servername: `secure.${DOMAIN}`, headers: { host: `secure.${DOMAIN}` }, ca, agent: false },
      (res) => {
        res.resume();
        resolve(res.statusCode!);
      },
    );
    req.on('error', reject);
    req.end();
  });
  expect(verified).toBe(200);
  const r = await get(`secure.${DOMAIN}`);
  expect(JSON.parse(r.body).headers['x-forwarded-proto']).toBe('https');
  expect(r.cert.subject).toBe(`CN=*.${DOMAIN}`);
  expect((await get(`nope.${DOMAIN}`)).status).toBe(404);
  expect(gw.status().certificate).toMatchObject({ loaded: true, subject: `CN=*.${DOMAIN}` });
});

test('a renewed certificate in the directory is picked up without a restart', async () => {
  await makeCert(`renewed.${DOMAIN}`);
  await until(
    'gw.status().certificate?.subject === `CN=renewed.${DOMAIN}`',
    () => gw.status().certificate?.subject === `CN=renewed.${DOMAIN}`,
    10_000,
    20,
  );
  const r = await get(`secure.${DOMAIN}`);
  expect(r.status).toBe(200);
  expect(r.cert.subject).toBe(`CN=renewed.${DOMAIN}`);
});

test('gatewayFromConfig: HTTP and HTTPS listeners and the certificate directory from the agent config', async () => {
  const added: number[] = [];
  const g = gatewayFromConfig(
    { gatewayHttpAddress: '127.0.0.1:0', gatewayHttpsAddress: '127.0.0.1:0', gatewayCertDir: dir },
    { logger: silent, registry: new Registry(), nru: { add: (id) => added.push(id) }, domain: DOMAIN },
  );
  await g.start();
  try {
    expect(g.status()).toMatchObject({ state: 'running', domain: DOMAIN, certificate: { loaded: true } });
    expect(g.status().http).toMatch(/^127\.0\.0\.1:\d+$/);
    expect(g.status().https).toMatch(/^127\.0\.0\.1:\d+$/);
  } finally {
    await g.stop();
  }
  const plain = gatewayFromConfig(
    { gatewayHttpAddress: '127.0.0.1:0', gatewayHttpsAddress: '127.0.0.1:0' },
    { logger: silent, registry: new Registry(), nru: { add: () => undefined }, domain: DOMAIN },
  );
  await plain.start();
  expect(plain.status().https).toBeUndefined();
  await plain.stop();
});

test('https backends: proxied over TLS through the pool; an untrusted backend certificate is a 502 unless verification is off', async () => {
  const server = https.createServer(
    { key: readFileSync(path.join(dir, 'privkey.pem')), cert: readFileSync(path.join(dir, 'fullchain.pem')) },
    (req, res) => {
      res.writeHead(200, { 'content-type': 'text/plain' });
      res.end(`tls backend ${req.url}`); // chunked: no length given
    },
  );
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const lax = await startGateway({}, { verifyBackendTls: false });
  const strict = await startGateway();
  try {
    lax.gw.addRoute({ name: 'tlsback', contractId: 6, backends: [url] });
    strict.gw.addRoute({ name: 'tlsback', contractId: 6, backends: [url] });
    for (let i = 0; i < 2; i++) {
      const r = await request(lax.port, `tlsback.${DOMAIN}`, { path: `/n${i}` });
      expect(r.status).toBe(200);
      expect(r.body).toBe(`tls backend /n${i}`);
    }
    expect((await request(strict.port, `tlsback.${DOMAIN}`)).status).toBe(502);
  } finally {
    await lax.gw.stop();
    await strict.gw.stop();
    server.closeAllConnections();
    await new Promise((r) => server.close(r));
  }
});
