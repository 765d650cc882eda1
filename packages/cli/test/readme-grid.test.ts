/**
 * The root README's multi-node example, run as written: its ```sh grid-walkthrough blocks against a
 * real `npm start -- --nodes 3` (a grid in network namespaces, on a subnet of its own) with the
 * agent fixture's hardware. TFGRID_URL and TFGRID_EXPLORER point the CLI at the grid's loopback
 * relays, TFGRID_IMAGE at the dev image as the nodes reach it, TFGRID_ACME_ROOT at the local ACME CA's root. SIGINT removes the grid; whatever
 * the agents left mounted under the data directory is unmounted at the end.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { freeSubnetIn, listNamespaces } from '@tfgrid/localgrid';
import { unmountUnder } from '@tfgrid/testkit';
import { interrupt, startGridSystem, type StartedGrid } from './npm-start';
import { readmeBlocks, runWalkthrough } from './walkthrough';

jest.setTimeout(900_000);

const SCRIPT_TIMEOUT_MS = 480_000;

let work: string;
let grid: StartedGrid | undefined;
let subnet: number;

beforeAll(() => {
  work = mkdtempSync(path.join(tmpdir(), 'tfgrid-readme-grid-'));
  // The agents run workloads as an unprivileged user: they must traverse to their pools.
  chmodSync(work, 0o711);
  mkdirSync(path.join(work, 'data'), { mode: 0o711 });
  // 101-149: outside the automatic range (200-249), other tests' (150-199) and npm start's default (100).
  subnet = freeSubnetIn(101, 149);
});

afterAll(async () => {
  if (grid) await interrupt(grid).catch(() => grid!.child.kill('SIGKILL'));
  unmountUnder(work);
  rmSync(work, { recursive: true, force: true });
});

test('the README multi-node example runs as written against npm start -- --nodes 3', async () => {
  const blocks = readmeBlocks('grid-walkthrough');
  grid = await startGridSystem(path.join(work, 'data'), 3, subnet);
  // The deployer's saved networks go to the test's directory, not to this machine's ~/.config.
  const state = { TFGRID_STATE_DIR: path.join(work, 'networks') };
  const run = await runWalkthrough(
    blocks,
    work,
    {
      TFGRID_URL: grid.urls.chain,
      TFGRID_EXPLORER: grid.urls.explorer,
      TFGRID_IMAGE: grid.urls.image,
      TFGRID_ACME_ROOT: grid.urls.acmeRoot,
      ...state,
    },
    SCRIPT_TIMEOUT_MS,
  );
  run.check(() => `npm start -- --nodes 3:\n${grid!.out().slice(-3000)}`);
  expect(run.code).toBe(0);
  expect(await interrupt(grid)).toBe(0);
  expect(listNamespaces().filter((ns) => ns.startsWith(`lg${subnet}-`))).toEqual([]);
  grid = undefined;
});
