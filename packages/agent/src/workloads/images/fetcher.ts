/**
 * Runs a FetchJob in a short-lived child process: `process.execPath` with the agent's own
 * TypeScript loader (tsx, as bin/tfgrid-agent.js) on fetch-child.ts. Decompression and the
 * download's buffers live and die there, so the agent's resident memory does not keep them. The
 * child's ImageError comes back with its code; a child that dies, cannot start or outlives the
 * deadline is an ImageError('fetcher-failed'). The promise settles only once the child has exited,
 * so nothing writes into the work directory after it.
 */
import { fork } from 'node:child_process';
import path from 'node:path';
import { ImageError, type ImageErrorCode } from './errors';
import type { FetchJob, ImageRecord } from './record';

export type FetchReply = { ok: true; record: ImageRecord } | { ok: false; imageCode?: ImageErrorCode; errno?: string; message: string };

const ENTRY = path.join(__dirname, 'fetch-child.ts');
const STDERR_TAIL = 2000;

/** Fetches in a child; `deadlineMs` bounds the child's whole life. `onSpawn` gets its pid (logs, tests). */
export function fetchInChild(job: FetchJob, deadlineMs: number, onSpawn?: (pid: number) => void): Promise<ImageRecord> {
  return new Promise((resolve, reject) => {
    const child = fork(ENTRY, [], {
      execPath: process.execPath,
      execArgv: ['--require', require.resolve('tsx/cjs')],
      stdio: ['ignore', 'ignore', 'pipe', 'ipc'],
      serialization: 'json',
    });
    let reply: FetchReply | undefined;
    let spawnError: Error | undefined;
    let timedOut = false;
    let stderr = '';
    child.stderr?.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-STDERR_TAIL)));
    child.on('message', (m: FetchReply) => (reply ??= m));
    child.on('error', (e) => {
      spawnError ??= e;
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    });
    child.on('spawn', () => {
      if (child.pid !== undefined) onSpawn?.(child.pid);
      child.send(job);
    });
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, deadlineMs);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (reply?.ok) return resolve(reply.record);
      if (reply) return reject(fromReply(reply));
      const how = timedOut
        ? `did not finish within ${Math.round(deadlineMs / 1000)} s and was stopped`
        : spawnError
          ? `could not run: ${spawnError.message}`
          : `ended (${signal ? `killed by ${signal}` : `exit code ${code}`}) before the image was ready`;
      const err = new ImageError(
        'fetcher-failed',
        `the node's image fetcher ${how}; nothing was cached, the image is fetched again on the next try`,
      );
      reject(Object.assign(err, { stderr: stderr.trim() }));
    });
  });
}

function fromReply(r: Extract<FetchReply, { ok: false }>): Error {
  if (r.imageCode) return new ImageError(r.imageCode, r.message);
  return Object.assign(new Error(r.message), r.errno ? { code: r.errno } : {});
}
