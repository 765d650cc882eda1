/**
 * `npm start`'s dev image server: a root filesystem for zmachines without any registry. On the
 * first run it builds `busybox.tar.gz` from Debian's busybox-static (deterministic, so its hash
 * stays the same across runs) with `busybox.tar.gz.sha256` beside it (sha256sum's format), then
 * serves the files of `<data-dir>/images` on 127.0.0.1 — only plain names, GET and HEAD.
 */
import { createReadStream, existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import path from 'node:path';
import { buildBusyboxImage } from '@tfgrid/agent';

export const DEV_IMAGE = 'busybox.tar.gz';

export interface DevImages {
  /** The busybox image's URL and hash, as a zmachine's `image`. */
  url: string;
  sha256: string;
  /** True when this start built it (first run). */
  built: boolean;
  stop(): Promise<void>;
}

export async function startDevImages(o: { dir: string; port: number }): Promise<DevImages> {
  mkdirSync(o.dir, { recursive: true, mode: 0o755 });
  const { sha256, built } = await ensureBusybox(o.dir);
  const server = http.createServer((req, res) => serve(o.dir, req, res));
  await new Promise<void>((resolve, reject) => {
    server.once('error', (e: NodeJS.ErrnoException) =>
      reject(e.code === 'EADDRINUSE' ? new Error(`--images-port ${o.port} is taken on 127.0.0.1: pick another (0 = any free port)`) : e),
    );
    server.listen(o.port, '127.0.0.1', resolve);
  });
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/${DEV_IMAGE}`,
    sha256,
    built,
    stop: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** The image and its .sha256 file, made when missing or when the two disagree. */
async function ensureBusybox(dir: string): Promise<{ sha256: string; built: boolean }> {
  const file = path.join(dir, DEV_IMAGE);
  const shaFile = `${file}.sha256`;
  const recorded = existsSync(shaFile) ? /^([0-9a-f]{64})\s/.exec(readFileSync(shaFile, 'utf8'))?.[1] : undefined;
  if (recorded && existsSync(file) && statSync(file).size > 0) return { sha256: recorded, built: false };
  const { sha256 } = await buildBusyboxImage(file);
  writeFileSync(shaFile, `${sha256}  ${DEV_IMAGE}\n`);
  return { sha256, built: true };
}

function serve(dir: string, req: http.IncomingMessage, res: http.ServerResponse): void {
  if (req.method !== 'GET' && req.method !== 'HEAD') return void res.writeHead(405, { allow: 'GET, HEAD' }).end();
  let name = '';
  try {
    name = decodeURIComponent((req.url ?? '/').split('?')[0]!.slice(1));
  } catch {
    // a malformed escape: answered 404 below
  }
  // Plain file names only: no directories, no dot files, nothing outside the image directory.
  const file = /^[A-Za-z0-9_-][A-Za-z0-9._-]{0,200}$/.test(name) ? path.join(dir, name) : undefined;
  const st = file && existsSync(file) ? statSync(file) : undefined;
  if (!file || !st?.isFile()) return void res.writeHead(404, { 'content-type': 'text/plain' }).end('not found\n');
  res.writeHead(200, {
    'content-type': name.endsWith('.sha256') ? 'text/plain' : 'application/octet-stream',
    'content-length': String(st.size),
  });
  if (req.method === 'HEAD') return void res.end();
  createReadStream(file).pipe(res);
}
