/**
 * Streams an image to a file: the byte limit is enforced while the bytes arrive (a lying or absent
 * Content-Length changes nothing), the SHA-256 is computed on the way, one deadline covers the
 * whole transfer including redirects.
 */
import { createHash } from 'node:crypto';
import { createWriteStream } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import { ImageError } from './errors';

const MAX_REDIRECTS = 5;

export interface DownloadLimits {
  maxBytes: number;
  timeoutMs: number;
}

export interface Downloaded {
  sha256: string;
  bytes: number;
}

export async function download(url: URL, file: string, limits: DownloadLimits): Promise<Downloaded> {
  const signal = AbortSignal.timeout(limits.timeoutMs);
  let current = url;
  for (let hop = 0; ; hop++) {
    const res = await request(current, signal, limits.timeoutMs);
    const status = res.statusCode ?? 0;
    if (status >= 300 && status < 400 && res.headers.location) {
      res.resume();
      if (hop >= MAX_REDIRECTS) throw new ImageError('unreachable', `${url.href} redirects more than ${MAX_REDIRECTS} times`);
      const next = new URL(res.headers.location, current);
      if (next.protocol !== 'http:' && next.protocol !== 'https:')
        throw new ImageError('unreachable', `${url.href} redirects to a ${next.protocol} URL`);
      current = next;
      continue;
    }
    if (status !== 200) {
      res.resume();
      throw new ImageError('unreachable', `${current.href} answered HTTP ${status} ${res.statusMessage ?? ''}`.trim());
    }
    const declared = Number(res.headers['content-length']);
    if (Number.isFinite(declared) && declared > limits.maxBytes) {
      res.destroy();
      throw new ImageError('too-large', tooLarge(current, limits.maxBytes, `it declares ${declared} bytes`));
    }
    return save(res, file, current, limits, signal);
  }
}

function request(url: URL, signal: AbortSignal, timeoutMs: number): Promise<http.IncomingMessage> {
  return new Promise((resolve, reject) => {
    const get = url.protocol === 'https:' ? https.get : http.get;
    const req = get(url, { signal, agent: false, headers: { 'user-agent': 'tfgrid-agent', accept: '*/*' } }, resolve);
    req.on('error', (e) => reject(failure(url, e, signal, timeoutMs)));
  });
}

function save(res: http.IncomingMessage, file: string, url: URL, limits: DownloadLimits, signal: AbortSignal): Promise<Downloaded> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    const out = createWriteStream(file, { mode: 0o600 });
    let bytes = 0;
    let failed: Error | undefined;
    const fail = (e: Error): void => {
      if (failed) return;
      failed = e;
      res.destroy();
      out.destroy();
      reject(e);
    };
    res.on('data', (chunk: Buffer) => {
      bytes += chunk.length;
      if (bytes > limits.maxBytes) return fail(new ImageError('too-large', tooLarge(url, limits.maxBytes, 'more arrived')));
      hash.update(chunk);
      if (!out.write(chunk)) res.pause();
    });
    out.on('drain', () => res.resume());
    res.on('error', (e) => fail(failure(url, e, signal, limits.timeoutMs)));
    res.on('aborted', () => fail(failure(url, new Error('the connection was cut'), signal, limits.timeoutMs)));
    res.on('end', () => {
      if (failed) return;
      if (!res.complete) return fail(failure(url, new Error('the connection was cut'), signal, limits.timeoutMs));
      out.end();
    });
    out.on('error', (e) => fail(e));
    out.on('finish', () => {
      if (!failed) resolve({ sha256: hash.digest('hex'), bytes });
    });
  });
}

function failure(url: URL, e: Error, signal: AbortSignal, timeoutMs: number): ImageError {
  if (e instanceof ImageError) return e;
  if (signal.aborted)
    return new ImageError('unreachable', `${url.href} did not deliver the image within ${Math.round(timeoutMs / 1000)} s`);
  return new ImageError('unreachable', `${url.href} cannot be reached: ${e.message}`);
}

function tooLarge(url: URL, max: number, why: string): string {
  return `the image at ${url.href} is larger than this node's limit of ${max} bytes (${why})`;
}
