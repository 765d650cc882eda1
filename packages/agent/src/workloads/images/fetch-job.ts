/**
 * One image fetched into a work directory: downloaded with its limits, checked against the sha256,
 * then unpacked into `<work>/entry/rootfs` with its `image.json` beside it. It never touches the
 * cache itself: the ImageStore renames `<work>/entry` into place. Runs in the fetcher child
 * process (fetch-child.ts), so the native memory of zlib, zstd's pipe and the streams goes back
 * to the system when the child exits.
 */
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { toPlainTar, type Budget } from './decompress';
import { download } from './download';
import { ImageError } from './errors';
import { applyLayer, scanLayer, type EntryBudget } from './layer';
import { isOciLayout, ociLayers } from './oci';
import { RECORD, type FetchJob, type FetchLimits, type ImageRecord } from './record';

/** `<work>/entry` made complete, or an ImageError with the reason. */
export async function runFetchJob(job: FetchJob): Promise<ImageRecord> {
  const url = new URL(job.url);
  const where = `${url.origin}${url.pathname}`; // the query may carry a token: never in a message
  const got = await download(url, path.join(job.work, 'download'), { maxBytes: job.limits.maxBytes, timeoutMs: job.limits.timeoutMs });
  if (got.sha256 !== job.sha256) {
    throw new ImageError('hash-mismatch', `the image at ${where} has sha256 ${got.sha256}, not ${job.sha256} as the deployment says`);
  }
  const entry = path.join(job.work, 'entry');
  const unpacked = await unpack(job.work, entry, job.limits);
  const rec: ImageRecord = { sha256: job.sha256, bytes: got.bytes, ...unpacked, fetchedAt: Date.now() };
  writeFileSync(path.join(entry, RECORD), `${JSON.stringify(rec)}\n`, { mode: 0o644 });
  return rec;
}

/** The downloaded archive → `<entry>/rootfs`: a root filesystem tarball, or an OCI layout's layers in order. */
async function unpack(
  work: string,
  entry: string,
  limits: FetchLimits,
): Promise<Pick<ImageRecord, 'format' | 'unpackedBytes' | 'entries'>> {
  const bytes: Budget = { bytesLeft: limits.maxUnpackedBytes, maxBytes: limits.maxUnpackedBytes };
  const entries: EntryBudget = { entriesLeft: limits.maxEntries, maxEntries: limits.maxEntries };
  const rootfs = path.join(entry, 'rootfs');
  mkdirSync(rootfs, { recursive: true, mode: 0o755 });
  const archive = path.join(work, 'archive.tar');
  await toPlainTar(path.join(work, 'download'), archive, bytes, 'the image');
  rmSync(path.join(work, 'download'));
  const scan = await scanLayer(archive, 'the image', entries, { whiteouts: false });
  let format = 'rootfs tar';
  if (isOciLayout(scan.names)) {
    format = 'oci layout';
    const layout = path.join(work, 'layout');
    mkdirSync(layout);
    await applyLayer(archive, layout, scan, 'the OCI image layout');
    rmSync(archive);
    const layers = await ociLayers(layout);
    for (const [i, blob] of layers.entries()) {
      const what = `layer ${i + 1} of ${layers.length} of the OCI image`;
      const plain = path.join(work, `layer-${i}.tar`);
      await toPlainTar(blob, plain, bytes, what);
      await applyLayer(plain, rootfs, await scanLayer(plain, what, entries, { whiteouts: true }), what);
      rmSync(plain);
    }
  } else {
    await applyLayer(archive, rootfs, scan, 'the image');
  }
  chmodSync(rootfs, 0o755);
  return { format, unpackedBytes: bytes.maxBytes - bytes.bytesLeft, entries: entries.maxEntries - entries.entriesLeft };
}
