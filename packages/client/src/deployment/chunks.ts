/**
 * Values larger than TFKVStore's 2048-byte limit, stored under one key: `<key>` holds a manifest
 * {v, chunks, size, sha256}, `<key>/<i>` the bytes in chunks. The deployer's notary entries and
 * the node's answers are both stored this way.
 */
import { createHash } from 'node:crypto';
import type { ApiPromise } from '@polkadot/api';
import type { SubmittableExtrinsic } from '@polkadot/api/types';
import { stringToHex, u8aConcat, u8aToHex } from '@polkadot/util';
import { DeploymentError } from './errors';

/** TFKVStore's value limit. */
export const CHUNK_SIZE = 2048;
/** TFKVStore's key limit. */
export const KEY_LIMIT = 512;
export const MANIFEST_VERSION = 1;
/** The most chunks a reader accepts (a manifest is untrusted input): 128 KiB. */
export const MAX_CHUNKS = 64;

export interface NotaryManifest {
  v: number;
  chunks: number;
  size: number;
  /** Hex of the SHA-256 of the whole bytes. */
  sha256: string;
}

type Tx = SubmittableExtrinsic<'promise'>;
type BytesCodec = { length: number; toU8a(bare: true): Uint8Array };
/** The storage map `tfkvStore.tfkvStore` of some block (`api.query…` or `(await api.at(h)).query…`). */
export type KvQuery = ApiPromise['query']['tfkvStore']['tfkvStore'];

/** TFKVStore as of one block (default: the best block now): a manifest and its chunks read there never mix two writes. */
export async function kvAt(api: ApiPromise, blockHash?: string): Promise<KvQuery> {
  const at = await api.at(blockHash ?? (await api.rpc.chain.getBlockHash()).toHex());
  return at.query.tfkvStore.tfkvStore as unknown as KvQuery;
}

export const chunkKey = (key: string, i: number): string => `${key}/${i}`;
export const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');
export const chunkCount = (size: number): number => Math.max(1, Math.ceil(size / CHUNK_SIZE));

/** The `tfkvStore.set` calls that store `bytes` under `key`: the chunks, then the manifest. */
export function chunkedSetCalls(api: ApiPromise, key: string, bytes: Uint8Array): Tx[] {
  if (chunkKey(key, MAX_CHUNKS).length > KEY_LIMIT) throw new RangeError(`key '${key.slice(0, 40)}…' is longer than TFKVStore allows`);
  const chunks = chunkCount(bytes.length);
  if (chunks > MAX_CHUNKS) throw new RangeError(`${bytes.length} bytes need ${chunks} chunks, more than the ${MAX_CHUNKS} readers accept`);
  const calls: Tx[] = [];
  // Values go as hex: @polkadot/types reads a Uint8Array given for Bytes as length-prefixed.
  for (let i = 0; i < chunks; i++)
    calls.push(api.tx.tfkvStore.set(chunkKey(key, i), u8aToHex(bytes.subarray(i * CHUNK_SIZE, (i + 1) * CHUNK_SIZE))));
  const manifest: NotaryManifest = { v: MANIFEST_VERSION, chunks, size: bytes.length, sha256: sha256(bytes) };
  calls.push(api.tx.tfkvStore.set(key, stringToHex(JSON.stringify(manifest))));
  return calls;
}

/** The `tfkvStore.delete` calls that remove `key`'s manifest and chunks `from` .. `to - 1`. */
export function chunkedDeleteCalls(api: ApiPromise, key: string, to: number, from = 0, manifest = true): Tx[] {
  const calls: Tx[] = [];
  for (let i = from; i < to; i++) calls.push(api.tx.tfkvStore.delete(chunkKey(key, i)));
  if (manifest) calls.push(api.tx.tfkvStore.delete(key));
  return calls;
}

/** The manifest under `key` of `account`, or null when there is none. */
export async function readManifest(query: KvQuery, account: string, key: string): Promise<NotaryManifest | null> {
  const raw = (await query(account, key)) as unknown as BytesCodec;
  // TFKVStore answers empty bytes for a missing key (ValueQuery).
  return raw.length === 0 ? null : parseManifest(raw.toU8a(true));
}

/** The bytes under `key` of `account`, or null when no manifest is there; chunk count, size and sha256 checked. */
export async function fetchChunked(query: KvQuery, account: string, key: string): Promise<Uint8Array | null> {
  const m = await readManifest(query, account, key);
  if (!m) return null;
  const values = (await query.multi(Array.from({ length: m.chunks }, (_, i) => [account, chunkKey(key, i)]))) as unknown as BytesCodec[];
  const missing = values.findIndex((v) => v.length === 0);
  if (missing >= 0) throw new DeploymentError('NOTARY_MISSING', `chunk ${chunkKey(key, missing)} is missing`);
  const bytes = u8aConcat(...values.map((v) => v.toU8a(true)));
  if (bytes.length !== m.size)
    throw new DeploymentError('NOTARY_CORRUPTED', `the chunks hold ${bytes.length} bytes, the manifest says ${m.size}`);
  if (sha256(bytes) !== m.sha256) throw new DeploymentError('NOTARY_CORRUPTED', 'the chunks do not match the manifest sha256');
  return bytes;
}

function parseManifest(bytes: Uint8Array): NotaryManifest {
  let m: Partial<NotaryManifest>;
  try {
    m = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new DeploymentError('NOTARY_CORRUPTED', 'the manifest is not JSON');
  }
  const int = (x: unknown, min: number, max: number) => typeof x === 'number' && Number.isSafeInteger(x) && x >= min && x <= max;
  if (
    m?.v !== MANIFEST_VERSION ||
    !int(m.chunks, 1, MAX_CHUNKS) ||
    !int(m.size, 0, MAX_CHUNKS * CHUNK_SIZE) ||
    typeof m.sha256 !== 'string' ||
    !/^[0-9a-f]{64}$/.test(m.sha256)
  ) {
    throw new DeploymentError('NOTARY_CORRUPTED', `unreadable manifest ${JSON.stringify(m).slice(0, 200)}`);
  }
  return m as NotaryManifest;
}
