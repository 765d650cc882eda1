/**
 * Turns an archive file into a plain tar file, whatever its compression, recognised by its first
 * bytes (never by the URL's name): gzip by Node's zlib, zstd by Debian's `zstd` (Node 20's zlib has
 * none). The decompressed bytes count against the unpack budget while they stream, so a
 * decompression bomb stops at the limit instead of filling the disk.
 */
import { spawn } from 'node:child_process';
import { closeSync, createReadStream, createWriteStream, openSync, readSync } from 'node:fs';
import { Transform, type Readable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGunzip } from 'node:zlib';
import { ImageError } from './errors';

export type Compression = 'none' | 'gzip' | 'zstd';

/** How many decompressed bytes an image may still produce (shared by all its layers). */
export interface Budget {
  bytesLeft: number;
  readonly maxBytes: number;
}

const GZIP = [0x1f, 0x8b];
const ZSTD = [0x28, 0xb5, 0x2f, 0xfd];
const XZ = [0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00];
const BZIP2 = [0x42, 0x5a, 0x68];

function head(file: string, n: number): Buffer {
  const fd = openSync(file, 'r');
  try {
    const b = Buffer.alloc(n);
    return b.subarray(0, readSync(fd, b, 0, n, 0));
  } finally {
    closeSync(fd);
  }
}

const starts = (b: Buffer, magic: number[]): boolean => magic.every((x, i) => b[i] === x);

/** True when the file is a POSIX (ustar/pax) or GNU tar: "ustar" at byte 257. */
export function isTar(file: string): boolean {
  return head(file, 262).subarray(257, 262).toString('latin1') === 'ustar';
}

/** The compression of `file`, or an ImageError('malformed') for anything that is neither tar, gzip nor zstd. */
export function compressionOf(file: string, what: string): Compression {
  const b = head(file, 8);
  if (starts(b, GZIP)) return 'gzip';
  if (starts(b, ZSTD)) return 'zstd';
  if (isTar(file)) return 'none';
  if (starts(b, XZ) || starts(b, BZIP2))
    throw new ImageError('malformed', `${what} is xz or bzip2 compressed: give a tar, tar.gz or tar.zst`);
  throw new ImageError('malformed', `${what} is not a tar, tar.gz or tar.zst archive`);
}

/** Writes the plain tar of `file` to `out`, charging the budget; returns the bytes written. */
export async function toPlainTar(file: string, out: string, budget: Budget, what: string): Promise<number> {
  const kind = compressionOf(file, what);
  let written = 0;
  const meter = new Transform({
    transform(chunk: Buffer, _enc, done) {
      written += chunk.length;
      budget.bytesLeft -= chunk.length;
      if (budget.bytesLeft < 0)
        return done(new ImageError('too-large', `the image unpacks to more than this node's limit of ${budget.maxBytes} bytes`));
      done(null, chunk);
    },
  });
  const sink = createWriteStream(out, { mode: 0o600 });
  try {
    if (kind === 'zstd') {
      const z = zstdStream(file, what);
      await Promise.all([pipeline(z.stream, meter, sink), z.done]);
    } else if (kind === 'gzip') await pipeline(createReadStream(file), createGunzip(), meter, sink);
    else await pipeline(createReadStream(file), meter, sink);
  } catch (e) {
    if (e instanceof ImageError) throw e;
    throw new ImageError('malformed', `${what} cannot be decompressed (${kind}): ${(e as Error).message}`);
  }
  if (kind !== 'none' && !isTar(out)) throw new ImageError('malformed', `${what} holds no tar archive inside its ${kind} compression`);
  return written;
}

/** `zstd -dc file` as a stream, and the promise of its clean exit (corrupt input, tool missing: rejected). */
function zstdStream(file: string, what: string): { stream: Readable; done: Promise<void> } {
  const child = spawn('zstd', ['-dcq', '--no-progress', file], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-500)));
  const stream = child.stdout;
  // Stopped early (limit reached): the child must not linger.
  stream.on('close', () => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  const done = new Promise<void>((resolve, reject) => {
    child.on('error', (e) => reject(new ImageError('malformed', `${what} is zstd compressed and zstd cannot run: ${e.message}`)));
    child.on('close', (code, signal) => {
      if (code === 0) resolve();
      else if (signal === 'SIGKILL')
        resolve(); // we stopped it; the pipeline carries the reason
      else reject(new ImageError('malformed', `${what} cannot be decompressed (zstd): ${stderr.trim() || `exit ${code}`}`));
    });
  });
  return { stream, done };
}
