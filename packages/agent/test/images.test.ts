/** ImageStore against a loopback HTTP server, with images built from Debian's busybox-static: cache, refusals with codes, OCI layouts. */
import { execFileSync } from 'node:child_process';
import { existsSync, lstatSync, mkdirSync, readFileSync, readdirSync, readlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gunzipSync } from 'node:zlib';
import { ImageError, ImageStore, buildBusyboxImage, type ImageErrorCode } from '../src/workloads/images';
import { gz, imageServer, ociLayout, sha256, tarBytes, type Route } from './fixtures/images/archives';
import { freePort, logger, tempRoot } from './fixtures/workloads/helpers';

let t: ReturnType<typeof tempRoot>;
let busybox: Buffer;
let server: Awaited<ReturnType<typeof imageServer>>;
const routes: Record<string, Route> = {};

beforeAll(async () => {
  const root = tempRoot('images-build');
  const out = path.join(root.root, 'busybox.tar.gz');
  const built = await buildBusyboxImage(out);
  busybox = readFileSync(out);
  expect(built).toEqual({ sha256: sha256(busybox), bytes: busybox.length });
  // Deterministic: the same binary gives the same bytes.
  expect((await buildBusyboxImage(`${out}.again`)).sha256).toBe(built.sha256);
  root.cleanup();
  server = await imageServer(routes);
});
afterAll(() => server.close());
beforeEach(() => (t = tempRoot('images')));
afterEach(() => t.cleanup());

function store(o: Partial<ConstructorParameters<typeof ImageStore>[0]> = {}): ImageStore {
  return new ImageStore({ dir: path.join(t.root, 'images'), logger: logger(), ...o });
}

function serve(name: string, body: Buffer, chunked = false): { url: string; sha256: string } {
  routes[name] = { body, chunked };
  return { url: server.url(name), sha256: sha256(body) };
}

async function refusal(p: Promise<unknown>): Promise<{ code: ImageErrorCode; message: string }> {
  const e = await p.then(
    () => undefined,
    (x: unknown) => x,
  );
  expect(e).toBeInstanceOf(ImageError);
  return { code: (e as ImageError).code, message: (e as ImageError).message };
}

/** Runs a command inside the rootfs (chroot as root): proof that it is a working busybox system. */
function inRoot(rootfs: string, script: string): string {
  return execFileSync('chroot', [rootfs, '/bin/sh', '-c', script], { encoding: 'utf8' });
}

function cacheLeftovers(): string[] {
  const dir = path.join(t.root, 'images');
  const tmp = path.join(dir, '.tmp');
  return [...(existsSync(dir) ? readdirSync(dir).filter((n) => n !== '.tmp') : []), ...(existsSync(tmp) ? readdirSync(tmp) : [])];
}

test('a busybox tar.gz is downloaded once, unpacked by its hash, and runs; concurrent ensures share one download', async () => {
  const img = serve('/busybox.tar.gz', busybox);
  const s = store();
  const [a, b, c] = await Promise.all([s.ensure(img), s.ensure(img), s.ensure({ ...img, sha256: img.sha256.toUpperCase() })]);
  expect(server.hits.get('/busybox.tar.gz')).toBe(1);
  expect(a).toBe(path.join(t.root, 'images', img.sha256, 'rootfs'));
  expect(b).toBe(a);
  expect(c).toBe(a);
  expect(lstatSync(path.join(a, 'bin/busybox')).mode & 0o777).toBe(0o755);
  expect(readlinkSync(path.join(a, 'bin/sh'))).toBe('/bin/busybox');
  expect(lstatSync(path.join(a, 'tmp')).mode & 0o7777).toBe(0o1777);
  expect(readFileSync(path.join(a, 'etc/passwd'), 'utf8')).toMatch(/^root:x:0:0:/);
  expect(inRoot(a, 'echo hi from $(basename $(readlink /bin/ls)); ls /etc')).toBe('hi from busybox\ngroup\nhosts\npasswd\n');
  expect(JSON.parse(readFileSync(path.join(t.root, 'images', img.sha256, 'image.json'), 'utf8'))).toMatchObject({
    sha256: img.sha256,
    format: 'rootfs tar',
    bytes: busybox.length,
  });
  // Cached: no second download, also from a new store on the same directory (an agent restart).
  expect(await store().ensure(img)).toBe(a);
  expect(server.hits.get('/busybox.tar.gz')).toBe(1);
  expect(readdirSync(path.join(t.root, 'images', '.tmp'))).toEqual([]);
});

test('tar.zst and plain tar are recognised by their bytes, not by the URL', async () => {
  const plain = gunzipSync(busybox);
  const zst = execFileSync('zstd', ['-q', '-c', '-3'], { input: plain, maxBuffer: 64 * 1024 ** 2 });
  const s = store();
  const z = await s.ensure(serve('/image-without-suffix', zst));
  expect(inRoot(z, 'echo zstd ok')).toBe('zstd ok\n');
  const p = await s.ensure(serve('/plain.tar.gz', plain, true)); // a misleading name, no Content-Length
  expect(inRoot(p, 'echo tar ok')).toBe('tar ok\n');
  expect(JSON.parse(readFileSync(path.join(path.dirname(p), 'image.json'), 'utf8')).format).toBe('rootfs tar');
});

test('a wrong hash, an unreachable URL, a 404, an oversize and a stalled download are refused with codes; nothing is cached', async () => {
  const img = serve('/bb.tar.gz', busybox);
  const s = store({ maxBytes: 4 * 1024 ** 2, timeoutMs: 1500 });
  const wrong = 'ab'.repeat(32);
  expect(await refusal(s.ensure({ url: img.url, sha256: wrong }))).toEqual({
    code: 'hash-mismatch',
    message: `the image at ${img.url} has sha256 ${img.sha256}, not ${wrong} as the deployment says`,
  });
  const closed = await freePort(); // nothing listens there
  expect(await refusal(s.ensure({ url: `http://127.0.0.1:${closed}/x.tar`, sha256: wrong }))).toMatchObject({
    code: 'unreachable',
    message: expect.stringMatching(/cannot be reached: connect ECONNREFUSED/),
  });
  expect(await refusal(s.ensure({ url: server.url('/missing.tar'), sha256: wrong }))).toMatchObject({
    code: 'unreachable',
    message: expect.stringMatching(/answered HTTP 404/),
  });

  const small = store({ maxBytes: 100_000 });
  const declared = await refusal(small.ensure(img));
  expect(declared).toMatchObject({
    code: 'too-large',
    message: expect.stringMatching(/larger than this node's limit of 100000 bytes \(it declares \d+ bytes\)/),
  });
  const streamed = await refusal(small.ensure(serve('/chunked.tar.gz', busybox, true)));
  expect(streamed).toMatchObject({ code: 'too-large', message: expect.stringMatching(/\(more arrived\)/) });

  routes['/slow.tar'] = { stall: Buffer.alloc(1000) };
  expect(await refusal(s.ensure({ url: server.url('/slow.tar'), sha256: wrong }))).toMatchObject({
    code: 'unreachable',
    message: expect.stringMatching(/did not deliver the image within 2 s$/),
  });
  expect(cacheLeftovers()).toEqual([]);
});

test('archives escaping their root are refused before anything is written', async () => {
  const cases: [string, Buffer, ImageErrorCode, RegExp][] = [
    [
      '/dotdot.tar',
      tarBytes([
        { name: 'ok.txt', body: 'x' },
        { name: '../x', body: 'escaped' },
      ]),
      'escapes-root',
      /climbs out with '\.\.': "\.\.\/x"/,
    ],
    [
      '/deep-dotdot.tar',
      tarBytes([
        { name: 'a/', type: 'dir' },
        { name: 'a/../../x', body: 'escaped' },
      ]),
      'escapes-root',
      /climbs out/,
    ],
    ['/absolute.tar', tarBytes([{ name: '/abs.txt', body: 'x' }]), 'escapes-root', /absolute path, "\/abs\.txt"/],
    [
      '/through-link.tar',
      tarBytes([
        { name: 'etc', type: 'symlink', link: path.join(t.root, 'host-etc') },
        { name: 'etc/evil', body: 'owned' },
      ]),
      'escapes-root',
      /writes "etc\/evil" through the symbolic link "etc"/,
    ],
    [
      '/up-link.tar',
      tarBytes([{ name: 'up', type: 'symlink', link: '../../../../etc' }]),
      'escapes-root',
      /symbolic link "up" → "\.\.\/\.\.\/\.\.\/\.\.\/etc" that points outside/,
    ],
    [
      '/abs-hardlink.tar',
      tarBytes([{ name: 'shadow', type: 'link', link: '/etc/shadow' }]),
      'escapes-root',
      /hard link "shadow" to the absolute path "\/etc\/shadow"/,
    ],
    ['/device.tar', tarBytes([{ name: 'null', type: 'char' }]), 'malformed', /device node or FIFO, "null"/],
    [
      '/garbage.bin',
      Buffer.from('this is not an archive at all, just words'.repeat(20)),
      'malformed',
      /not a tar, tar\.gz or tar\.zst archive/,
    ],
    ['/xz.tar.xz', Buffer.from([0xfd, 0x37, 0x7a, 0x58, 0x5a, 0x00, 1, 2, 3, 4]), 'malformed', /xz or bzip2/],
    ['/broken.tar.gz', busybox.subarray(0, busybox.length >> 1), 'malformed', /cannot be decompressed \(gzip\)/],
  ];
  mkdirSync(path.join(t.root, 'host-etc'));
  const s = store();
  for (const [name, body, code, message] of cases) {
    const r = await refusal(s.ensure(serve(name, body)));
    expect({ name, ...r }).toEqual({ name, code, message: expect.stringMatching(message) });
  }
  // An absolute symlink inside the root is kept: it resolves inside the container.
  const fine = await s.ensure(
    serve(
      '/abs-link-ok.tar',
      tarBytes([
        { name: 'bin/', type: 'dir' },
        { name: 'bin/x', body: 'x' },
        { name: 'y', type: 'symlink', link: '/bin/x' },
      ]),
    ),
  );
  expect(readlinkSync(path.join(fine, 'y'))).toBe('/bin/x');
  expect(readdirSync(path.join(t.root, 'host-etc'))).toEqual([]);
  expect(existsSync(path.join(t.root, 'images', 'x'))).toBe(false);
  expect(cacheLeftovers()).toEqual([
    sha256(
      tarBytes([
        { name: 'bin/', type: 'dir' },
        { name: 'bin/x', body: 'x' },
        { name: 'y', type: 'symlink', link: '/bin/x' },
      ]),
    ),
  ]);
});

test('limits on entries and unpacked bytes hold, whatever the compression ratio', async () => {
  const many = tarBytes(Array.from({ length: 50 }, (_, i) => ({ name: `f${i}`, body: 'x' })));
  expect(await refusal(store({ maxEntries: 20 }).ensure(serve('/many.tar', many)))).toMatchObject({
    code: 'too-large',
    message: "the image has more than this node's limit of 20 entries",
  });
  const bomb = gz(tarBytes([{ name: 'zeros', body: Buffer.alloc(8 * 1024 ** 2) }])); // ~8 KiB on the wire
  expect(await refusal(store({ maxUnpackedBytes: 1024 ** 2 }).ensure(serve('/bomb.tar.gz', bomb)))).toMatchObject({
    code: 'too-large',
    message: "the image unpacks to more than this node's limit of 1048576 bytes",
  });
  expect(cacheLeftovers()).toEqual([]);
});

test('an OCI image layout: layers applied in order, whiteouts and opaque directories honoured, blobs checked', async () => {
  const base = gunzipSync(busybox);
  const extra = tarBytes([
    { name: 'etc/old.txt', body: 'old' },
    { name: 'opt/', type: 'dir' },
    { name: 'opt/a', body: 'a' },
    { name: 'opt/sub/', type: 'dir' },
    { name: 'opt/sub/b', body: 'b' },
  ]);
  const top = tarBytes([
    { name: 'etc/.wh.old.txt' },
    { name: 'opt/.wh..wh..opq' },
    { name: 'opt/c', body: 'c' },
    { name: 'etc/motd', body: 'top layer\n' },
  ]);
  const layout = ociLayout([
    { blob: gz(base), mediaType: 'application/vnd.oci.image.layer.v1.tar+gzip' },
    { blob: execFileSync('zstd', ['-q', '-c'], { input: extra }), mediaType: 'application/vnd.oci.image.layer.v1.tar+zstd' },
    { blob: top, mediaType: 'application/vnd.oci.image.layer.v1.tar' },
  ]);
  const s = store();
  const rootfs = await s.ensure(serve('/oci.tar', gz(layout)));
  expect(existsSync(path.join(rootfs, 'etc/old.txt'))).toBe(false);
  expect(readdirSync(path.join(rootfs, 'opt'))).toEqual(['c']);
  expect(readdirSync(path.join(rootfs, 'etc'))).not.toContain('.wh.old.txt');
  expect(inRoot(rootfs, 'cat /etc/motd /opt/c')).toBe('top layer\nc');
  expect(JSON.parse(readFileSync(path.join(path.dirname(rootfs), 'image.json'), 'utf8')).format).toBe('oci layout');

  // A blob whose bytes differ from its digest is refused.
  const tampered = Buffer.from(
    ociLayout([{ blob: tarBytes([{ name: 'a', body: 'aaaa' }]), mediaType: 'application/vnd.oci.image.layer.v1.tar' }]),
  );
  const at = tampered.indexOf('aaaa');
  tampered.write('bbbb', at, 'latin1');
  expect(await refusal(s.ensure(serve('/tampered-oci.tar', tampered)))).toMatchObject({
    code: 'hash-mismatch',
    message: expect.stringMatching(/^layer 1 of the OCI image does not match its digest sha256:/),
  });
  // A whiteout may not reach through a symbolic link of a lower layer.
  const sneaky = ociLayout([
    { blob: tarBytes([{ name: 'host', type: 'symlink', link: '/' }]), mediaType: 'application/vnd.oci.image.layer.v1.tar' },
    { blob: tarBytes([{ name: 'host/.wh.etc' }]), mediaType: 'application/vnd.oci.image.layer.v1.tar' },
  ]);
  expect(await refusal(s.ensure(serve('/sneaky-oci.tar', sneaky)))).toMatchObject({
    code: 'escapes-root',
    message: expect.stringMatching(/whiteout "host\/etc" through the symbolic link "host"/),
  });
  // Nor may a file of an upper layer be written through a symbolic link of a lower one.
  const hostDir = path.join(t.root, 'host-dir');
  mkdirSync(hostDir);
  const through = ociLayout([
    { blob: tarBytes([{ name: 'etc', type: 'symlink', link: hostDir }]), mediaType: 'application/vnd.oci.image.layer.v1.tar' },
    { blob: tarBytes([{ name: 'etc/evil', body: 'owned' }]), mediaType: 'application/vnd.oci.image.layer.v1.tar' },
  ]);
  expect(await refusal(s.ensure(serve('/through-oci.tar', through)))).toMatchObject({
    code: 'escapes-root',
    message: 'layer 2 of 2 of the OCI image writes "etc/evil" through the symbolic link "etc"',
  });
  expect(readdirSync(hostDir)).toEqual([]);
});

test('a Zero-OS flist is refused without a download, saying what to give instead; bad input is named', async () => {
  const s = store();
  for (const url of [
    'https://hub.grid.tf/tf-official-apps/base:latest.flist',
    server.url('/x.flist'),
    'https://hub.grid.tf/tf-official-apps/',
  ]) {
    const r = await refusal(s.ensure({ url, sha256: 'ab'.repeat(32) }));
    expect(r.code).toBe('flist');
    expect(r.message).toMatch(/is a Zero-OS flist, which this node cannot run: give the zmachine an image instead, image: \{url, sha256\}/);
  }
  expect(server.hits.get('/x.flist')).toBeUndefined();
  expect(await refusal(s.ensure({ url: 'ftp://example.org/x.tar', sha256: 'ab'.repeat(32) }))).toEqual({
    code: 'invalid',
    message: 'image.url must be http or https, not ftp',
  });
  expect(await refusal(s.ensure({ url: server.url('/x.tar'), sha256: 'abc' }))).toMatchObject({
    code: 'invalid',
    message: expect.stringMatching(/^image.sha256 must be the 64 hex digits/),
  });
  expect(await refusal(s.ensure({ url: 'not a url', sha256: 'ab'.repeat(32) }))).toMatchObject({ code: 'invalid' });
});

test('an incomplete cache entry is never used: it is discarded and fetched again', async () => {
  const img = serve('/again.tar.gz', busybox);
  const entry = path.join(t.root, 'images', img.sha256);
  mkdirSync(path.join(entry, 'rootfs', 'bin'), { recursive: true });
  writeFileSync(path.join(entry, 'rootfs', 'bin', 'busybox'), 'half written'); // no image.json: a partial entry
  const before = server.hits.get('/again.tar.gz') ?? 0;
  const rootfs = await store().ensure(img);
  expect(server.hits.get('/again.tar.gz')).toBe(before + 1);
  expect(inRoot(rootfs, 'echo whole')).toBe('whole\n');
});

test("prune removes the images no machine uses, keeping those named and any that is an overlay's lower layer", async () => {
  const s = store();
  const tiny = (n: string): Buffer => tarBytes([{ name: `${n}.txt`, body: n }]);
  const [a, b, c] = await Promise.all(['a', 'b', 'c'].map((n) => s.ensure(serve(`/${n}.tar`, tiny(n)))));
  const mnt = path.join(t.root, 'machine');
  for (const d of ['upper', 'work', 'root']) mkdirSync(path.join(mnt, d), { recursive: true });
  execFileSync('mount', ['-t', 'overlay', 'overlay', '-o', `lowerdir=${c},upperdir=${mnt}/upper,workdir=${mnt}/work`, `${mnt}/root`]);
  try {
    expect(s.prune([sha256(tiny('a')).toUpperCase()])).toEqual([sha256(tiny('b'))]);
    expect([existsSync(a!), existsSync(b!), existsSync(c!)]).toEqual([true, false, true]);
    expect(readFileSync(`${mnt}/root/c.txt`, 'utf8')).toBe('c');
  } finally {
    execFileSync('umount', [`${mnt}/root`]);
  }
  expect(s.prune([]).sort()).toEqual([sha256(tiny('a')), sha256(tiny('c'))].sort());
  expect(cacheLeftovers()).toEqual([]);
});

test('the fetcher process: killed mid-download or hung past its deadline, it is a fetcher-failed refusal that leaves nothing, and the next try fetches', async () => {
  const gone = (pid: number): boolean => {
    try {
      process.kill(pid, 0);
      return false;
    } catch (e) {
      return (e as NodeJS.ErrnoException).code === 'ESRCH';
    }
  };
  const wrong = 'cd'.repeat(32);
  routes['/stalls.tar'] = { stall: Buffer.alloc(1000) };
  const pids: number[] = [];
  const s = store({ onFetcher: (pid) => pids.push(pid) });
  const killed = s.ensure({ url: server.url('/stalls.tar'), sha256: wrong });
  while (!server.hits.get('/stalls.tar')) await new Promise((r) => setTimeout(r, 20)); // the child is downloading
  process.kill(pids[0]!, 'SIGKILL');
  expect(await refusal(killed)).toEqual({
    code: 'fetcher-failed',
    message:
      "the node's image fetcher ended (killed by SIGKILL) before the image was ready; nothing was cached, the image is fetched again on the next try",
  });
  expect(gone(pids[0]!)).toBe(true);
  expect(cacheLeftovers()).toEqual([]);

  // Stopped at once, it never enforces its own download timeout: the store's deadline ends it.
  const img = serve('/after-hang.tar.gz', busybox);
  const hung = store({ timeoutMs: 500, unpackTimeoutMs: 500, onFetcher: (pid) => (pids.push(pid), process.kill(pid, 'SIGSTOP')) });
  expect(await refusal(hung.ensure(img))).toMatchObject({
    code: 'fetcher-failed',
    message: expect.stringMatching(/^the node's image fetcher did not finish within 1 s and was stopped;/),
  });
  expect(gone(pids[1]!)).toBe(true);
  expect(cacheLeftovers()).toEqual([]);

  const rootfs = await s.ensure(img);
  expect(inRoot(rootfs, 'echo fetched')).toBe('fetched\n');
  expect(pids).toHaveLength(3);
  expect(gone(pids[2]!)).toBe(true);
  // Codes come back from the child intact (a refusal of the child, not of the process).
  expect(await refusal(s.ensure({ url: img.url, sha256: wrong }))).toMatchObject({ code: 'hash-mismatch' });
});
