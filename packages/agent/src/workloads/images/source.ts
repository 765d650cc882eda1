/** Checks what a deployment names as its image: an http(s) URL and the sha256 of the bytes behind it. */
import { ImageError } from './errors';

export interface ImageRef {
  url: string;
  sha256: string;
}

const MAX_URL_LENGTH = 2048;
const FLIST_HOSTS = new Set(['hub.grid.tf', 'hub.threefold.me']);

/** The URL parsed and the sha256 in lower case, or an ImageError naming what is wrong. */
export function checkImageRef(image: unknown): { url: URL; sha256: string } {
  if (typeof image !== 'object' || image === null) throw new ImageError('invalid', 'image must be an object {url, sha256}');
  const { url, sha256 } = image as Partial<ImageRef>;
  if (typeof url !== 'string' || url.length === 0 || url.length > MAX_URL_LENGTH)
    throw new ImageError('invalid', `image.url must be an http(s) URL of at most ${MAX_URL_LENGTH} characters`);
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new ImageError('invalid', `image.url is not a URL: ${url.slice(0, 200)}`);
  }
  if (isFlistUrl(parsed)) throw flistError(url);
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:')
    throw new ImageError('invalid', `image.url must be http or https, not ${parsed.protocol.replace(/:$/, '')}`);
  if (parsed.username || parsed.password)
    throw new ImageError('invalid', 'image.url must not carry credentials (the deployment is stored on chain)');
  if (typeof sha256 !== 'string' || !/^[0-9a-fA-F]{64}$/.test(sha256))
    throw new ImageError('invalid', "image.sha256 must be the 64 hex digits of the image file's SHA-256");
  return { url: parsed, sha256: sha256.toLowerCase() };
}

/** A Zero-OS flist: a `.flist` (or its `.flist.md` page) URL, or anything on the Zero-OS hub. */
export function isFlistUrl(url: string | URL): boolean {
  let u: URL;
  try {
    u = typeof url === 'string' ? new URL(url) : url;
  } catch {
    return /\.flist(\.md)?$/i.test(String(url));
  }
  return /\.flist(\.md)?$/i.test(u.pathname) || FLIST_HOSTS.has(u.hostname.toLowerCase());
}

/** The refusal of an flist, saying what to give instead. */
export function flistError(url: string): ImageError {
  return new ImageError(
    'flist',
    `${url.slice(0, 200)} is a Zero-OS flist, which this node cannot run: give the zmachine an image instead, ` +
      'image: {url, sha256}, the http(s) URL of a root filesystem tarball (tar, tar.gz, tar.zst) or an OCI image layout tarball, and its SHA-256',
  );
}
