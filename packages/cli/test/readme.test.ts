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
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { cleanupAgentLeftovers } from './helpers';
import { interrupt, startSystem, type Started } from './npm-start';
import { readmeBlocks, runWalkthrough } from './walkthrough';

jest.setTimeout(600_000);

/** The whole script may take this long (about 30 npx runs of a few seconds, one deployment). */
const SCRIPT_TIMEOUT_MS = 420_000;
/** The zmachines' node-local bridge and range of this test's agent (not the defaults a real `npm start` uses). */
const BRIDGE = 'tfgrid-rdm0';
const SUBNET = '10.251.0.0/24';

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
  const blocks = readmeBlocks('walkthrough');
  system = await startSystem(data, { TFGRID_AGENT_WORKLOAD_BRIDGE: BRIDGE, TFGRID_AGENT_WORKLOAD_SUBNET: SUBNET });
  const run = await runWalkthrough(
    blocks,
    work,
    { TFGRID_URL: system.urls.chain, TFGRID_EXPLORER: system.urls.explorer, TFGRID_IMAGES_PORT: new URL(system.urls.images).port },
    SCRIPT_TIMEOUT_MS,
  );
  run.check(() => `npm start:\n${system!.out().slice(-3000)}`);
  expect(run.code).toBe(0);
  expect(blocks.flatMap((b) => b.expects).length).toBeGreaterThan(0);
});
