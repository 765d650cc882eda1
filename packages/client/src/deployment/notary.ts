/**
 * The notary: sealed deployments left in the deployer's TFKVStore, where the node pulls them from
 * (it has no inbound port). `dpl/<node>/<hash>` holds a manifest {v, chunks, size, sha256};
 * `dpl/<node>/<hash>/<i>` hold the sealed bytes in chunks of at most 2048 bytes (the value limit).
 */
import { createHash } from 'node:crypto';
import type { ApiPromise } from '@polkadot/api';
import type { SubmittableExtrinsic } from '@polkadot/api/types';
import type { KeyringPair } from '@polkadot/keyring/types';
import { stringToHex, u8aConcat, u8aToHex } from '@polkadot/util';
import { DeploymentError } from './errors';
import { submit, type Submitted } from './submit';

/** TFKVStore's value limit. */
export const CHUNK_SIZE = 2048;
export const MANIFEST_VERSION = 1;

export interface NotaryManifest {
  v: number;
  chunks: number;
  size: number;
  /** Hex of the SHA-256 of the whole sealed bytes. */
  sha256: string;
}

/** The manifest's key, or chunk `i`'s. */
export function notaryKey(nodeId: number, hash: string, chunk?: number): string {
  return chunk === undefined ? `dpl/${nodeId}/${hash}` : `dpl/${nodeId}/${hash}/${chunk}`;
}

const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

/** The `tfkvStore.set` calls that store `sealed`: the chunks, then the manifest. */
export function notaryCalls(api: ApiPromise, sealed: Uint8Array, nodeId: number, hash: string): SubmittableExtrinsic<'promise'>[] {
  const calls: SubmittableExtrinsic<'promise'>[] = [];
  const chunks = Math.max(1, Math.ceil(sealed.length / CHUNK_SIZE));
  // Values go as hex: @polkadot/types reads a Uint8Array given for Bytes as length-prefixed.
  for (let i = 0; i < chunks; i++) calls.push(api.tx.tfkvStore.set(notaryKey(nodeId, hash, i), u8aToHex(sealed.subarray(i * CHUNK_SIZE, (i + 1) * CHUNK_SIZE))));
  const manifest: NotaryManifest = { v: MANIFEST_VERSION, chunks, size: sealed.length, sha256: sha256(sealed) };
  calls.push(api.tx.tfkvStore.set(notaryKey(nodeId, hash), stringToHex(JSON.stringify(manifest))));
  return calls;
}

export interface StoreOptions {
  /** Calls to run in the same atomic batch, e.g. the createNodeContract carrying the hash. */
  with?: SubmittableExtrinsic<'promise'>[];
  waitFor?: 'inBlock' | 'finalized';
}

/**
 * Stores `sealed` for `nodeId` under `hash` in `signer`'s notary in one `utility.batchAll` (all or
 * nothing); the signer must be the account of the deployment's owner twin (the node reads there).
 */
export async function storeDeployment(
  api: ApiPromise,
  signer: KeyringPair,
  sealed: Uint8Array,
  nodeId: number,
  hash: string,
  opts: StoreOptions = {},
): Promise<Submitted & { calls: number }> {
  const calls = [...notaryCalls(api, sealed, nodeId, hash), ...(opts.with ?? [])];
  const r = await submit(api, api.tx.utility.batchAll(calls), signer, opts.waitFor);
  return { ...r, calls: calls.length };
}

type BytesCodec = { length: number; toU8a(bare: true): Uint8Array };

/** Reads the sealed bytes back from `deployer`'s notary, checking chunk count, size and sha256. */
export async function fetchDeployment(api: ApiPromise, deployer: string, nodeId: number, hash: string): Promise<Uint8Array> {
  const raw = (await api.query.tfkvStore.tfkvStore(deployer, notaryKey(nodeId, hash))) as unknown as BytesCodec;
  // TFKVStore answers empty bytes for a missing key (ValueQuery).
  if (raw.length === 0) throw new DeploymentError('NOTARY_MISSING', `no manifest at ${notaryKey(nodeId, hash)} of ${deployer}`);
  const m = parseManifest(raw.toU8a(true));
  const keys = Array.from({ length: m.chunks }, (_, i) => [deployer, notaryKey(nodeId, hash, i)]);
  const values = (await api.query.tfkvStore.tfkvStore.multi(keys)) as unknown as BytesCodec[];
  const missing = values.findIndex((v) => v.length === 0);
  if (missing >= 0) throw new DeploymentError('NOTARY_MISSING', `chunk ${notaryKey(nodeId, hash, missing)} is missing`);
  const sealed = u8aConcat(...values.map((v) => v.toU8a(true)));
  if (sealed.length !== m.size) throw new DeploymentError('NOTARY_CORRUPTED', `the chunks hold ${sealed.length} bytes, the manifest says ${m.size}`);
  if (sha256(sealed) !== m.sha256) throw new DeploymentError('NOTARY_CORRUPTED', 'the chunks do not match the manifest sha256');
  return sealed;
}

function parseManifest(bytes: Uint8Array): NotaryManifest {
  let m: Partial<NotaryManifest>;
  try {
    m = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes));
  } catch {
    throw new DeploymentError('NOTARY_CORRUPTED', 'the manifest is not JSON');
  }
  const int = (x: unknown, min: number) => typeof x === 'number' && Number.isSafeInteger(x) && x >= min;
  if (m?.v !== MANIFEST_VERSION || !int(m.chunks, 1) || !int(m.size, 0) || typeof m.sha256 !== 'string' || !/^[0-9a-f]{64}$/.test(m.sha256)) {
    throw new DeploymentError('NOTARY_CORRUPTED', `unreadable manifest ${JSON.stringify(m)}`);
  }
  return m as NotaryManifest;
}
