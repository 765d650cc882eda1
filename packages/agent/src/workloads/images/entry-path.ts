/** Archive paths as the image's root sees them: relative, normalised, never climbing out. */
import path from 'node:path/posix';
import { ImageError } from './errors';

export const MAX_PATH_BYTES = 4096;
export const MAX_NAME_BYTES = 255;
export const MAX_DEPTH = 128;

/**
 * The entry's path relative to the root ('' for the root itself), or an ImageError: absolute
 * paths and `..` are refused outright (not silently rewritten, as tar(1) does).
 */
export function entryPath(raw: string, what: string): string {
  if (raw.includes('\0')) throw new ImageError('malformed', `${what} has an entry whose name holds a NUL byte`);
  if (Buffer.byteLength(raw) > MAX_PATH_BYTES)
    throw new ImageError('malformed', `${what} has an entry name longer than ${MAX_PATH_BYTES} bytes`);
  if (raw.startsWith('/'))
    throw new ImageError(
      'escapes-root',
      `${what} has an entry with an absolute path, ${shown(raw)}: entries must be relative to the image's root`,
    );
  const parts = raw.split('/').filter((p) => p !== '' && p !== '.');
  if (parts.includes('..')) throw new ImageError('escapes-root', `${what} has an entry whose path climbs out with '..': ${shown(raw)}`);
  if (parts.length > MAX_DEPTH) throw new ImageError('malformed', `${what} nests ${shown(raw)} deeper than ${MAX_DEPTH} directories`);
  if (parts.some((p) => Buffer.byteLength(p) > MAX_NAME_BYTES))
    throw new ImageError('malformed', `${what} has a name longer than ${MAX_NAME_BYTES} bytes in ${shown(raw)}`);
  return parts.join('/');
}

/**
 * Where a symbolic link at `at` (relative to the root) points, relative to the root, as it
 * resolves inside the root (an absolute target starts at the root); undefined when it climbs out.
 */
export function symlinkTarget(at: string, target: string): string | undefined {
  const start = target.startsWith('/') ? [] : path.dirname(`/${at}`).split('/').filter(Boolean);
  const out = [...start];
  for (const part of target.split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..') {
      if (out.length === 0) return undefined;
      out.pop();
    } else out.push(part);
  }
  return out.join('/');
}

/** Every proper ancestor of a root-relative path: 'a/b/c' → ['a', 'a/b']. */
export function ancestors(p: string): string[] {
  const parts = p.split('/');
  return parts.slice(0, -1).map((_, i) => parts.slice(0, i + 1).join('/'));
}

export function shown(s: string): string {
  return JSON.stringify(s.length > 200 ? `${s.slice(0, 200)}…` : s);
}
