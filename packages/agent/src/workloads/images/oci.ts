/**
 * An OCI image layout (oci-layout + index.json + blobs/sha256/…), already unpacked into a
 * directory: index → manifest (this machine's platform, else the first; one nested index
 * followed) → its layers, each blob checked against its digest before use.
 */
import { createHash } from 'node:crypto';
import { createReadStream, lstatSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { ImageError } from './errors';

const MAX_JSON_BYTES = 4 * 1024 ** 2;
export const MAX_LAYERS = 128;
const INDEX_TYPES = new Set(['application/vnd.oci.image.index.v1+json', 'application/vnd.docker.distribution.manifest.list.v2+json']);
const ARCH: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x', riscv64: 'riscv64' };

interface Descriptor {
  mediaType?: string;
  digest?: string;
  size?: number;
  platform?: { os?: string; architecture?: string };
}

/** True when the top-level names of an archive are those of an OCI image layout. */
export function isOciLayout(names: Set<string>): boolean {
  return names.has('oci-layout') && names.has('index.json');
}

/** Paths of the layer blobs, lowest first. */
export async function ociLayers(layout: string): Promise<string[]> {
  const version = json(layout, 'oci-layout', 'oci-layout') as { imageLayoutVersion?: unknown };
  if (typeof version.imageLayoutVersion !== 'string')
    throw new ImageError('malformed', "the OCI image layout's oci-layout has no imageLayoutVersion");
  let index = json(layout, 'index.json', 'index.json') as { manifests?: Descriptor[] };
  for (let depth = 0; ; depth++) {
    const chosen = pick(index.manifests);
    const file = await blob(layout, chosen, 'the manifest');
    const doc = parse(readFileSync(file), 'the manifest') as { mediaType?: string; manifests?: Descriptor[]; layers?: Descriptor[] };
    if (INDEX_TYPES.has(chosen.mediaType ?? '') || Array.isArray(doc.manifests)) {
      if (depth >= 1) throw new ImageError('malformed', 'the OCI image layout nests image indexes more than one level deep');
      index = doc;
      continue;
    }
    const layers = doc.layers;
    if (!Array.isArray(layers) || layers.length === 0) throw new ImageError('malformed', 'the OCI image manifest lists no layers');
    if (layers.length > MAX_LAYERS)
      throw new ImageError('too-large', `the OCI image has ${layers.length} layers, more than this node's limit of ${MAX_LAYERS}`);
    const out: string[] = [];
    for (const [i, l] of layers.entries()) {
      if (typeof l.mediaType === 'string' && !/tar/.test(l.mediaType))
        throw new ImageError('malformed', `layer ${i + 1} of the OCI image has media type ${l.mediaType}, not a tar layer`);
      out.push(await blob(layout, l, `layer ${i + 1}`));
    }
    return out;
  }
}

function pick(manifests: Descriptor[] | undefined): Descriptor {
  if (!Array.isArray(manifests) || manifests.length === 0) throw new ImageError('malformed', 'the OCI image index lists no manifests');
  const arch = ARCH[process.arch] ?? process.arch;
  return manifests.find((m) => m.platform?.os === 'linux' && m.platform.architecture === arch) ?? manifests[0]!;
}

/** The blob's file, after checking it is a regular file with the digest (and size) the descriptor gives. */
async function blob(layout: string, d: Descriptor, what: string): Promise<string> {
  const m = /^sha256:([0-9a-f]{64})$/.exec(d.digest ?? '');
  if (!m)
    throw new ImageError('malformed', `${what} of the OCI image has digest ${JSON.stringify(d.digest)}: only sha256 digests are supported`);
  const file = path.join(layout, 'blobs', 'sha256', m[1]!);
  const st = lstatSync(file, { throwIfNoEntry: false });
  if (!st?.isFile()) throw new ImageError('malformed', `${what} of the OCI image (${d.digest}) is missing from its blobs`);
  if (typeof d.size === 'number' && st.size !== d.size)
    throw new ImageError('malformed', `${what} of the OCI image (${d.digest}) has ${st.size} bytes, its descriptor says ${d.size}`);
  const hash = createHash('sha256');
  for await (const chunk of createReadStream(file)) hash.update(chunk as Buffer);
  if (hash.digest('hex') !== m[1]) throw new ImageError('hash-mismatch', `${what} of the OCI image does not match its digest ${d.digest}`);
  return file;
}

function json(layout: string, name: string, what: string): unknown {
  const file = path.join(layout, name);
  const st = lstatSync(file, { throwIfNoEntry: false });
  if (!st?.isFile()) throw new ImageError('malformed', `the OCI image layout has no ${what} file`);
  if (st.size > MAX_JSON_BYTES) throw new ImageError('too-large', `the OCI image layout's ${what} is larger than ${MAX_JSON_BYTES} bytes`);
  return parse(readFileSync(file), what);
}

function parse(bytes: Buffer, what: string): unknown {
  if (bytes.length > MAX_JSON_BYTES) throw new ImageError('too-large', `${what} of the OCI image is larger than ${MAX_JSON_BYTES} bytes`);
  try {
    const v = JSON.parse(bytes.toString('utf8')) as unknown;
    if (typeof v !== 'object' || v === null) throw new Error('not an object');
    return v;
  } catch (e) {
    throw new ImageError('malformed', `${what} of the OCI image is not valid JSON: ${(e as Error).message}`);
  }
}
