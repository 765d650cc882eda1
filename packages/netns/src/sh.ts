/** System tools (ip, ss) run without a shell, bounded in time; a failure names the command and what it printed. */
import { execFileSync } from 'node:child_process';
import { NetnsError } from './errors';

const TIMEOUT_MS = 20_000;

/** stdout of `argv`; throws NetnsError('command-failed') with the tool's own words. */
export function sh(argv: string[], input?: string): string {
  try {
    return execFileSync(argv[0]!, argv.slice(1), {
      encoding: 'utf8',
      input,
      stdio: ['pipe', 'pipe', 'pipe'],
      timeout: TIMEOUT_MS,
      maxBuffer: 4 * 1024 * 1024,
    });
  } catch (e) {
    const f = e as { stderr?: string; code?: string; message: string };
    const why =
      f.code === 'ENOENT'
        ? 'not installed (scripts/install-system-packages.sh installs it)'
        : (f.stderr?.trim() || f.message).split('\n').slice(0, 3).join('; ');
    throw new NetnsError('command-failed', `${argv.join(' ').slice(0, 200)} failed: ${why}`);
  }
}

/** For teardown and probes: undefined where the command failed (the thing is already gone). */
export function trySh(argv: string[]): string | undefined {
  try {
    return sh(argv);
  } catch {
    return undefined;
  }
}
