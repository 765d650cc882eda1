/**
 * The root README's walkthrough, run as written: its ```sh walkthrough blocks, in order, in ONE
 * bash shell (exports carry over; `set -e -o pipefail`), in a fresh directory, against a real
 * `npm start` on a temp data directory and free ports. TFGRID_URL, TFGRID_EXPLORER and
 * TFGRID_IMAGES_PORT point the README's text there. The agent runs its zmachines in runc (the
 * test runs as root) on a bridge and range of its own; whatever a failing run leaves of them —
 * containers, mounts, the bridge — is removed at the end. Every block must run to its end and
 * print what its `# → TEXT` comments promise. Nothing of the README is copied here: change the
 * text, the test follows.
 */
import { execFileSync, spawn } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cleanupAgentLeftovers } from './helpers';
import { interrupt, ROOT, startSystem, type Started } from './npm-start';

jest.setTimeout(600_000);

/** The whole script may take this long (about 30 npx runs of a few seconds, one deployment). */
const SCRIPT_TIMEOUT_MS = 420_000;
const MAX_BLOCKS = 40;
/** The zmachines' node-local bridge and range of this test's agent (not the defaults a real `npm start` uses). */
const BRIDGE = 'tfgrid-rdm0';
const SUBNET = '10.251.0.0/24';

interface Block {
  /** 1-based README line of the opening fence. */
  line: number;
  code: string;
  /** Texts the block's output must contain: `# → TEXT` at the end of a line. */
  expects: string[];
}

/** The ```sh walkthrough blocks of a markdown text, in order. */
function walkthroughBlocks(markdown: string): Block[] {
  const blocks: Block[] = [];
  const lines = markdown.split('\n');
  for (let i = 0; i < lines.length; i++) {
    if (!/^```sh walkthrough\s*$/.test(lines[i]!)) continue;
    const start = i;
    const body: string[] = [];
    for (i++; i < lines.length && !/^```\s*$/.test(lines[i]!); i++) body.push(lines[i]!);
    if (i >= lines.length) throw new Error(`README line ${start + 1}: the walkthrough block is not closed`);
    const expects = body.map((l) => /#\s*→\s*(.+?)\s*$/.exec(l)?.[1]).filter((x): x is string => x !== undefined);
    blocks.push({ line: start + 1, code: body.join('\n'), expects });
  }
  return blocks;
}

let work: string;
let data: string;
let system: Started | undefined;

beforeAll(async () => {
  work = mkdtempSync(path.join(tmpdir(), 'tfgrid-readme-'));
  data = path.join(work, 'data');
  // The agent runs workloads as an unprivileged user when it is root: it must traverse to its pool.
  chmodSync(work, 0o711);
  mkdirSync(data, { mode: 0o711 });
});

afterAll(async () => {
  if (system) await interrupt(system).catch(() => system!.child.kill('SIGKILL'));
  removeContainers(path.join(data, 'agent', 'runc'));
  await cleanupAgentLeftovers(work, BRIDGE);
  rmSync(work, { recursive: true, force: true });
});

/** Containers the agent left under its runc root (none when the walkthrough canceled its contract). */
function removeContainers(root: string): void {
  if (!existsSync(root)) return;
  const ids = execFileSync('runc', ['--root', root, 'list', '-q'], { encoding: 'utf8' }).split('\n').filter(Boolean);
  for (const id of ids) execFileSync('runc', ['--root', root, 'delete', '--force', id], { stdio: 'ignore' });
}

test('the README walkthrough runs as written against npm start', async () => {
  const blocks = walkthroughBlocks(readFileSync(path.join(ROOT, 'README.md'), 'utf8'));
  expect(blocks.length).toBeGreaterThan(0);
  expect(blocks.length).toBeLessThanOrEqual(MAX_BLOCKS);
  // `a && b` hides a failing `a` from `set -e`: the README keeps one command per line.
  for (const b of blocks) expect({ line: b.line, chained: b.code.split('\n').filter((l) => /\s&&\s/.test(l.replace(/#.*$/, ''))) }).toEqual({ line: b.line, chained: [] });

  system = await startSystem(data, { TFGRID_AGENT_WORKLOAD_BRIDGE: BRIDGE, TFGRID_AGENT_WORKLOAD_SUBNET: SUBNET });
  // A fresh directory where the README's files (keys, web.json) go; `npx tfgrid` finds the
  // checkout's bin through node_modules, as it does at the checkout's root.
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

  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TFGRID_URL: system.urls.chain,
    TFGRID_EXPLORER: system.urls.explorer,
    TFGRID_IMAGES_PORT: new URL(system.urls.images).port,
    WALKTHROUGH_LOGS: logs,
    // A missing bin must fail here, never be fetched from a registry.
    npm_config_offline: 'true',
    npm_config_update_notifier: 'false',
  };
  const code = await runBash(path.join(logs, 'walkthrough.sh'), cwd, env);

  const done = existsSync(path.join(logs, 'done')) ? readFileSync(path.join(logs, 'done'), 'utf8').split('\n').filter(Boolean).map(Number) : [];
  const read = (f: string): string => (existsSync(path.join(logs, f)) ? readFileSync(path.join(logs, f), 'utf8') : '');
  const trace = read('trace');
  blocks.forEach((b, i) => {
    const out = read(`${i}.out`);
    const why = `README block at line ${b.line}:\n${b.code}\n--- its output:\n${out}\n--- last commands:\n${trace.split('\n').slice(-15).join('\n')}\n--- npm start:\n${system!.out().slice(-3000)}`;
    if (!done.includes(i)) throw new Error(`did not run to its end (bash exit ${code}): ${why}`);
    for (const text of b.expects) if (!out.includes(text)) throw new Error(`its output lacks '${text}': ${why}`);
  });
  expect(code).toBe(0);
  expect(blocks.flatMap((b) => b.expects).length).toBeGreaterThan(0);
});

/** bash on `file` in its own process group (npx and node below it), killed as a group on timeout. */
function runBash(file: string, cwd: string, env: NodeJS.ProcessEnv): Promise<number | null> {
  return new Promise((resolve, reject) => {
    const child = spawn('bash', [file], { cwd, env, stdio: 'ignore', detached: true });
    const timer = setTimeout(() => process.kill(-child.pid!, 'SIGKILL'), SCRIPT_TIMEOUT_MS);
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
