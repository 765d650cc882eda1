/**
 * runc, the OCI runtime Docker and containerd use, driven through its CLI with the agent's own
 * state root (`--root <dataDir>/runc`): what runs is whatever `runc list` says, so an agent that
 * was SIGKILLed finds its containers again by asking runc, never by guessing.
 */
import { spawn } from 'node:child_process';
import { closeSync, existsSync, openSync, readFileSync } from 'node:fs';
import { isAlive } from '../../core/proc';
import { RuntimeError } from './errors';
import { tool, tryTool } from './run';

export type ContainerStatus = 'creating' | 'created' | 'running' | 'paused' | 'stopped';

export interface ContainerState {
  id: string;
  status: ContainerStatus;
  /** Host pid of the container's init (0 once stopped). */
  pid: number;
  bundle: string;
}

const CREATE_TIMEOUT_MS = 60_000;

export class Runc {
  readonly root: string;

  constructor(root: string) {
    this.root = root;
  }

  #args(...a: string[]): string[] {
    return ['--root', this.root, ...a];
  }

  /** The container's state, or undefined when runc does not know it. */
  async state(id: string): Promise<ContainerState | undefined> {
    const out = await tryTool('runc', this.#args('state', id));
    if (out === undefined) return undefined;
    const s = JSON.parse(out) as ContainerState;
    return { id: s.id, status: s.status, pid: s.pid, bundle: s.bundle };
  }

  async list(): Promise<ContainerState[]> {
    const out = await tool('runc', this.#args('list', '--format', 'json'));
    const rows = (JSON.parse(out) as ContainerState[] | null) ?? [];
    return rows.map((s) => ({ id: s.id, status: s.status, pid: s.pid, bundle: s.bundle }));
  }

  /**
   * `runc create`: the init process exists, in its namespaces and cgroups, waiting to exec the
   * command (start() lets it). Its stdout/stderr are `logFile` (O_APPEND, so rotation by
   * copy-truncate works and the machine keeps logging while the agent is down). runc runs in its
   * own session so a signal to the agent's process group never reaches the machine.
   */
  async create(id: string, bundle: string, logFile: string): Promise<void> {
    const runcLog = `${bundle}/runc.log`;
    const fd = openSync(logFile, 'a', 0o640);
    let code: number | null;
    try {
      code = await new Promise<number | null>((resolve, reject) => {
        const child = spawn('runc', this.#args('--log', runcLog, '--log-format', 'json', 'create', '--bundle', bundle, id), {
          stdio: ['ignore', fd, fd],
          detached: true,
        });
        const timer = setTimeout(() => child.kill('SIGKILL'), CREATE_TIMEOUT_MS);
        child.once('error', (e) => {
          clearTimeout(timer);
          reject(new RuntimeError('command-failed', `runc create ${id} failed: ${e.message}`));
        });
        child.once('exit', (c) => {
          clearTimeout(timer);
          resolve(c);
        });
      });
    } finally {
      closeSync(fd);
    }
    if (code !== 0) throw new RuntimeError('command-failed', `runc create ${id} failed: ${lastRuncError(runcLog) ?? `exit code ${code}`}`);
  }

  async start(id: string): Promise<void> {
    await tool('runc', this.#args('start', id));
  }

  async pause(id: string): Promise<void> {
    await tool('runc', this.#args('pause', id));
  }

  async resume(id: string): Promise<void> {
    await tool('runc', this.#args('resume', id));
  }

  /** Signals every process of the container (`--all`: what init forked too). */
  async kill(id: string, signal: 'TERM' | 'KILL'): Promise<void> {
    await tryTool('runc', this.#args('kill', '--all', id, signal));
  }

  /** TERM to every process (thawed first if frozen), KILL after `graceMs`, then delete: nothing of it is left running. */
  async stop(id: string, graceMs: number): Promise<void> {
    const st = await this.state(id);
    if (st && (st.status === 'running' || st.status === 'paused')) {
      if (st.status === 'paused') await this.resume(id); // a frozen task acts on signals only once thawed
      await this.kill(id, 'TERM');
      // Pid 1 of a pid namespace ignores signals it has no handler for: waiting would only delay the KILL.
      const until = catchesTerm(st.pid) ? Date.now() + graceMs : 0;
      while (isAlive(st.pid) && Date.now() < until) await new Promise((r) => setTimeout(r, 50));
      if (isAlive(st.pid)) await this.kill(id, 'KILL');
    }
    await this.delete(id);
  }

  /** Forgets the container (killing what is left, removing its cgroups); nothing to do when runc does not know it. */
  async delete(id: string): Promise<void> {
    if (!(await this.state(id))) return;
    await tool('runc', this.#args('delete', '--force', id));
  }
}

/** Whether the process has a SIGTERM handler (bit 15 of SigCgt in /proc/<pid>/status). */
function catchesTerm(pid: number): boolean {
  try {
    const m = /^SigCgt:\s*([0-9a-f]+)$/m.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return m ? (BigInt(`0x${m[1]}`) & (1n << 14n)) !== 0n : true;
  } catch {
    return false; // gone
  }
}

/** The last error runc logged (its JSON log lines: `{"level":"error","msg":…}`). */
function lastRuncError(file: string): string | undefined {
  if (!existsSync(file)) return undefined;
  const lines = readFileSync(file, 'utf8').trim().split('\n').reverse();
  for (const l of lines) {
    try {
      const j = JSON.parse(l) as { level?: string; msg?: string };
      if (j.level === 'error' && j.msg) return j.msg;
    } catch {
      if (l.trim()) return l.trim().slice(0, 500);
    }
  }
  return undefined;
}
