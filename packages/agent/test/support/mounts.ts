/**
 * Cleanup for tests that mount: every mount under a temp root is unmounted (deepest first); loop
 * mounts detach their device. Other packages' tests that run an agent import it as
 * `@tfgrid/agent/test/support/mounts` (the CLI's cleanupAgentLeftovers).
 */
import { execFileSync } from 'node:child_process';
import { mounts } from '../../src/workloads/disk';

export function mountsUnder(root: string): string[] {
  return mounts()
    .map((m) => m.mountpoint)
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
