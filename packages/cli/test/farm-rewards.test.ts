/**
 * tfgrid farm rewards against an explorer API over the rewards fixture store (built by the
 * explorer's own handlers, no chain: packages/explorer/test/rewards-fixture.ts): the text table,
 * --json with every input, --period, and the refusals.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { FastifyInstance } from 'fastify';
import { buildApp, type ExplorerDb } from '@tfgrid/explorer';
import { FIXTURE_PERIOD, buildRewardsStore } from '../../explorer/test/rewards-fixture';
import { cli } from './helpers';

const dir = mkdtempSync(path.join(tmpdir(), 'cli-farm-rewards-'));
let db: ExplorerDb;
let app: FastifyInstance;
let url = '';
const at = (): string[] => ['--explorer', url, '--quiet'];

beforeAll(async () => {
  const store = await buildRewardsStore(dir);
  db = store.db;
  app = await buildApp({ db, view: store.view });
  url = await app.listen({ port: 0, host: '127.0.0.1' });
});
afterAll(async () => {
  await app?.close();
  await db?.close();
  rmSync(dir, { recursive: true, force: true });
});

test('farm rewards FARM --period N: a line per node, the total, and why a node earns nothing', async () => {
  const r = await cli(['farm', 'rewards', '3', '--period', String(FIXTURE_PERIOD.id), ...at()]);
  expect(r.stderr).toBe('');
  expect(r.code).toBe(0);
  expect(r.stdout).toMatch(/farm:\s+3 'alpha'/);
  expect(r.stdout).toMatch(/period:\s+100 \(2026-08-01 12:56 → 2026-08-31 23:44 UTC\)/);
  expect(r.stdout).toMatch(/reward:\s+6\.200 USD = 77\.5 TFT \(1 of 2 nodes rewarded\)/);
  const lines = r.stdout.split('\n');
  const header = lines.find((l) => l.startsWith('NODE'))!;
  expect(header.split(/\s{2,}/)).toEqual([
    'NODE',
    'CERT',
    'POLICY',
    'CU',
    'SU',
    'NU',
    'IP H',
    'UPTIME',
    'SLA',
    'VIOLATIONS',
    'TFT PRICE',
    'USD',
    'TFT',
    'WHY NONE',
  ]);
  expect(
    lines
      .find((l) => l.startsWith('7 '))!
      .trimEnd()
      .split(/\s{2,}/),
  ).toEqual(['7', 'Diy', '1', '1.75', '2', '0', '0', '100.0%', '95.0%', '0', '0.080', '6.200', '77.5']);
  expect(lines.find((l) => l.startsWith('8 '))).toMatch(
    /1\s+0\.080\s+0\.000\s+0\s+violation: the node rebooted before its previous uptime report/,
  );
});

test('farm rewards --json: the explorer answer with every input', async () => {
  const r = await cli(['farm', 'rewards', '3', '--period', '100', '--json', ...at()]);
  expect(r.code).toBe(0);
  const j = r.json();
  expect(j.total).toMatchObject({ musd: 6200, tft_units: '775000000', nodes: 2 });
  expect(j.nodes[0]).toMatchObject({
    node_id: 7,
    units: { cu: 1.75, su: 2 },
    policy: { id: 1, cu: 2400 },
    uptime: { measured_seconds: 2_630_880 },
    price: { tft_musd: 80 },
  });
  expect(j.nodes[1].violations[0]).toMatchObject({ kind: 'invalid_reboot', reported: { uptime: 5000, block: 502 } });
});

test('farm rewards refusals: a farm that does not exist, a bad period, no farm', async () => {
  const missing = await cli(['farm', 'rewards', '99', ...at()]);
  expect(missing.code).toBe(1);
  expect(missing.stderr).toMatch(/there is no farm 99/);
  const bad = await cli(['farm', 'rewards', '3', '--period', 'soon', ...at()]);
  expect(bad.code).toBe(2);
  expect(bad.stderr).toMatch(/--period must be a whole number, got 'soon'/);
  const far = await cli(['farm', 'rewards', '3', '--period', '3001', ...at()]);
  expect(far.code).toBe(1);
  expect(far.stderr).toMatch(/the explorer refused .*400 .*period/);
  expect((await cli(['farm', 'rewards', ...at()])).code).toBe(2);
});
