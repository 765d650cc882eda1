/**
 * The notary: sealed deployments left in the deployer's TFKVStore, where the node pulls them from
 * (it has no inbound port). `dpl/<node>/<hash>` holds a manifest {v, chunks, size, sha256};
 * `dpl/<node>/<hash>/<i>` hold the sealed bytes in chunks of at most 2048 bytes (the value limit).
 */
import type { ApiPromise } from '@polkadot/api';
import type { SubmittableExtrinsic } from '@polkadot/api/types';
import { chunkedSetCalls, chunkKey, fetchChunked } from './chunks';
import { DeploymentError } from './errors';

export { CHUNK_SIZE, MANIFEST_VERSION, type NotaryManifest } from './chunks';

/** The manifest's key, or chunk `i`'s. */
export function notaryKey(nodeId: number, hash: string, chunk?: number): string {
  const key = `dpl/${nodeId}/${hash}`;
  return chunk === undefined ? key : chunkKey(key, chunk);
}

/** The `tfkvStore.set` calls that store `sealed`: the chunks, then the manifest. */
export function notaryCalls(api: ApiPromise, sealed: Uint8Array, nodeId: number, hash: string): SubmittableExtrinsic<'promise'>[] {
  return chunkedSetCalls(api, notaryKey(nodeId, hash), sealed);
}

/** Reads the sealed bytes back from `deployer`'s notary, checking chunk count, size and sha256. */
export async function fetchDeployment(api: ApiPromise, deployer: string, nodeId: number, hash: string): Promise<Uint8Array> {
  const sealed = await fetchChunked(api.query.tfkvStore.tfkvStore, deployer, notaryKey(nodeId, hash));
  if (!sealed) throw new DeploymentError('NOTARY_MISSING', `no manifest at ${notaryKey(nodeId, hash)} of ${deployer}`);
  return sealed;
}
