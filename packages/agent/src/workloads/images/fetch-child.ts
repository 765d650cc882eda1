/**
 * Entry of the image fetcher child process (started by fetcher.ts with the agent's TypeScript
 * loader): takes one FetchJob over IPC, runs it, sends back the record or the error with its code,
 * and exits. It dies with its parent: a lost IPC channel ends it.
 */
import { ImageError } from './errors';
import { runFetchJob } from './fetch-job';
import type { FetchJob } from './record';
import type { FetchReply } from './fetcher';

function reply(msg: FetchReply): void {
  process.send!(msg, () => process.exit(0));
}

process.on('disconnect', () => process.exit(1));
process.once('message', (job: FetchJob) => {
  runFetchJob(job).then(
    (record) => reply({ ok: true, record }),
    (e: unknown) => {
      const err = e instanceof Error ? e : new Error(String(e));
      if (err instanceof ImageError) reply({ ok: false, imageCode: err.code, message: err.message });
      else reply({ ok: false, errno: (err as NodeJS.ErrnoException).code, message: err.message });
    },
  );
});
