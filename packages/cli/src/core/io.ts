/** Where a command writes: results on stdout (JSON with --json), progress and errors on stderr. */
export interface Io {
  stdout(text: string): void;
  stderr(text: string): void;
  env: Record<string, string | undefined>;
  cwd: string;
}

export function processIo(): Io {
  return {
    stdout: (t) => process.stdout.write(t),
    stderr: (t) => process.stderr.write(t),
    env: process.env,
    cwd: process.cwd(),
  };
}

/** JSON with bigints as strings (balances do not fit a JSON number). */
export function toJson(value: unknown): string {
  return JSON.stringify(value, (_k, v: unknown) => (typeof v === 'bigint' ? v.toString() : v), 2);
}

/** A command's result: printed as JSON with --json, else as text lines. */
export interface Output {
  /** The machine-readable result (stdout with --json). */
  json: unknown;
  /** Human-readable lines (stdout without --json). */
  text: string[];
  /** Set when the result is printed but something it depends on failed: written to stderr, exit 1. */
  failure?: string;
}

/** `key: value` lines for a flat record (nested values as compact JSON). */
export function fields(rec: Record<string, unknown>): string[] {
  const width = Math.max(0, ...Object.keys(rec).map((k) => k.length));
  return Object.entries(rec).map(([k, v]) => `${`${k}:`.padEnd(width + 2)}${display(v)}`);
}

export function display(v: unknown): string {
  if (v === null || v === undefined) return '-';
  if (typeof v === 'string') return v === '' ? '-' : v;
  if (typeof v === 'number' || typeof v === 'bigint' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v, (_k, x: unknown) => (typeof x === 'bigint' ? x.toString() : x));
}

/** A text table with a header row. */
export function table(header: string[], rows: (string | number)[][]): string[] {
  const cells = [header, ...rows.map((r) => r.map(String))];
  const widths = header.map((_, i) => Math.max(...cells.map((r) => (r[i] ?? '').length)));
  return cells.map((r) => r.map((c, i) => (i === r.length - 1 ? c : c.padEnd(widths[i]!))).join('  '));
}
