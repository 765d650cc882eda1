/** The unprivileged account workload processes run as when the agent runs as root. */
import { execFileSync } from 'node:child_process';

export interface RunAs {
  user: string;
  uid: number;
  gid: number;
}

/**
 * uid/gid of `user` (a name or a numeric uid) via `getent passwd`, with `id -u`/`id -g` as fallback;
 * undefined when the agent is not root (it cannot switch user, so processes run as the agent).
 */
export function resolveRunAs(user: string): RunAs | undefined {
  if (process.getuid?.() !== 0) return undefined;
  const run = (cmd: string, args: string[]): string | undefined => {
    try {
      return execFileSync(cmd, args, { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    } catch {
      return undefined;
    }
  };
  const line = run('getent', ['passwd', user]);
  const f = line?.split('\n')[0]?.split(':');
  if (f && f.length >= 4 && /^\d+$/.test(f[2]!) && /^\d+$/.test(f[3]!)) return { user: f[0]!, uid: Number(f[2]), gid: Number(f[3]) };
  const uid = run('id', ['-u', user]);
  const gid = run('id', ['-g', user]);
  if (uid && gid && /^\d+$/.test(uid) && /^\d+$/.test(gid)) return { user, uid: Number(uid), gid: Number(gid) };
  throw new Error(`cannot run workloads as '${user}': no such user (getent passwd / id found nothing)`);
}
