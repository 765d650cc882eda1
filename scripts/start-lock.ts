/**
 * One `npm start` per data directory. LevelDB locks its files too, but its refusal only says
 * "Database failed to open"; this lock file names the directory and the process that holds it.
 * The lock holds the holder's pid; a lock whose process is gone (killed, machine rebooted) is
 * stale and taken over.
 */
import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';

export const LOCK_FILE = 'start.lock';

export class DataDirLockedError extends Error {
  override name = 'DataDirLockedError';
  readonly code = 'DATA_DIR_LOCKED';
  constructor(
    readonly dataDir: string,
    readonly pid: number,
  ) {
    super(
      `another instance (pid ${pid}) holds the data directory ${dataDir} (lock ${path.join(dataDir, LOCK_FILE)}); stop it first, or give another --data-dir`,
    );
  }
}

export interface DataDirLock {
  file: string;
  /** The pid of a stale lock that was taken over, if any. */
  tookOverFrom?: number;
  release(): void;
}

/** Whether `pid` is a live process that may be an `npm start` (a reused pid running something else is not). */
export function holderAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    // EPERM: it exists but belongs to another user — still a holder.
    if ((e as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  try {
    return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes('start');
  } catch {
    return true; // no /proc (not Linux): trust kill(0)
  }
}

function readPid(file: string): number | undefined {
  try {
    const pid = (JSON.parse(readFileSync(file, 'utf8')) as { pid?: unknown }).pid;
    return Number.isSafeInteger(pid) && (pid as number) > 0 ? (pid as number) : undefined;
  } catch {
    return undefined; // unreadable or torn: treated as stale
  }
}

/** Takes the data directory's lock or throws DataDirLockedError naming the holder. */
export function lockDataDir(dataDir: string): DataDirLock {
  const file = path.join(dataDir, LOCK_FILE);
  let tookOverFrom: number | undefined;
  for (let attempt = 0; attempt < 3; attempt++) {
    try {
      writeFileSync(file, `${JSON.stringify({ pid: process.pid, since: new Date().toISOString() })}\n`, { flag: 'wx', mode: 0o644 });
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      const pid = readPid(file);
      if (pid !== undefined && pid !== process.pid && holderAlive(pid)) throw new DataDirLockedError(dataDir, pid);
      tookOverFrom = pid ?? 0;
      try {
        unlinkSync(file);
      } catch {
        /* another starter removed it first: try again */
      }
      continue;
    }
    let released = false;
    const release = (): void => {
      if (released) return;
      released = true;
      process.off('exit', release);
      // Only our own lock: never remove one another process took over meanwhile.
      try {
        if (readPid(file) === process.pid) unlinkSync(file);
      } catch {
        /* already gone */
      }
    };
    process.on('exit', release);
    return { file, ...(tookOverFrom !== undefined ? { tookOverFrom } : {}), release };
  }
  throw new Error(`could not take the lock ${file}: it keeps changing (another npm start starting at the same time?)`);
}
