/**
 * A local ACME server for tests and the local grid: Debian's `pebble` (the CA, RFC 8555) and
 * `pebble-challtestsrv` (only its DNS server, answering every A query with `answerIPv4`, so any
 * name "points at" the gateway), both on `host`. Pebble validates HTTP-01 at `<name>:httpPort`.
 * Its API is HTTPS with a throwaway CA made here (`caFile`); the root that signs what it issues
 * is new at every start (`rootFile`, read from its management API). Both processes get
 * SIGKILL as their parent-death signal (setpriv), so a killed parent leaves neither behind.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import path from 'node:path';
import { writeFileAtomic } from '@tfgrid/client';
import type { Logger } from 'pino';
import { AcmeError } from './errors';
import { makeLocalTls } from './local-tls';

export interface LocalAcmeServerOptions {
  /** The address pebble's API, its management API and the DNS server listen on. */
  host: string;
  /** Its config, TLS files, root and logs go here (made 0700). */
  dir: string;
  /** What the DNS server answers for every name: the gateway's public IPv4. */
  answerIPv4: string;
  /** The port pebble connects to for HTTP-01 answers (the gateway's HTTP port). */
  httpPort: number;
  /** Fixed ports; each one left out is a free port on `host`. */
  ports?: Partial<LocalAcmePorts>;
  /** Lifetime of the certificates it issues, seconds (default pebble's: five years). */
  certificateValiditySeconds?: number;
  /** Bound on the start (default 20 s). */
  timeoutMs?: number;
  logger?: Logger;
}

export interface LocalAcmePorts {
  acme: number;
  management: number;
  dns: number;
  dnsManagement: number;
}

export interface LocalAcmeServer {
  /** The ACME directory, https://<host>:<port>/dir. */
  directoryUrl: string;
  /** PEM file: the CA of pebble's own TLS certificate (trust it for the ACME API). */
  caFile: string;
  /** PEM file: pebble's root, which every certificate it issues chains to. */
  rootFile: string;
  caPem: string;
  rootPem: string;
  managementUrl: string;
  /** host:port of the DNS server pebble asks. */
  dnsServer: string;
  ports: LocalAcmePorts;
  pids: number[];
  /** SIGTERM to both (SIGKILL after 3 s); resolves once they are gone. */
  stop(): Promise<void>;
}

const STOP_GRACE_MS = 3000;

export async function startLocalAcmeServer(o: LocalAcmeServerOptions): Promise<LocalAcmeServer> {
  const log = o.logger?.child({ module: 'local-acme' });
  mkdirSync(o.dir, { recursive: true, mode: 0o700 });
  const ports: LocalAcmePorts = {
    acme: o.ports?.acme ?? (await freePortOn(o.host)),
    management: o.ports?.management ?? (await freePortOn(o.host)),
    dns: o.ports?.dns ?? (await freePortOn(o.host)),
    dnsManagement: o.ports?.dnsManagement ?? (await freePortOn(o.host)),
  };
  const hostPort = (p: number): string => (net.isIPv6(o.host) ? `[${o.host}]:${p}` : `${o.host}:${p}`);
  const tls = await makeLocalTls(o.host);
  const file = (name: string): string => path.join(o.dir, name);
  writeFileAtomic(file('tls-cert.pem'), tls.certPem, { mode: 0o644 });
  writeFileAtomic(file('tls-key.pem'), tls.keyPem);
  writeFileAtomic(file('tls-ca.pem'), tls.caPem, { mode: 0o644 });
  const config = {
    pebble: {
      listenAddress: hostPort(ports.acme),
      managementListenAddress: hostPort(ports.management),
      certificate: file('tls-cert.pem'),
      privateKey: file('tls-key.pem'),
      httpPort: o.httpPort,
      // TLS-ALPN-01 is not used; pebble wants a port anyway.
      tlsPort: 443,
      ocspResponderURL: '',
      externalAccountBindingRequired: false,
      ...(o.certificateValiditySeconds ? { certificateValidityPeriod: o.certificateValiditySeconds } : {}),
    },
  };
  writeFileAtomic(file('pebble-config.json'), JSON.stringify(config, null, 1), { mode: 0o644 });

  const children: ChildProcess[] = [];
  const stop = async (): Promise<void> => {
    await Promise.all(children.map(stopChild));
  };
  try {
    const dnsServer = hostPort(ports.dns);
    // Only the DNS server: its HTTP-01/TLS-ALPN-01 responders would listen on every address.
    children.push(
      spawnLogged(
        'pebble-challtestsrv',
        [
          '-defaultIPv4',
          o.answerIPv4,
          '-defaultIPv6',
          '',
          '-dns01',
          dnsServer,
          '-http01',
          '',
          '-https01',
          '',
          '-tlsalpn01',
          '',
          '-management',
          hostPort(ports.dnsManagement),
        ],
        file('dns.log'),
        {},
      ),
    );
    // No artificial validation sleeps; never reject a good nonce (the client retries them, but a grid start should not depend on it).
    children.push(
      spawnLogged('pebble', ['-config', file('pebble-config.json'), '-dnsserver', dnsServer], file('pebble.log'), {
        PEBBLE_VA_NOSLEEP: '1',
        PEBBLE_WFE_NONCEREJECT: '0',
      }),
    );
    const directoryUrl = `https://${hostPort(ports.acme)}/dir`;
    const managementUrl = `https://${hostPort(ports.management)}`;
    const deadline = Date.now() + (o.timeoutMs ?? 20_000);
    await untilAnswers(`http://${hostPort(ports.dnsManagement)}/`, undefined, children, deadline, file('dns.log'));
    await untilAnswers(directoryUrl, tls.caPem, children, deadline, file('pebble.log'));
    const rootPem = await untilAnswers(`${managementUrl}/roots/0`, tls.caPem, children, deadline, file('pebble.log'));
    writeFileAtomic(file('root.pem'), rootPem, { mode: 0o644 });
    log?.info({ directoryUrl, dnsServer, answerIPv4: o.answerIPv4, httpPort: o.httpPort }, 'local ACME server up');
    return {
      directoryUrl,
      caFile: file('tls-ca.pem'),
      rootFile: file('root.pem'),
      caPem: tls.caPem,
      rootPem,
      managementUrl,
      dnsServer,
      ports,
      pids: children.map((c) => c.pid ?? -1),
      stop,
    };
  } catch (e) {
    await stop();
    throw e;
  }
}

function spawnLogged(cmd: string, args: string[], logFile: string, env: Record<string, string>): ChildProcess {
  const fd = openSync(logFile, 'a', 0o600);
  try {
    const child = spawn('setpriv', ['--pdeathsig', 'KILL', '--', cmd, ...args], {
      stdio: ['ignore', fd, fd],
      env: { ...process.env, ...env },
    });
    child.on('error', () => undefined); // seen as an exit by untilAnswers
    return child;
  } finally {
    closeSync(fd);
  }
}

async function stopChild(c: ChildProcess): Promise<void> {
  if (c.exitCode !== null || c.signalCode !== null || c.pid === undefined) return;
  const gone = new Promise<void>((resolve) => c.once('exit', () => resolve()));
  c.kill('SIGTERM');
  const timer = setTimeout(() => c.kill('SIGKILL'), STOP_GRACE_MS);
  await gone;
  clearTimeout(timer);
}

/** GETs url until it answers 200 (its body) or a child exits or the deadline passes (AcmeError EACMELOCAL with the log's tail). */
async function untilAnswers(
  url: string,
  ca: string | undefined,
  children: ChildProcess[],
  deadline: number,
  logFile: string,
): Promise<string> {
  let last: string;
  for (;;) {
    const dead = children.find((c) => c.exitCode !== null || c.signalCode !== null || c.pid === undefined);
    if (dead)
      throw new AcmeError(
        'EACMELOCAL',
        `the local ACME server did not start: ${dead.spawnargs[4] ?? dead.spawnfile} exited (${dead.signalCode ?? dead.exitCode ?? 'not started'}): ${tail(logFile)}`,
      );
    try {
      const r = await get(url, ca);
      if (r.status === 200 || ca === undefined) return r.body;
      last = `HTTP ${r.status}`;
    } catch (e) {
      last = (e as Error).message;
    }
    if (Date.now() > deadline)
      throw new AcmeError('EACMELOCAL', `the local ACME server did not answer ${url} in time (${last}): ${tail(logFile)}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function get(url: string, ca: string | undefined): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const onResponse = (res: http.IncomingMessage): void => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (d: string) => (body = (body + d).slice(0, 1_000_000)));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      res.on('error', reject);
    };
    // agent: false — no pooled connection outlives the start.
    const req = url.startsWith('https:')
      ? https.get(url, { ...(ca ? { ca } : {}), timeout: 2000, agent: false }, onResponse)
      : http.get(url, { timeout: 2000, agent: false }, onResponse);
    req.on('timeout', () => req.destroy(new Error('timed out')));
    req.on('error', reject);
  });
}

/** A port nothing listens on at `host` right now (bound and released). */
export function freePortOn(host: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.once('error', reject);
    s.listen(0, host, () => {
      const port = (s.address() as net.AddressInfo).port;
      s.close(() => resolve(port));
    });
  });
}

function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-3).join(' | ').slice(-600);
  } catch {
    return '(no log)';
  }
}
