/**
 * The node's identity: a 32-byte ed25519 seed made on first boot in the data directory (mode
 * 0600, with a backup copy beside it). The account key and the sealing box key pair derive from
 * it. The seed is never printed or logged: `Identity` keeps it in a private field.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { keyFromSecret, keysReady, nodeBoxKeyPair, writeFileAtomic, type BoxKeyPair, type KeyringPair } from '@tfgrid/client';

export const SEED_FILE = 'identity.seed';
export const SEED_BACKUP = 'identity.seed.bak';

export class IdentityError extends Error {}

export class Identity {
  readonly #seed: Uint8Array;
  readonly pair: KeyringPair;
  readonly box: BoxKeyPair;
  /** True when this boot created the seed. */
  readonly created: boolean;

  private constructor(seed: Uint8Array, created: boolean) {
    this.#seed = seed;
    this.created = created;
    this.pair = keyFromSecret('0x' + Buffer.from(seed).toString('hex'), 'ed25519');
    this.box = nodeBoxKeyPair(seed);
  }

  get address(): string {
    return this.pair.address;
  }

  /** The box public key as published in the twin's `pk` (0x hex of 32 bytes). */
  get boxPublicKeyHex(): string {
    return '0x' + Buffer.from(this.box.publicKey).toString('hex');
  }

  /** The raw seed, for the deployment protocol (`receiveDeployment`); never log it. */
  seed(): Uint8Array {
    return this.#seed;
  }

  toJSON(): { address: string } {
    return { address: this.address };
  }

  /** Loads the seed from `dataDir` or creates it (and its backup); restores from the backup if the main file is gone. */
  static async load(dataDir: string): Promise<Identity> {
    await keysReady();
    mkdirSync(dataDir, { recursive: true, mode: 0o700 });
    const file = path.join(dataDir, SEED_FILE);
    const backup = path.join(dataDir, SEED_BACKUP);
    if (!existsSync(file) && existsSync(backup)) {
      const seed = readSeed(backup);
      writeSecret(file, seed);
      return new Identity(seed, false);
    }
    if (existsSync(file)) {
      const seed = readSeed(file);
      if (!existsSync(backup)) writeSecret(backup, seed);
      else if (!Buffer.from(readSeed(backup)).equals(Buffer.from(seed)))
        throw new IdentityError(`${backup} differs from ${file}: refusing to guess which identity is this node's`);
      return new Identity(seed, false);
    }
    const seed = new Uint8Array(randomBytes(32));
    writeSecret(file, seed);
    writeSecret(backup, seed);
    return new Identity(seed, true);
  }
}

function readSeed(file: string): Uint8Array {
  const mode = statSync(file).mode & 0o777;
  if (mode & 0o077)
    throw new IdentityError(
      `${file} is readable by group or others (mode ${mode.toString(8).padStart(4, '0')}): chmod 600 it before starting`,
    );
  const raw = readFileSync(file);
  if (raw.length !== 32) throw new IdentityError(`${file} is not a 32-byte seed (${raw.length} bytes)`);
  return new Uint8Array(raw);
}

/** Writes atomically (temp file, fsync, rename, directory fsync) with mode 0600 from the first byte. */
function writeSecret(file: string, seed: Uint8Array): void {
  writeFileAtomic(file, seed, { mode: 0o600, exclusive: true });
}
