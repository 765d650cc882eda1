/** The identity seed: created once with mode 0600 and a backup, reloaded the same, refused when readable by others. */
import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { Identity, IdentityError, SEED_BACKUP, SEED_FILE } from '../src';

let dir: string;
beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'agent-id-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('first boot creates a 32-byte seed (0600) and its backup; the next boot loads the same identity', async () => {
  const a = await Identity.load(dir);
  expect(a.created).toBe(true);
  for (const f of [SEED_FILE, SEED_BACKUP]) {
    expect(statSync(path.join(dir, f)).mode & 0o777).toBe(0o600);
    expect(readFileSync(path.join(dir, f)).length).toBe(32);
  }
  expect(readFileSync(path.join(dir, SEED_FILE))).toEqual(readFileSync(path.join(dir, SEED_BACKUP)));
  const b = await Identity.load(dir);
  expect(b.created).toBe(false);
  expect(b.address).toBe(a.address);
  expect(b.boxPublicKeyHex).toBe(a.boxPublicKeyHex);
  expect(a.pair.type).toBe('ed25519');
  expect(a.boxPublicKeyHex).toMatch(/^0x[0-9a-f]{64}$/);
});

test('the seed never shows in JSON or string forms', async () => {
  const id = await Identity.load(dir);
  const hex = readFileSync(path.join(dir, SEED_FILE)).toString('hex');
  expect(JSON.stringify(id)).not.toContain(hex);
  expect(JSON.stringify({ id })).toBe(JSON.stringify({ id: { address: id.address } }));
});

test('refuses to start when the seed is readable by group or others', async () => {
  await Identity.load(dir);
  chmodSync(path.join(dir, SEED_FILE), 0o644);
  await expect(Identity.load(dir)).rejects.toThrow(IdentityError);
  await expect(Identity.load(dir)).rejects.toThrow(/readable by group or others/);
});

test('a lost seed file is restored from the backup; a differing backup is refused', async () => {
  const a = await Identity.load(dir);
  rmSync(path.join(dir, SEED_FILE));
  const b = await Identity.load(dir);
  expect(b.address).toBe(a.address);
  expect(statSync(path.join(dir, SEED_FILE)).mode & 0o777).toBe(0o600);
  writeFileSync(path.join(dir, SEED_BACKUP), Buffer.alloc(32, 7), { mode: 0o600 });
  await expect(Identity.load(dir)).rejects.toThrow(/differs/);
});

test('a seed of the wrong size is refused', async () => {
  writeFileSync(path.join(dir, SEED_FILE), Buffer.alloc(16), { mode: 0o600 });
  await expect(Identity.load(dir)).rejects.toThrow(/not a 32-byte seed/);
});
