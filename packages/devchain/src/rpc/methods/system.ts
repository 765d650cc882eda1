// system_*: the node's identity and health, answered as a lone `tfchain --dev` authority does
// (no peers, never syncing).

import { base58Encode, blake2AsU8a, decodeAddress } from '@polkadot/util-crypto';
import { isHex } from '../../util/hex';
import { invalidParams } from '../error';
import { stringParam } from '../params';
import type { RpcParams } from '../types';
import type { Handler } from './context';

export const system_name: Handler = ({ node }) => node.name;

export const system_version: Handler = ({ node }) => node.version;

export const system_chain: Handler = ({ chain }) => chain.name;

/** 'Development' | 'Local' | 'Live': sc-chain-spec serialises ChainType as a plain string. */
export const system_chainType: Handler = ({ chain }) => chain.chainType;

export const system_properties: Handler = ({ chain }) => chain.properties;

export const system_health: Handler = () => ({ peers: 0, isSyncing: false, shouldHavePeers: false });

export const system_peers: Handler = () => [];

export const system_nodeRoles: Handler = () => ['Authority'];

export const system_localListenAddresses: Handler = () => [];

export const system_localPeerId: Handler = ({ chain }) => localPeerId(chain.genesisHash);

export const system_syncState: Handler = ({ chain }) => {
  const best = chain.bestNumber();
  return { startingBlock: 0, currentBlock: best, highestBlock: best };
};

/** The account's next nonce, counting its transactions waiting in the pool. */
export const system_accountNextIndex: Handler = ({ chain }, params) => chain.accountNextIndex(accountParam(params, 0, 'account'));

export const account_nextIndex = system_accountNextIndex;

/** An SS58 address (what Substrate accepts) or, leniently, a 0x-prefixed 32-byte account id. */
function accountParam(params: RpcParams, i: number, name: string): string {
  const value = stringParam(params, i, name);
  if (value.startsWith('0x')) {
    if (value.length !== 66 || !isHex(value)) throw invalidParams(`${name} must be an SS58 address or a 32-byte hex account id`);
    return value;
  }
  // base58 decoding is quadratic in the length: refuse what cannot be an address before decoding it.
  if (value.length > MAX_SS58_CHARS) {
    throw invalidParams(`${name} is not a valid SS58 address: at most ${MAX_SS58_CHARS} characters, got ${value.length}`);
  }
  try {
    decodeAddress(value);
  } catch (err) {
    throw invalidParams(`${name} is not a valid SS58 address: ${err instanceof Error ? err.message : String(err)}`);
  }
  return value;
}

/** An SS58 account address (2-byte prefix, 32-byte key, 2-byte checksum) is 50 characters at most. */
const MAX_SS58_CHARS = 64;

/**
 * A libp2p peer id (`12D3KooW…`) that is stable for a chain: the identity multihash of a
 * protobuf ed25519 public key, here a hash of the genesis hash (the node has no network key).
 */
function localPeerId(genesisHash: string): string {
  const key = blake2AsU8a(genesisHash, 256);
  // multihash identity (0x00, length 36) of protobuf PublicKey { Type: Ed25519 (08 01), Data: 32 bytes (12 20 …) }
  const bytes = new Uint8Array([0x00, 0x24, 0x08, 0x01, 0x12, 0x20, ...key]);
  return base58Encode(bytes);
}
