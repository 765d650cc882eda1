/** What the pallets' genesis builders share with the chain spec loader: its error and account names. */
import { Keyring } from '@polkadot/keyring';
import { decodeAddress } from '@polkadot/util-crypto';

/** A chain spec that cannot be read or names something that does not exist; the message says what. */
export class ChainSpecError extends Error {
  readonly code = 'InvalidChainSpec';
  override name = 'ChainSpecError';
}

const keyring = new Keyring({ type: 'sr25519' });

/** An account given as a dev URI (`//Alice`, sr25519 as Substrate's dev keys), SS58 or 0x hex. */
export function resolveAccount(who: string): Uint8Array {
  try {
    if (who.startsWith('//')) return keyring.createFromUri(who).publicKey;
    return decodeAddress(who);
  } catch (e) {
    throw new ChainSpecError(`chain spec: "${who}" is not a dev URI, SS58 address or hex account: ${(e as Error).message}`);
  }
}
