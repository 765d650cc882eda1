/**
 * What tests of zmachines (the agent's and the CLI's) share: the busybox image served over HTTP,
 * an HTTP probe from the host, a command run inside a machine through runc.
 */
import { execFileSync } from 'node:child_process';
import { createReadStream, statSync } from 'node:fs';
import http from 'node:http';
import path from 'node:path';
import type { ImageRef } from '@tfgrid/client';
import { freePort } from './wait';

/** The busybox image (Debian's busybox-static, built by the agent's own builder) served from a loopback HTTP server. */
export async function serveBusyboxImage(dir: string): Promise<{ image: ImageRef; close: () => Promise<void> }> {
  // Loaded here, not at the top: the kit's other users (the chain's, the client's tests) never load the agent.
  const { buildBusyboxImage } = await import('@tfgrid/agent');
  const file = path.join(dir, 'busybox.tar.gz');
  const { sha256 } = await buildBusyboxImage(file);
  const server = http.createServer((req, res) => {
    if (req.url !== '/busybox.tar.gz') {
      res.statusCode = 404;
      res.end();
      return;
    }
    res.setHeader('content-length', statSync(file).size);
    createReadStream(file).pipe(res);
  });
  const port = await freePort();
  await new Promise<void>((r) => server.listen(port, '127.0.0.1', r));
  return {
    image: { url: `http://127.0.0.1:${port}/busybox.tar.gz`, sha256 },
    close: () => new Promise((r) => (server.close(() => r()), server.closeAllConnections())),
  };
}

/** GET http://<host>:<port><path> (with `headers`, e.g. a gateway name's Host); rejects on error or timeout. */
export function httpGet(
  host: string,
  port: number,
  pathname = '/',
  timeoutMs = 2000,
  headers: Record<string, string> = {},
): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host, port, path: pathname, headers, timeout: timeoutMs, agent: false }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (body += c));
      res.on('end', () => resolve(body));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

/** Runs a command inside the machine `id` of the runc state `root`; its output, or the failure's stderr+stdout (tests check both). */
export function inside(root: string, id: string, cmd: string): { ok: boolean; out: string } {
  try {
    return {
      ok: true,
      out: execFileSync('runc', ['--root', root, 'exec', id, '/bin/sh', '-c', cmd], {
        encoding: 'utf8',
        timeout: 30_000,
        stdio: ['ignore', 'pipe', 'pipe'],
      }),
    };
  } catch (e) {
    const x = e as { stdout?: string; stderr?: string };
    return { ok: false, out: `${x.stdout ?? ''}${x.stderr ?? ''}` };
  }
}
