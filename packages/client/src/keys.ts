/** Signing keys from the secrets people actually hold: a mnemonic, a hex seed or a dev URI. */
import { Keyring } from '@polkadot/keyring';
import type { KeyringPair } from '@polkadot/keyring/types';
import { hexToU8a, isHex, u8aConcat, u8aEq, u8aToU8a } from '@polkadot/util';
import { cryptoWaitReady, keyExtractSuri, mnemonicToMiniSecret } from '@polkadot/util-crypto';
import {
  ed25519KeypairFromSeed,
  ed25519Sign,
  sr25519DeriveKeypairHard,
  sr25519DeriveKeypairSoft,
  sr25519KeypairFromSeed,
  sr25519Sign,
} from '@polkadot/wasm-crypto';

export type KeyType = 'sr25519' | 'ed25519';
export type { KeyringPair };

const DEV_PHRASE = 'bottom drive obey lake curtain smoke basket hold race lonely fit walk';

/**
 * A key pair from a mnemonic (optionally with `//derivation`), a 32-byte hex seed (`0x…`) or a dev
 * URI (`//Alice`). TFChain uses SS58 prefix 42. Call after `await keysReady()`.
 *
 * Signing goes through the wasm sr25519/ed25519 code: @polkadot/util-crypto 14 signs in plain
 * JavaScript (milliseconds per signature), which would cap a pipelined sender's throughput.
 */
export function keyFromSecret(secret: string, type: KeyType = 'sr25519'): KeyringPair {
  if (!secret) throw new Error('empty secret');
  const pair = new Keyring({ type, ss58Format: 42 }).addFromUri(secret.trim());
  const fast = wasmSigner(secret.trim(), type, pair.publicKey);
  if (!fast) return pair;
  // The pair keeps its address, metadata and JSON export; only signing changes.
  return Object.assign(Object.create(pair) as KeyringPair, {
    sign: (message: string | Uint8Array, options?: { withType?: boolean }): Uint8Array => {
      const sig = fast(u8aToU8a(message));
      return options?.withType ? u8aConcat(type === 'sr25519' ? [1] : [0], sig) : sig;
    },
  });
}

/** The wasm signing function for a secret, or undefined where the key cannot be rebuilt there. */
function wasmSigner(secret: string, type: KeyType, publicKey: Uint8Array): ((m: Uint8Array) => Uint8Array) | undefined {
  try {
    const { phrase, path, password } = keyExtractSuri(secret.startsWith('//') ? `${DEV_PHRASE}${secret}` : secret);
    if (password) return undefined;
    const seed = isHex(phrase) ? hexToU8a(phrase) : mnemonicToMiniSecret(phrase);
    if (type === 'ed25519') {
      if (path.length) return undefined; // ed25519 derivation stays with the keyring
      const kp = ed25519KeypairFromSeed(seed);
      const pub = kp.slice(32);
      if (!u8aEq(pub, publicKey)) return undefined;
      const sec = kp.slice(0, 32);
      return (m) => ed25519Sign(pub, sec, m);
    }
    let kp = sr25519KeypairFromSeed(seed);
    for (const j of path) kp = j.isHard ? sr25519DeriveKeypairHard(kp, j.chainCode) : sr25519DeriveKeypairSoft(kp, j.chainCode);
    const sec = kp.slice(0, 64);
    const pub = kp.slice(64);
    // Only when the wasm key is the keyring's key: otherwise signatures would not verify.
    if (!u8aEq(pub, publicKey)) return undefined;
    return (m) => sr25519Sign(pub, sec, m);
  } catch {
    return undefined;
  }
}

/** Loads the crypto backends (wasm when available); idempotent. */
export async function keysReady(): Promise<void> {
  await cryptoWaitReady();
}
