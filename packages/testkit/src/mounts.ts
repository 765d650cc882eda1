/**
 * Cleanup for tests that mount (the agent's, and the CLI's and the local grid's that run agents):
 * every mount under a temp root is unmounted, deepest first; loop mounts detach their device.
 * The mount table is read here from /proc/self/mountinfo, not through the agent's own reader, so a
 * test's checks and cleanup do not rest on the code they test.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** mountinfo writes a space, tab, newline and backslash in a path as an octal escape (`\040`). */
const unescapeOctal = (s: string): string => s.replace(/\\([0-7]{3})/g, (_, o: string) => String.fromCharCode(parseInt(o, 8)));

/** The mount points strictly below `root` in this process's mount namespace, in mount order. */
export function mountsUnder(root: string): string[] {
  return readFileSync('/proc/self/mountinfo', 'utf8')
    .split('\n')
    .map((line) => line.split(' ')[4]) // id parent maj:min root mountpoint …
    .filter((m): m is string => m !== undefined)
    .map(unescapeOctal)
    .filter((m) => m.startsWith(`${root}/`));
}

/** Synchronous, so a temp root's cleanup can call it before deleting the tree (rm would stop at a mountpoint). */
export function unmountUnder(root: string): void {
  for (const m of mountsUnder(root).sort((a, b) => b.length - a.length)) {
    try {
      execFileSync('umount', [m], { stdio: 'ignore' });
    } catch {
      execFileSync('umount', ['-l', m], { stdio: 'ignore' }); // still in use by a process the test left: detached lazily
    }
  }
}
