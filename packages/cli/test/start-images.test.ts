/** npm start's dev image server: builds the busybox image once, serves it and its .sha256 on loopback, refuses anything else. */
import { createHash } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { DEV_IMAGE, startDevImages } from '../../../scripts/start-images';

let dir: string;
beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), 'tfgrid-devimages-'))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test('first start builds busybox.tar.gz and its sha256 file; a second start reuses them; only plain names are served', async () => {
  const first = await startDevImages({ dir, port: 0 });
  try {
    expect(first.built).toBe(true);
    expect(first.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/busybox\.tar\.gz$/);
    const body = Buffer.from(await (await fetch(first.url)).arrayBuffer());
    expect(createHash('sha256').update(body).digest('hex')).toBe(first.sha256);
    expect(body.length).toBe(statSync(path.join(dir, DEV_IMAGE)).size);
    expect(await (await fetch(`${first.url}.sha256`)).text()).toBe(`${first.sha256}  ${DEV_IMAGE}\n`);
    const origin = new URL(first.url).origin;
    for (const bad of ['/', '/..%2Fetc%2Fpasswd', '/%E0%A4%A', '/.hidden', '/missing.tar'])
      expect((await fetch(`${origin}${bad}`)).status).toBe(404);
    expect((await fetch(first.url, { method: 'POST' })).status).toBe(405);
  } finally {
    await first.stop();
  }
  const mtime = statSync(path.join(dir, DEV_IMAGE)).mtimeMs;
  const second = await startDevImages({ dir, port: 0 });
  await second.stop();
  expect(second).toMatchObject({ built: false, sha256: first.sha256 });
  expect(statSync(path.join(dir, DEV_IMAGE)).mtimeMs).toBe(mtime);
  expect(readFileSync(path.join(dir, `${DEV_IMAGE}.sha256`), 'utf8')).toMatch(/^[0-9a-f]{64} {2}busybox\.tar\.gz\n$/);
});
