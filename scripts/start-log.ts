/**
 * Concise log lines for `npm start` (pino-pretty is not a dependency): pino's JSON records become
 * `12:03:04 agent  registered  nodeId=1 twinId=2`. Secrets never reach here (the components
 * never log them).
 */
import pino, { type Logger } from 'pino';

const LEVELS: Record<number, string> = { 10: 'trace', 20: 'debug', 30: '', 40: 'WARN', 50: 'ERROR', 60: 'FATAL' };
const SKIP = new Set(['level', 'time', 'pid', 'hostname', 'msg', 'service', 'module', 'component']);

function value(v: unknown): string {
  if (typeof v === 'string') return /\s/.test(v) ? JSON.stringify(v) : v;
  return JSON.stringify(v);
}

/** pino's message is a string; anything else in a record's `msg` prints as JSON, not `[object Object]`. */
function msgOf(m: unknown): string {
  if (typeof m === 'string') return m;
  return m === undefined || m === null ? '' : JSON.stringify(m);
}

/** One readable line from a pino JSON record. */
export function formatRecord(line: string, component: string): string {
  let r: Record<string, unknown>;
  try {
    r = JSON.parse(line) as Record<string, unknown>;
  } catch {
    return `${clock()} ${component.padEnd(9)} ${line.trimEnd()}`;
  }
  const mod = typeof r.module === 'string' && r.module !== component ? `/${r.module}` : '';
  const level = LEVELS[r.level as number] ?? '';
  const extra = Object.entries(r)
    .filter(([k]) => !SKIP.has(k))
    .map(([k, v]) => `${k}=${value(v)}`)
    .join(' ');
  const time = typeof r.time === 'number' ? clock(new Date(r.time)) : clock();
  return `${time} ${`${component}${mod}`.padEnd(9)} ${level ? `${level} ` : ''}${msgOf(r.msg)}${extra ? `  ${extra}` : ''}`;
}

export function clock(d = new Date()): string {
  return d.toTimeString().slice(0, 8);
}

/** A pino logger whose records print as concise lines on `out` (stdout by default). */
export function lineLogger(component: string, level: string, out: (s: string) => void = (s) => process.stdout.write(s)): Logger {
  return pino({ level, base: undefined }, { write: (s: string) => (QUIET.test(s) ? undefined : out(`${formatRecord(s, component)}\n`)) });
}

/** fastify logs every request at info: too chatty for a console. */
const QUIET = /"msg":"(incoming request|request completed)"/;
