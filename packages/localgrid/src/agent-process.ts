/**
 * One agent as its own process on a host (its network and mount namespaces: see host-mounts.ts), as a farmer
 * runs `tfgrid-agent` on a server: its JSON log goes to `agent.log` in its directory; stop is
 * SIGTERM (the agent stops its workloads and daemons), then SIGKILL after a grace period.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { onHost } from '@tfgrid/netns';
import { LocalGridError } from './errors';

const AGENT_BIN = path.join(path.dirname(require.resolve('@tfgrid/agent/package.json')), 'bin', 'tfgrid-agent.js');
const STOP_GRACE_MS = 15_000;

export interface AgentProcess {
  pid: number;
  log: string;
  /** Rejects with LocalGridError('agent-exited') once the process ends without being asked to. */
  exited: Promise<never>;
  stop(): Promise<void>;
  /** Ends the process with `signal` at once (SIGKILL: as a crash would), not as a failure; resolves once it is gone. */
  kill(signal: 'SIGTERM' | 'SIGKILL'): Promise<void>;
}

export function spawnAgent(ns: string, dir: string, args: string[]): AgentProcess {
  const log = path.join(dir, 'agent.log');
  const fd = openSync(log, 'a', 0o600);
  let child: ChildProcess;
  try {
    // The bin's own node flags (its shebang), given here because node is named explicitly.
    const [cmd, ...argv] = onHost(ns, [process.execPath, '--max-semi-space-size=1', AGENT_BIN, 'run', ...args]);
    child = spawn(cmd!, argv, { stdio: ['ignore', fd, fd], env: process.env });
  } finally {
    closeSync(fd);
  }
  let stopping = false;
  const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const exited = new Promise<never>((_, reject) => {
    child.once('error', (e) => reject(new LocalGridError('agent-exited', `agent in ${ns} did not start: ${e.message}`)));
    child.once('exit', (code, sig) => {
      if (!stopping) reject(new LocalGridError('agent-exited', `agent in ${ns} exited (${sig ?? `code ${code}`}): ${tail(log)}`));
    });
  });
  exited.catch(() => undefined);
  return {
    pid: child.pid ?? -1,
    log,
    exited,
    async kill(signal) {
      stopping = true;
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill(signal);
      await gone;
    },
    async stop() {
      stopping = true;
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
      await gone;
      clearTimeout(timer);
    },
  };
}

/** The last lines of a log, for an error message. */
function tail(file: string): string {
  try {
    return readFileSync(file, 'utf8').trim().split('\n').slice(-3).join(' | ').slice(-600);
  } catch {
    return '(no log)';
  }
}
