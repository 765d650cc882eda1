/** The command table's shape: one entry per `group sub`, each with its options and help. */
import type { Context } from './context';
import type { Output } from './io';

export interface OptionSpec {
  type: 'string' | 'boolean';
  multiple?: boolean;
  short?: string;
  /** Placeholder shown in help (`--name NAME`). */
  value?: string;
  help: string;
}

export interface Args {
  positionals: string[];
  values: Record<string, string | boolean | string[] | undefined>;
}

export interface Command {
  /** `farm create`, `status`. */
  name: string;
  summary: string;
  /** Positionals, e.g. `ID` or `[ADDRESS]` (shown in usage; counted for checks). */
  args?: string;
  minArgs?: number;
  maxArgs?: number;
  options?: Record<string, OptionSpec>;
  /** Longer help: examples and notes. */
  details?: string;
  run(ctx: Context, args: Args): Promise<Output>;
}

/** A string option's value (the last one when repeated). */
export function str(a: Args, name: string): string | undefined {
  const v = a.values[name];
  return Array.isArray(v) ? v[v.length - 1] : typeof v === 'string' ? v : undefined;
}

export function list(a: Args, name: string): string[] {
  const v = a.values[name];
  return Array.isArray(v) ? v : typeof v === 'string' ? [v] : [];
}

export function flag(a: Args, name: string): boolean {
  return a.values[name] === true;
}
