/**
 * Where the signing key comes from, and whether it looks like a key at all. "The more specific
 * wins": `--mnemonic-file` (this command) > `TFGRID_MNEMONIC` (often set for one command:
 * `TFGRID_MNEMONIC=//Alice tfgrid …`) > `TFGRID_MNEMONIC_FILE` (usually exported for a session).
 */
import { readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from './errors';

/** A mnemonic file holds a few hundred bytes; anything far larger is not one. */
export const MAX_KEY_FILE_BYTES = 4096;
/** 24 words with a derivation path fit well below this. */
export const MAX_SECRET_CHARS = 1024;
const MNEMONIC_LENGTHS = [12, 15, 18, 21, 24];

export interface KeySource {
  secret: string;
  /** Where it came from, for messages: `--mnemonic-file me.key`, `TFGRID_MNEMONIC`. Never the secret. */
  source: string;
}

export interface KeyInputs {
  mnemonicFile?: string;
  env: Record<string, string | undefined>;
  cwd: string;
}

/** The secret by precedence, or a UsageError saying how to give one. */
export function resolveKey(k: KeyInputs): KeySource {
  if (k.mnemonicFile) return fromFile(k.mnemonicFile, `--mnemonic-file ${k.mnemonicFile}`, k.cwd);
  const env = k.env.TFGRID_MNEMONIC?.trim();
  if (env) return { secret: checkSecret(env, 'TFGRID_MNEMONIC'), source: 'TFGRID_MNEMONIC' };
  const file = k.env.TFGRID_MNEMONIC_FILE;
  if (file) return fromFile(file, `TFGRID_MNEMONIC_FILE=${file}`, k.cwd);
  throw new UsageError(
    'this command signs: give --mnemonic-file FILE or set TFGRID_MNEMONIC (a mnemonic, or //Alice on the dev chain) or TFGRID_MNEMONIC_FILE',
  );
}

function fromFile(file: string, source: string, cwd: string): KeySource {
  const full = path.resolve(cwd, file);
  let text: string;
  try {
    const size = statSync(full).size;
    if (size > MAX_KEY_FILE_BYTES)
      throw new UsageError(`the mnemonic file ${file} (${source}) is ${size} bytes: a key file holds at most ${MAX_KEY_FILE_BYTES}`);
    text = readFileSync(full, 'utf8').trim();
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`cannot read the mnemonic file ${file} (${source}): ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  if (!text) throw new UsageError(`the mnemonic file ${file} (${source}) is empty`);
  return { secret: checkSecret(text, source), source };
}

/**
 * Accepts a dev URI (`//Alice`), a 0x-prefixed 32-byte seed or a BIP39 mnemonic (English
 * wordlist, valid checksum), each optionally followed by a derivation path. Anything else is
 * refused: @polkadot's keyring would silently turn a short password-like phrase into a seed.
 * The message says what is wrong without echoing the secret.
 */
export function checkSecret(secret: string, source: string): string {
  const s = secret.trim();
  const bad = (why: string): never => {
    throw new UsageError(
      `the key from ${source} is not valid: ${why} (expected 12 or 24 BIP39 words, a 0x-prefixed 32-byte seed, or a dev URI like //Alice)`,
    );
  };
  if (s.length > MAX_SECRET_CHARS) bad(`it is ${s.length} characters long`);
  if (s.startsWith('/')) return s;
  const slash = s.indexOf('/');
  const phrase = (slash === -1 ? s : s.slice(0, slash)).trim();
  if (/^0x/i.test(phrase)) return /^0x[0-9a-f]{64}$/i.test(phrase) ? s : bad('a 0x seed must have 64 hex digits');
  const words = phrase.split(/\s+/);
  if (!MNEMONIC_LENGTHS.includes(words.length)) bad(`it has ${words.length} word(s); a mnemonic has ${MNEMONIC_LENGTHS.join(', ')}`);
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: only a mnemonic needs @polkadot (seconds to load)
  const { mnemonicValidate } = require('@polkadot/util-crypto') as typeof import('@polkadot/util-crypto');
  // eslint-disable-next-line @typescript-eslint/no-require-imports -- lazy: only a mnemonic needs @polkadot (seconds to load)
  const wordlist = (require('@polkadot/util-crypto/mnemonic/wordlists/en') as { default: string[] }).default;
  const known = new Set(wordlist);
  const unknown = words.filter((w) => !known.has(w)).length;
  if (unknown) bad(`${unknown} of its ${words.length} words are not in the BIP39 English wordlist`);
  if (!mnemonicValidate(words.join(' '))) bad('its BIP39 checksum does not match (a word is wrong or out of order)');
  // Single spaces between the words, as the keyring expects them (a file may wrap lines).
  return `${words.join(' ')}${slash === -1 ? '' : s.slice(slash)}`;
}
