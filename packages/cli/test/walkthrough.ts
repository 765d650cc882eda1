/**
 * README walkthroughs run as written: the blocks fenced ```sh <kind> of a markdown text, in order,
 * in ONE bash shell (exports carry over; `set -e -o pipefail`), each block's output kept apart.
 * Every block must run to its end and print what its `# → TEXT` comments promise. Nothing of the
 * README is copied into a test: change the text, the test follows.
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, symlinkSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from './npm-start';

export interface Block {
  /** 1-based README line of the opening fence. */
  line: number;
  code: string;
  /** Texts the block's output must contain: `# → TEXT` at the end of a line. */
  expects: string[];
}

/** At most this many blocks of one kind (a runaway README is a mistake). */
const MAX_BLOCKS = 40;

/** The ```sh <kind> blocks of a markdown text, in order. */
export function walkthroughBlocks(markdown: string, kind: string): Block[] {
  const blocks: Block[] = [];
  const lines = markdown.split('\n');
  const open = new RegExp(`^\`\`\`sh ${kind}\\s*$`);
  for (let i = 0; i < lines.length; i++) {
    if (!open.test(lines[i]!)) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]!); i++) body.push(lines[i]!);
    if (i >= lines.length) throw new Error(`README line ${start + 1}: the ${kind} block is not closed`);
    const expects = body.map((l) => /#\s*→\s*(.+?)\s*$/.exec(l)?.[1]).filter((x): x is string => x !== undefined);
    blocks.push({ line: start + 1, code: body.join('\n'), expects });
  }
  if (blocks.length === 0) throw new Error(`the README has no \`\`\`sh ${kind} block`);
  if (blocks.length > MAX_BLOCKS) throw new Error(`the README has ${blocks.length} ${kind} blocks (at most ${MAX_BLOCKS})`);
  // `a && b` hides a failing `a` from `set -e`: the README keeps one command per line.
  for (const b of blocks) {
    const chained = b.code.split('\n').filter((l) => /\s&&\s/.test(l.replace(/#.*$/, '')));
    if (chained.length) throw new Error(`README block at line ${b.line} chains commands with &&: ${chained.join(' | ')}`);
  }
  return blocks;
}

/** The README's blocks of `kind`. */
export const readmeBlocks = (kind: string): Block[] => walkthroughBlocks(readFileSync(path.join(ROOT, 'README.md'), 'utf8'), kind);

export interface WalkthroughRun {
  /** bash's exit code (null: killed at the timeout). */
  code: number | null;
  /** Throws, naming the block, its output and the last commands, when a block did not run to its end or lacks a promised text. */
  check(context: () => string): void;
}

/**
 * Runs `blocks` in one bash in a fresh `<work>/shell` directory (where the README's files go;
 * `npx tfgrid` finds the checkout's bin through a node_modules link, as at the checkout's root),
 * with only `env` (plus PATH and HOME) in its environment; bash and all below it are killed after `timeoutMs`.
 */
export async function runWalkthrough(
  blocks: Block[],
  work: string,
  env: Record<string, string>,
  timeoutMs: number,
): Promise<WalkthroughRun> {
  const cwd = path.join(work, 'shell');
  mkdirSync(cwd);
  symlinkSync(path.join(ROOT, 'node_modules'), path.join(cwd, 'node_modules'), 'dir');
  const logs = path.join(work, 'logs');
  mkdirSync(logs);
  const script = ['set -e -o pipefail', 'exec 3>>"$WALKTHROUGH_LOGS/trace"', 'BASH_XTRACEFD=3', 'set -x'];
  blocks.forEach((b, i) => {
    writeFileSync(path.join(logs, `${i}.sh`), `${b.code}\n`);
    script.push(`. "$WALKTHROUGH_LOGS/${i}.sh" > "$WALKTHROUGH_LOGS/${i}.out" 2>&1`, `echo ${i} >> "$WALKTHROUGH_LOGS/done"`);
  });
  writeFileSync(path.join(logs, 'walkthrough.sh'), `${script.join('\n')}\n`);
  const code = await runBash(
    path.join(logs, 'walkthrough.sh'),
    cwd,
    {
      PATH: process.env.PATH,
      HOME: process.env.HOME,
      ...env,
      WALKTHROUGH_LOGS: logs,
      // A missing bin must fail here, never be fetched from a registry.
      npm_config_offline: 'true',
      npm_config_update_notifier: 'false',
    },
    timeoutMs,
  );
  const read = (f: string): string => (existsSync(path.join(logs, f)) ? readFileSync(path.join(logs, f), 'utf8') : '');
  return {
    code,
    check(context) {
      const done = read('done').split('\n').filter(Boolean).map(Number);
      const trace = read('trace');
      blocks.forEach((b, i) => {
        const out = read(`${i}.out`);
        const why = (): string =>
          `README block at line ${b.line}:\n${b.code}\n--- its output:\n${out}\n--- last commands:\n${trace.split('\n').slice(-15).join('\n')}\n--- ${context()}`;
        if (!done.includes(i)) throw new Error(`did not run to its end (bash exit ${code}): ${why()}`);
        for (const text of b.expects) if (!out.includes(text)) throw new Error(`its output lacks '${text}': ${why()}`);
      });
    },
  };
}

/** bash on `file` in its own process group (npx and node below it), killed as a group on timeout. */
function runBash(file: string, cwd: string, env: NodeJS.ProcessEnv, timeoutMs: number): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [file], { cwd, env, stdio: 'ignore', detached: true });
    const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), timeoutMs);
    child.once('error', (e) => {
      clearTimeout(timer);
      reject(e);
    });
    child.once('exit', (code, signal) => {
      clearTimeout(timer);
      // Whatever the walkthrough left running below bash goes with it.
      try {
        process.kill(-child.pid!, 'SIGKILL');
      } catch {
        /* the group is already gone */
      }
      resolve(signal ? null : code);
    });
  });
}
