/** Runs a system tool (no shell); a failure becomes a DiskError carrying the tool's own words. */
import { execFile } from 'node:child_process';
import { DiskError } from './errors';

const TIMEOUT_MS = 120_000;

export interface ToolFailure extends Error {
  /** ENOENT when the tool is not installed; else the exit code. */
  code?: string | number;
  stderr?: string;
}

/** stdout of `cmd args`; rejects with the raw failure (code, stderr) so callers can choose a fallback. */
export function runRaw(cmd: string, args: string[]): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(cmd, args, { timeout: TIMEOUT_MS, maxBuffer: 1024 * 1024, encoding: 'utf8' }, (err, stdout, stderr) => {
      if (!err) return resolve(stdout);
      const f = err as ToolFailure;
      f.stderr = stderr;
      reject(f);
    });
  });
}

/** stdout of `cmd args`, or a DiskError('command-failed') naming the command and what it printed. */
export async function runTool(cmd: string, args: string[]): Promise<string> {
  try {
    return await runRaw(cmd, args);
  } catch (e) {
    throw new DiskError('command-failed', `${cmd} ${args.join(' ')} failed: ${toolMessage(e as ToolFailure)}`);
  }
}

export function toolMessage(f: ToolFailure): string {
  if (f.code === 'ENOENT') return 'the tool is not installed (scripts/install-system-packages.sh installs it)';
  return (f.stderr?.trim() || f.message).split('\n').slice(0, 4).join('; ');
}
