/** The machine's processes from /proc (no procps needed): pid and command line, zombies left out. */
import { readdirSync, readFileSync } from 'node:fs';

export interface ProcessLine {
  pid: number;
  args: string;
}

export function processes(): ProcessLine[] {
  const out: ProcessLine[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    try {
      // A zombie has an empty cmdline: it is gone but for its exit status.
      const args = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').filter(Boolean).join(' ');
      if (args) out.push({ pid: Number(name), args });
    } catch {
      /* ended while reading */
    }
  }
  return out;
}

/** Processes whose command line contains `text` (e.g. a grid's data directory). */
export const processesMentioning = (text: string): ProcessLine[] => processes().filter((p) => p.args.includes(text));
