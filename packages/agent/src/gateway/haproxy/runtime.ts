/**
 * HAProxy's runtime API over its stats Unix socket, kept open in interactive mode (`prompt`):
 * a command is written the moment it is given, behind the ones before it, so a map change made
 * by the agent reaches HAProxy before a client's next request can (what "at once" means here).
 * Replies come back in order, each ended by the prompt; each is bounded in size and time. A
 * broken connection fails what was pending and the next command opens a new one.
 */
import net from 'node:net';
import { CodedError } from '../../core/coded-error';

export type RuntimeErrorCode =
  'HAPROXY_RUNTIME_TIMEOUT' | 'HAPROXY_RUNTIME_TOO_LARGE' | 'HAPROXY_RUNTIME_UNREACHABLE' | 'HAPROXY_RUNTIME_REFUSED';

export class RuntimeError extends CodedError<RuntimeErrorCode> {}

export interface RuntimeOptions {
  /** The stats socket (level admin). */
  socket: string;
  /** One command's reply must come within this. Default 5 s. */
  timeoutMs?: number;
  /** Largest reply read; more fails the command. Default 16 MiB (show table of many routes). */
  maxReplyBytes?: number;
}

/** Replies of commands that change state: empty, or one of these (anything else is HAProxy saying no). */
const OK_WORDS =
  /^(|Done\.|New server registered\.|Server deleted\.|Entry .*|Transaction .*|Committing .*|.*committed.*|New .*|Inserting .*|.*success.*|IP changed from .*|no need to change .*)$/i;
const PROMPT = '\n> ';

interface Pending {
  resolve: (reply: string) => void;
  reject: (e: Error) => void;
  at: number;
}

export class Runtime {
  readonly socket: string;
  readonly #timeoutMs: number;
  readonly #max: number;
  #conn: net.Socket | undefined;
  readonly #pending: Pending[] = [];
  #buf = '';
  #skipFirst = false;
  #timer: NodeJS.Timeout | undefined;

  constructor(o: RuntimeOptions) {
    this.socket = o.socket;
    this.#timeoutMs = o.timeoutMs ?? 5000;
    this.#max = o.maxReplyBytes ?? 16 * 1024 * 1024;
  }

  /** Sends one command (with a payload for `<<` commands), answers the raw reply. */
  command(cmd: string, payload?: string): Promise<string> {
    if (/[\r\n]/.test(cmd)) return Promise.reject(new RuntimeError('HAPROXY_RUNTIME_REFUSED', 'a runtime command is one line'));
    if (payload !== undefined && /\n\s*\n/.test(payload.trim()))
      return Promise.reject(new RuntimeError('HAPROXY_RUNTIME_REFUSED', 'a runtime payload has no empty line'));
    const text = payload === undefined ? `${cmd}\n` : `${cmd} <<\n${payload.trim()}\n\n`;
    return new Promise((resolve, reject) => {
      const c = this.#connection();
      this.#pending.push({ resolve, reject, at: Date.now() });
      c.write(text);
      this.#arm();
    });
  }

  /** A command that changes state: fails with HAPROXY_RUNTIME_REFUSED when HAProxy answers an error. */
  async change(cmd: string, payload?: string): Promise<string> {
    const reply = (await this.command(cmd, payload)).trim();
    // A payload's lines are each answered with a "+ " prompt in interactive mode.
    const lines = reply.split('\n').map((l) => l.replace(/^(\+ )+/, '').trim());
    if (lines.some((l) => !OK_WORDS.test(l)))
      throw new RuntimeError('HAPROXY_RUNTIME_REFUSED', `${cmd.slice(0, 200)}: ${reply.slice(0, 500)}`);
    return reply;
  }

  /** Resolves once every command given so far has been answered (or failed). */
  async settled(): Promise<void> {
    const last = this.#pending[this.#pending.length - 1];
    if (!last) return;
    await new Promise<void>((r) => {
      const { resolve, reject } = last;
      last.resolve = (x) => (resolve(x), r());
      last.reject = (e) => (reject(e), r());
    });
  }

  /** Closes the connection (pending commands fail). */
  close(): void {
    this.#fail(new RuntimeError('HAPROXY_RUNTIME_UNREACHABLE', 'runtime connection closed'));
  }

  #connection(): net.Socket {
    if (this.#conn && !this.#conn.destroyed) return this.#conn;
    const s = net.connect(this.socket);
    this.#conn = s;
    this.#buf = '';
    // Interactive mode: the prompt ends every reply (the one after `prompt` itself is skipped).
    this.#skipFirst = true;
    s.write('prompt\n');
    s.setEncoding('utf8');
    s.on('data', (d: string) => {
      if (this.#conn !== s) return;
      this.#buf += d;
      for (;;) {
        const at = this.#buf.indexOf(PROMPT);
        if (at < 0) break;
        const reply = this.#buf.slice(0, at);
        this.#buf = this.#buf.slice(at + PROMPT.length);
        if (this.#skipFirst) {
          this.#skipFirst = false;
          continue;
        }
        const p = this.#pending.shift();
        if (reply.length > this.#max)
          p?.reject(new RuntimeError('HAPROXY_RUNTIME_TOO_LARGE', `haproxy runtime reply over ${this.#max} bytes`));
        else p?.resolve(reply);
      }
      if (this.#buf.length > this.#max)
        this.#fail(new RuntimeError('HAPROXY_RUNTIME_TOO_LARGE', `haproxy runtime reply over ${this.#max} bytes`));
      this.#arm();
    });
    s.on(
      'error',
      (e: NodeJS.ErrnoException) =>
        this.#conn === s &&
        this.#fail(new RuntimeError('HAPROXY_RUNTIME_UNREACHABLE', `haproxy runtime socket ${this.socket}: ${e.code ?? e.message}`)),
    );
    s.on(
      'close',
      () => this.#conn === s && this.#fail(new RuntimeError('HAPROXY_RUNTIME_UNREACHABLE', `haproxy runtime socket ${this.socket} closed`)),
    );
    return s;
  }

  #arm(): void {
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    const head = this.#pending[0];
    if (!head) return;
    const left = Math.max(1, head.at + this.#timeoutMs - Date.now());
    this.#timer = setTimeout(
      () => this.#fail(new RuntimeError('HAPROXY_RUNTIME_TIMEOUT', `haproxy runtime API did not answer within ${this.#timeoutMs} ms`)),
      left,
    );
    this.#timer.unref();
  }

  #fail(e: Error): void {
    const s = this.#conn;
    this.#conn = undefined;
    s?.destroy();
    if (this.#timer) clearTimeout(this.#timer);
    this.#timer = undefined;
    for (const p of this.#pending.splice(0)) p.reject(e);
  }
}

/** `show stat` CSV → one record per line, keyed by the header's field names. */
export function parseStatCsv(text: string): Record<string, string>[] {
  const lines = text.split('\n').filter((l) => l.length > 0);
  const head = lines.shift();
  if (!head?.startsWith('# ')) return [];
  const names = head.slice(2).split(',');
  return lines.map((l) => {
    const f = l.split(',');
    const r: Record<string, string> = {};
    names.forEach((n, i) => n && (r[n] = f[i] ?? ''));
    return r;
  });
}

/** `show table <t>` → key → its stored values (and `use`, the trackers: requests and tunnels in flight). */
export function parseTable(text: string): Map<string, Record<string, number>> {
  const out = new Map<string, Record<string, number>>();
  for (const line of text.split('\n')) {
    if (!line.startsWith('0x')) continue;
    const key = /\skey=(\S*)/.exec(line)?.[1];
    if (key === undefined) continue;
    const v: Record<string, number> = {};
    for (const m of line.matchAll(/\s([a-z_0-9()]+)=(-?\d+)(?=\s|$)/g)) v[m[1]!] = Number(m[2]);
    out.set(key, v);
  }
  return out;
}

/** `show servers conn [<backend>]` → `backend/server` → its address, port and connection counts (used_cur, idle_cur…). */
export function parseServersConn(text: string): Map<string, { addr: string; port: string; n: Record<string, number> }> {
  const out = new Map<string, { addr: string; port: string; n: Record<string, number> }>();
  const lines = text.split('\n').filter((l) => l.trim().length > 0);
  const head = lines.shift();
  if (!head?.startsWith('# ')) return out;
  const names = head.slice(2).trim().split(/\s+/);
  for (const l of lines) {
    const f = l.trim().split(/\s+/);
    const n: Record<string, number> = {};
    names.forEach((k, i) => {
      const v = Number(f[i]);
      if (Number.isFinite(v)) n[k] = v;
    });
    out.set(f[0] ?? '', { addr: f[names.indexOf('addr')] ?? '', port: f[names.indexOf('port')] ?? '', n });
  }
  return out;
}
