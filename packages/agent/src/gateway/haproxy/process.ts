/**
 * The HAProxy process of the gateway: started in master-worker mode in the foreground (the
 * master is our child; its worker serves), supervised (an exit we did not ask for restarts it,
 * with a backoff that grows while it keeps failing), reloaded seamlessly through the master
 * (the listeners pass to the new worker; the old one finishes its connections), stopped softly
 * (connections in flight get the drain time, then it is cut).
 */
import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { access, constants, readdir, readFile } from 'node:fs/promises';
import type { Logger } from 'pino';
import { LogReader } from './log-reader';
import { Runtime } from './runtime';
import { CodedError } from '../../core/coded-error';

export const HAPROXY_BINARY = '/usr/sbin/haproxy';

/** How a request log line starts (the config's log-format). */
export const LOG_MARK = 'TFGW ';
/** A log line is at most this long (`len` of the log directive); a longer rest is cut. */
export const MAX_LOG_LINE = 2048;
/** Request logs are read at most this often (log-reader.ts); a metrics read drains them first. */
export const LOG_BATCH_MS = 20;

export type EngineErrorCode = 'GATEWAY_ENGINE_MISSING' | 'GATEWAY_ENGINE_CONFIG' | 'GATEWAY_ENGINE_START';

export class EngineError extends CodedError<EngineErrorCode> {}

export function engineMissing(binary: string): EngineError {
  return new EngineError(
    'GATEWAY_ENGINE_MISSING',
    `the web gateway needs HAProxy (${binary} not found): install the Debian package haproxy (apt-get install haproxy)`,
  );
}

/** Fails with GATEWAY_ENGINE_MISSING when the binary is not there (or not executable). */
export async function checkBinary(binary: string): Promise<void> {
  try {
    await access(binary, constants.X_OK);
  } catch {
    throw engineMissing(binary);
  }
}

export interface HaproxyProcessOptions {
  binary?: string;
  /** haproxy.cfg. */
  config: string;
  /** The worker's stats socket (level admin). */
  admin: string;
  /** The master CLI socket. */
  master: string;
  logger: Logger;
  /** Writes the config and the files it names; called before every start, restart and reload. */
  prepare(): Promise<void>;
  /** Called once a restarted process (after a crash) answers: the caller re-applies what only it knows. */
  onRestart?(): void | Promise<void>;
  /** Each request log line (`TFGW …`, written to stdout by `log stdout`). */
  onLog?: (line: string) => void;
  /** How long a start may take until the runtime API answers. */
  startTimeoutMs?: number;
  /** On stop, connections get this long (HAProxy's hard-stop-after says the same). */
  drainMs?: number;
}

type State = 'idle' | 'running' | 'stopping' | 'stopped';

export class HaproxyProcess {
  readonly runtime: Runtime;
  readonly #o: HaproxyProcessOptions;
  readonly #log: Logger;
  readonly #binary: string;
  #child: ChildProcess | undefined;
  #logs: LogReader | undefined;
  #state: State = 'idle';
  #stderr: string[] = [];
  #backoffMs = 0;
  #restartTimer: NodeJS.Timeout | undefined;
  #restarts = 0;
  #exited: Promise<void> = Promise.resolve();

  constructor(o: HaproxyProcessOptions) {
    this.#o = o;
    this.#log = o.logger.child({ module: 'haproxy' });
    this.#binary = o.binary ?? HAPROXY_BINARY;
    this.runtime = new Runtime({ socket: o.admin });
  }

  /** The master's pid while it runs. */
  get pid(): number | undefined {
    return this.#child?.pid;
  }

  /** How many times it was restarted after an exit nobody asked for. */
  get restarts(): number {
    return this.#restarts;
  }

  /** Reads the request log lines HAProxy has written so far (before metrics are read). */
  async drainLogs(): Promise<void> {
    await this.#logs?.drain();
  }

  get running(): boolean {
    return this.#state === 'running' && this.#child !== undefined && this.#child.exitCode === null;
  }

  async start(): Promise<void> {
    if (this.#state !== 'idle' && this.#state !== 'stopped') throw new Error(`haproxy already ${this.#state}`);
    await checkBinary(this.#binary);
    await this.#endLeftOver();
    await this.#o.prepare();
    await this.#check();
    this.#state = 'running';
    try {
      await this.#spawn();
    } catch (e) {
      this.#state = 'stopped';
      throw e;
    }
  }

  /** Seamless reload: the config is written again and checked, then the master starts a new worker with it. */
  async reload(): Promise<void> {
    if (!this.running) throw new EngineError('GATEWAY_ENGINE_START', 'haproxy is not running');
    await this.#o.prepare();
    await this.#check();
    const before = await this.#workerPid();
    this.#child!.kill('SIGUSR2');
    const deadline = Date.now() + (this.#o.startTimeoutMs ?? 10_000);
    for (;;) {
      // A fresh connection each time: the one open goes to the old worker until it leaves.
      this.runtime.close();
      const now = await this.#workerPid().catch(() => undefined);
      if (now !== undefined && now !== before) break;
      if (Date.now() > deadline)
        throw new EngineError('GATEWAY_ENGINE_START', `haproxy reload: no new worker within ${this.#o.startTimeoutMs ?? 10_000} ms`);
      await sleep(20);
    }
    this.#log.info('haproxy reloaded');
  }

  /** Soft stop: listeners close at once, requests in flight get drainMs, then the process is cut. */
  async stop(): Promise<void> {
    if (this.#restartTimer) clearTimeout(this.#restartTimer);
    this.#restartTimer = undefined;
    const child = this.#child;
    if (this.#state === 'stopped' || this.#state === 'idle') {
      this.#state = 'stopped';
      return;
    }
    this.#state = 'stopping';
    if (child && child.exitCode === null && child.signalCode === null) {
      child.kill('SIGUSR1');
      const drain = (this.#o.drainMs ?? 3000) + 2000;
      const cut = setTimeout(() => child.kill('SIGTERM'), drain);
      const kill = setTimeout(() => child.kill('SIGKILL'), drain + 2000);
      await this.#exited;
      clearTimeout(cut);
      clearTimeout(kill);
    }
    this.#child = undefined;
    this.#state = 'stopped';
  }

  /** An HAProxy still running on this config is one a previous agent left (killed before it could stop it): it holds the gateway's ports. */
  async #endLeftOver(): Promise<void> {
    const ended = await endHaproxyOn(this.#o.config);
    if (ended.length) this.#log.warn({ pids: ended }, 'ended the HAProxy a previous run left on this config');
  }

  /** `haproxy -c`: a config HAProxy would refuse is never started or reloaded into. */
  #check(): Promise<void> {
    return new Promise((resolve, reject) => {
      execFile(this.#binary, ['-c', '-f', this.#o.config], { timeout: 20_000 }, (err, _out, stderr) => {
        if (err)
          reject(
            new EngineError('GATEWAY_ENGINE_CONFIG', `haproxy refused its config: ${String(stderr).trim().slice(0, 2000) || err.message}`),
          );
        else resolve();
      });
    });
  }

  async #spawn(): Promise<void> {
    this.#stderr = [];
    const child = spawn(this.#binary, ['-W', '-db', '-f', this.#o.config, '-S', `${this.#o.master},mode,600`], {
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    this.#child = child;
    const keep = (text: string): void => {
      this.#stderr.push(text);
      if (this.#stderr.length > 50) this.#stderr.shift();
      for (const line of text.split('\n')) if (line.trim()) this.#log.debug({ line: line.slice(0, 500) }, 'haproxy');
    };
    // Request logs come on stdout (`log stdout`): no socket, no port on the node for them.
    if (this.#o.onLog) {
      const onLog = this.#o.onLog;
      this.#logs = new LogReader(child.stdout!, {
        batchMs: LOG_BATCH_MS,
        maxLine: MAX_LOG_LINE,
        onLine: (line) => (line.startsWith(LOG_MARK) ? onLog(line) : line.trim() ? keep(`${line}\n`) : undefined),
      });
    } else child.stdout!.on('data', (d: Buffer) => keep(d.toString()));
    child.stderr!.on('data', (d: Buffer) => keep(d.toString()));
    this.#exited = new Promise((resolve) => child.once('exit', () => resolve()));
    child.once('exit', (code, signal) => this.#onExit(child, code, signal));
    const deadline = Date.now() + (this.#o.startTimeoutMs ?? 10_000);
    for (;;) {
      if (child.exitCode !== null || child.signalCode !== null)
        throw new EngineError(
          'GATEWAY_ENGINE_START',
          `haproxy exited at start (${child.exitCode ?? child.signalCode}): ${this.#stderr.join('').trim().slice(-2000)}`,
        );
      if ((await this.#workerPid().catch(() => undefined)) !== undefined) break;
      if (Date.now() > deadline) {
        child.kill('SIGKILL');
        throw new EngineError(
          'GATEWAY_ENGINE_START',
          `haproxy did not answer within ${this.#o.startTimeoutMs ?? 10_000} ms: ${this.#stderr.join('').trim().slice(-2000)}`,
        );
      }
      await sleep(20);
    }
    // A connection of our own, open from now on: the commands that follow are written at once.
    this.runtime.close();
    await this.#workerPid();
    this.#log.info({ pid: child.pid }, 'haproxy started');
  }

  async #workerPid(): Promise<number | undefined> {
    const info = await this.runtime.command('show info');
    const m = /^Pid: (\d+)$/m.exec(info);
    return m ? Number(m[1]) : undefined;
  }

  #onExit(child: ChildProcess, code: number | null, signal: NodeJS.Signals | null): void {
    if (this.#child !== child) return;
    if (this.#state !== 'running') return;
    this.#child = undefined;
    this.#log.error({ code, signal, stderr: this.#stderr.join('').trim().slice(-1000) }, 'haproxy exited: restarting');
    this.#scheduleRestart();
  }

  #scheduleRestart(): void {
    if (this.#restartTimer || this.#state !== 'running') return;
    this.#backoffMs = Math.min(5000, this.#backoffMs ? this.#backoffMs * 2 : 100);
    this.#restartTimer = setTimeout(() => void this.#restart(), this.#backoffMs);
  }

  async #restart(): Promise<void> {
    this.#restartTimer = undefined;
    if (this.#state !== 'running') return;
    try {
      await this.#o.prepare();
      await this.#spawn();
      this.#restarts++;
      // Running a while without failing again resets the backoff.
      setTimeout(() => {
        if (this.running) this.#backoffMs = 0;
      }, 10_000).unref();
      await this.#o.onRestart?.();
    } catch (e) {
      this.#log.error({ err: (e as Error).message }, 'haproxy restart failed');
      const c = this.#child;
      if (!c || c.exitCode !== null || c.signalCode !== null) {
        this.#child = undefined;
        this.#scheduleRestart();
      }
    }
  }
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

/** Ends every HAProxy running on `config` (TERM, then KILL after 3 s); answers their pids. */
export async function endHaproxyOn(config: string): Promise<number[]> {
  const left = await haproxyOn(config);
  for (const pid of left) signal(pid, 'SIGTERM');
  const deadline = Date.now() + 3000;
  while ((await haproxyOn(config)).length && Date.now() < deadline) await sleep(50);
  for (const pid of await haproxyOn(config)) signal(pid, 'SIGKILL');
  return left;
}

/** Pids of the processes running `haproxy ... -f <config>` (a master and its workers), from /proc. */
export async function haproxyOn(config: string): Promise<number[]> {
  const out: number[] = [];
  for (const name of await readdir('/proc').catch(() => [] as string[])) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid) continue;
    const argv = await readFile(`/proc/${name}/cmdline`, 'utf8').then(
      (t) => t.split('\0'),
      () => [] as string[],
    );
    const f = argv.indexOf('-f');
    if (f >= 0 && argv[f + 1] === config && /haproxy$/.test(argv[0] ?? '')) out.push(Number(name));
  }
  return out;
}

function signal(pid: number, sig: NodeJS.Signals): void {
  try {
    process.kill(pid, sig);
  } catch {
    // already gone
  }
}
