/**
 * `tfgrid`: finds the command in the table, parses its options (node:util parseArgs, strict),
 * runs it and maps failures to exit codes: 0 done, 1 refused/unreachable, 2 bad input.
 */
import { parseArgs } from 'node:util';
import type { Args, Command, OptionSpec } from './core/command';
import { COMMANDS } from './commands';
import { Context, type GlobalOptions } from './core/context';
import { CliFailure, UsageError } from './core/errors';
import { explain } from './core/explain';
import { processIo, toJson, type Io } from './core/io';
import { VERSION } from './core/version';

export const GLOBAL_OPTIONS: Record<string, OptionSpec> = {
  network: { type: 'string', value: 'NAME', help: 'dev (default), devnet, qanet, testnet or mainnet (env TFGRID_NETWORK)' },
  url: { type: 'string', value: 'WS_URL', help: 'a chain WebSocket URL instead of a network preset (env TFGRID_URL)' },
  'mnemonic-file': {
    type: 'string',
    value: 'FILE',
    help: 'file holding the signing key; wins over env TFGRID_MNEMONIC (the key itself, e.g. //Alice on the dev chain), which wins over env TFGRID_MNEMONIC_FILE',
  },
  'key-type': { type: 'string', value: 'TYPE', help: 'sr25519 (default) or ed25519' },
  explorer: { type: 'string', value: 'URL', help: 'explorer API (default per network; dev: http://127.0.0.1:8080; env TFGRID_EXPLORER)' },
  json: { type: 'boolean', help: 'machine-readable output on stdout (progress stays on stderr)' },
  field: {
    type: 'string',
    value: 'NAME',
    help: 'print only this field of the result, e.g. address or contractId (dotted for nested ones), for scripts',
  },
  quiet: { type: 'boolean', short: 'q', help: 'no progress lines' },
  timeout: { type: 'string', value: 'SECONDS', help: 'give up waiting for the chain or explorer after this long (default 60)' },
  help: { type: 'boolean', short: 'h', help: 'help for tfgrid or a command' },
};

const byName = new Map(COMMANDS.map((c) => [c.name, c]));
const groups = [...new Set(COMMANDS.map((c) => c.name.split(' ')[0]!))];

/** Every option any command knows (types agree across commands), so one strict parse finds the command words. */
function allOptions(): Record<string, OptionSpec> {
  const all: Record<string, OptionSpec> = { ...GLOBAL_OPTIONS };
  for (const c of COMMANDS) Object.assign(all, c.options ?? {});
  return all;
}

type ParseSpec = Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }>;
const spec = (o: Record<string, OptionSpec>): ParseSpec =>
  Object.fromEntries(
    Object.entries(o).map(([k, v]) => [
      k,
      { type: v.type, ...(v.multiple ? { multiple: true } : {}), ...(v.short ? { short: v.short } : {}) },
    ]),
  );

export function usage(): string {
  const rows = COMMANDS.map((c) => `  ${`${c.name}${c.args ? ` ${c.args}` : ''}`.padEnd(34)} ${c.summary}`);
  return [
    'tfgrid — the ThreeFold grid from the command line, for farmers and deployers',
    '',
    'usage: tfgrid COMMAND [ARGS] [OPTIONS]',
    '',
    'commands:',
    ...rows,
    '',
    'options for every command:',
    ...optionLines(GLOBAL_OPTIONS),
    '',
    'tfgrid --version (-V) prints the version.',
    "Run `tfgrid COMMAND --help` for a command's options. Exit codes: 0 done, 1 refused or unreachable, 2 bad input.",
  ].join('\n');
}

function optionLines(o: Record<string, OptionSpec>): string[] {
  return Object.entries(o).map(
    ([k, v]) =>
      `  ${`${v.short ? `-${v.short}, ` : ''}--${k}${v.value ? ` ${v.value}` : ''}`.padEnd(30)} ${v.help}${v.multiple ? ' (repeatable)' : ''}`,
  );
}

export function commandHelp(c: Command): string {
  return [
    `tfgrid ${c.name}${c.args ? ` ${c.args}` : ''}${c.options && Object.keys(c.options).length ? ' [OPTIONS]' : ''}`,
    '',
    c.summary,
    ...(c.options && Object.keys(c.options).length ? ['', 'options:', ...optionLines(c.options)] : []),
    ...(c.details ? ['', c.details.trim()] : []),
    '',
    'global options: --network NAME | --url WS_URL, --mnemonic-file FILE, --key-type TYPE, --explorer URL, --json, --field NAME, --quiet, --timeout SECONDS',
  ].join('\n');
}

/** Finds the longest command name the positionals start with. */
function findCommand(pos: string[]): { command?: Command; rest: string[] } {
  const two = byName.get(`${pos[0]} ${pos[1]}`);
  if (two) return { command: two, rest: pos.slice(2) };
  const one = byName.get(pos[0] ?? '');
  if (one) return { command: one, rest: pos.slice(1) };
  return { rest: pos };
}

/** Runs the CLI; answers the exit code. `io` lets tests capture output without a process. */
export async function main(argv: string[], io: Io = processIo()): Promise<number> {
  let json = argv.includes('--json');
  let ctx: Context | undefined;
  let current: Command | undefined;
  try {
    // `--version` alone, before the table's parse: `contracts update --version N` is a command's own option.
    const version = (a: string): boolean => a === '--version' || a === '-V';
    if (argv.some(version) && argv.every((a) => version(a) || a === '--json')) {
      io.stdout(json ? `${toJson({ version: VERSION })}\n` : `tfgrid ${VERSION}\n`);
      return 0;
    }
    let parsed;
    try {
      parsed = parseArgs({ args: argv, options: spec(allOptions()), allowPositionals: true, strict: true, tokens: true });
    } catch (e) {
      throw new UsageError((e as Error).message.replace(/\. To specify a positional argument.*$/s, ''));
    }
    const { command, rest } = findCommand(parsed.positionals);
    const v = parsed.values as Args['values'];
    json = v.json === true;
    if (!command) {
      if (parsed.positionals.length === 0 || v.help) {
        const group = parsed.positionals[0];
        if (group && groups.includes(group)) io.stdout(`${groupHelp(group)}\n`);
        else if (group) throw new UsageError(`unknown command '${group}' (commands: ${groups.join(', ')})`);
        else io.stdout(`${usage()}\n`);
        return parsed.positionals.length === 0 && !v.help ? 2 : 0;
      }
      const [g, s] = parsed.positionals;
      if (g && groups.includes(g))
        throw new UsageError(s ? `unknown command '${g} ${s}' (${subsOf(g)})` : `'${g}' needs a subcommand (${subsOf(g)})`, g);
      throw new UsageError(`unknown command '${g}' (commands: ${groups.join(', ')})`);
    }
    current = command;
    if (v.help) {
      io.stdout(`${commandHelp(command)}\n`);
      return 0;
    }
    // Options given but not this command's (nor global) are refused by name.
    const allowed = new Set([...Object.keys(GLOBAL_OPTIONS), ...Object.keys(command.options ?? {})]);
    for (const t of parsed.tokens ?? []) {
      if (t.kind === 'option' && !allowed.has(t.name))
        throw new UsageError(`option --${t.name} is not an option of '${command.name}'`, command.name);
    }
    const min = command.minArgs ?? 0;
    const max = command.maxArgs ?? min;
    if (rest.length < min) throw new UsageError(`'${command.name}' needs ${command.args ?? `${min} argument(s)`}`, command.name);
    if (rest.length > max) throw new UsageError(`unexpected argument(s) for '${command.name}': ${rest.slice(max).join(' ')}`, command.name);
    const timeout = v.timeout === undefined ? 60 : Number(v.timeout);
    if (!Number.isFinite(timeout) || timeout <= 0)
      throw new UsageError(`--timeout must be a positive number of seconds, got '${String(v.timeout)}'`);
    const g: GlobalOptions = {
      ...(typeof v.network === 'string' ? { network: v.network } : {}),
      ...(typeof v.url === 'string' ? { url: v.url } : {}),
      ...(typeof v['mnemonic-file'] === 'string' ? { mnemonicFile: v['mnemonic-file'] } : {}),
      ...(typeof v['key-type'] === 'string' ? { keyType: v['key-type'] } : {}),
      ...(typeof v.explorer === 'string' ? { explorer: v.explorer } : {}),
      json,
      quiet: v.quiet === true,
      timeoutSec: timeout,
    };
    if (g.network && g.url) throw new UsageError('give --network or --url, not both');
    ctx = new Context(io, g);
    const out = await command.run(ctx, { positionals: rest, values: v });
    const field = typeof v.field === 'string' ? v.field : undefined;
    if (field !== undefined) io.stdout(`${pickField(out.json, field, command.name)}\n`);
    else io.stdout(json ? `${toJson(out.json)}\n` : out.text.length ? `${out.text.join('\n')}\n` : '');
    if (out.failure) io.stderr(`tfgrid: ${out.failure}\n`);
    return out.failure ? 1 : 0;
  } catch (raw) {
    const e = explain(raw, ctx?.signer);
    if (e instanceof UsageError) {
      const about = e.command ?? current?.name;
      io.stderr(
        `tfgrid: ${e.message}\n${about ? `run \`tfgrid ${about} --help\` for its usage\n` : 'run `tfgrid --help` for the commands\n'}`,
      );
      if (json) io.stdout(`${toJson({ error: { kind: 'usage', message: e.message } })}\n`);
      return 2;
    }
    if (e instanceof CliFailure) {
      io.stderr(`tfgrid: ${e.message}\n`);
      if (json) io.stdout(`${toJson({ error: { ...e.detail, message: e.message } })}\n`);
      return 1;
    }
    const err = e as Error;
    io.stderr(`tfgrid: ${err?.message ?? String(e)}\n`);
    if (json) io.stdout(`${toJson({ error: { kind: 'internal', message: err?.message ?? String(e) } })}\n`);
    return 1;
  } finally {
    await ctx?.close();
  }
}

/** One field of a result for `--field`: a string as it is, anything else as compact JSON. */
function pickField(result: unknown, field: string, command: string): string {
  let v: unknown = result;
  for (const k of field.split('.')) {
    if (typeof v !== 'object' || v === null || !(k in v)) {
      const known =
        result && typeof result === 'object' && !Array.isArray(result) ? ` (its fields: ${Object.keys(result).join(', ')})` : '';
      throw new UsageError(`the result of '${command}' has no field '${field}'${known}`, command);
    }
    v = (v as Record<string, unknown>)[k];
  }
  return typeof v === 'string' ? v : toJson(v).replace(/\n\s*/g, ' ');
}

function subsOf(group: string): string {
  return COMMANDS.filter((c) => c.name.startsWith(`${group} `))
    .map((c) => c.name.split(' ')[1])
    .join(', ');
}

function groupHelp(group: string): string {
  const cmds = COMMANDS.filter((c) => c.name === group || c.name.startsWith(`${group} `));
  return [
    `tfgrid ${group}:`,
    ...cmds.map((c) => `  ${`${c.name}${c.args ? ` ${c.args}` : ''}`.padEnd(34)} ${c.summary}`),
    '',
    'Run `tfgrid COMMAND --help` for its options.',
  ].join('\n');
}
