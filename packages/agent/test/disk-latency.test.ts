/** SSD/HDD by measured random-read latency, with the rotational flag only as the fallback. */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { medianRandomReadMs, scanDisks, SSD_MAX_MEDIAN_MS } from '../src/hardware';

let root: string;
const SIZE = 16 * 1024 * 1024;

beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'agent-latency-'));
  for (const [name, rotational] of [
    ['sdz', '1'],
    ['sdy', '1'],
  ] as const) {
    mkdirSync(path.join(root, 'sys/block', name, 'queue'), { recursive: true });
    writeFileSync(path.join(root, 'sys/block', name, 'size'), `${SIZE / 512}\n`);
    writeFileSync(path.join(root, 'sys/block', name, 'queue/rotational'), `${rotational}\n`);
  }
  // sdz has a readable device (a file standing in for it); sdy has none.
  mkdirSync(path.join(root, 'dev'));
  writeFileSync(path.join(root, 'dev/sdz'), Buffer.alloc(SIZE, 7));
});

afterAll(() => rmSync(root, { recursive: true, force: true }));

test('the median of random 4 KiB reads is measured on a readable device', () => {
  const ms = medianRandomReadMs(path.join(root, 'dev/sdz'), SIZE);
  expect(ms).toBeDefined();
  expect(ms!).toBeGreaterThan(0);
  expect(medianRandomReadMs(path.join(root, 'dev/missing'), SIZE)).toBeUndefined();
  expect(medianRandomReadMs(path.join(root, 'dev/sdz'), 100)).toBeUndefined();
});

test('a measured device is classified by its latency, overriding a wrong rotational flag', () => {
  const { disks } = scanDisks(root);
  const sdz = disks.find((d) => d.name === 'sdz')!;
  expect(sdz.classifiedBy).toBe('latency');
  // the stand-in file answers from memory: far below the SSD threshold, although the flag says "rotational"
  expect(sdz.readLatencyMs!).toBeLessThan(SSD_MAX_MEDIAN_MS);
  expect(sdz.kind).toBe('ssd');
  const sdy = disks.find((d) => d.name === 'sdy')!;
  expect(sdy.classifiedBy).toBe('rotational-flag');
  expect(sdy.kind).toBe('hdd');
});
