/**
 * The explorer's web page in a real browser (Debian's Chromium through playwright-core) against a
 * dev chain with two farms and three nodes: the node table and its filters (the URL follows), a
 * node's reputation and uptime chart, a farm's rewards, a node registered during the test appearing
 * without a reload, the API's message for a refused filter; `/` as JSON for API clients; the assets'
 * cache headers and compression. Screenshots of every page at desktop and phone width go to a temp
 * folder (printed, kept). Any console error or failed request fails the test.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Devchain } from '@tfgrid/devchain';
import { startChain } from '@tfgrid/testkit';
import type { TfchainClient } from '@tfgrid/client';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { startExplorer, type Explorer } from '../src';
import { GiB, chainNow, nodeInput, synced, tempDir, twinClient } from './support';
import { DESKTOP, PHONE, buildWebPage, launchChromium, watch, type PageProblems } from './ui-browser';

jest.setTimeout(120_000);
// What the functions run in the page use (the repo's tsconfig has no DOM library).
interface PageElement {
  getAttribute(name: string): string | null;
}
declare const location: { hash: string };
declare const document: { querySelectorAll(s: string): ArrayLike<PageElement>; querySelector(s: string): PageElement | null };
declare const window: { marker?: number };

let chain: Devchain;
let alice: TfchainClient;
let farmer: TfchainClient;
const nodeClients: TfchainClient[] = [];
let explorer: Explorer;
let browser: Browser;
let context: BrowserContext;
let page: Page;
let seen: PageProblems;
const tmp = tempDir();
const shots = mkdtempSync(path.join(tmpdir(), 'explorer-ui-screenshots-'));
let alpha: number;
let beta: number;
const nodes: number[] = [];

async function nodeClient(i: number): Promise<TfchainClient> {
  const c = await twinClient(chain, '0x' + (0x61 + i).toString(16).repeat(32), alice, 'ed25519');
  nodeClients.push(c);
  return c;
}

/** The page at `hash` (loaded once; later views change only the hash, as a person's clicks do). */
async function view(hash: string): Promise<void> {
  if (page.url().startsWith(explorer.url)) await page.evaluate((h) => (location.hash = h), hash);
  else await page.goto(`${explorer.url}/${hash}`);
}

async function screenshots(name: string, ready: string): Promise<void> {
  for (const [size, vp] of [
    ['desktop', DESKTOP],
    ['phone', PHONE],
  ] as const) {
    await page.setViewportSize(vp);
    await page.locator(ready).first().waitFor();
    await page.screenshot({ path: path.join(shots, `${name}-${size}.png`), fullPage: true });
  }
  await page.setViewportSize(DESKTOP);
}

const rowIds = async () =>
  (await page.locator('table.nodes tbody tr').evaluateAll((rs) => rs.map((r) => Number(r.getAttribute('data-node-id'))))).sort(
    (a, b) => a - b,
  );

beforeAll(async () => {
  buildWebPage();
  chain = await startChain();
  alice = await twinClient(chain, '//Alice');
  farmer = await twinClient(chain, '//Bob');
  alpha = await farmer.farms.create({ name: 'alpha', publicIps: [{ ip: '185.206.122.33/24', gw: '185.206.122.1' }] });
  beta = await farmer.farms.create({ name: 'beta' });
  const places = [
    { farm: alpha, location: { city: 'Ghent', country: 'Belgium', latitude: '51.05', longitude: '3.72' }, mru: 8 },
    { farm: alpha, location: { city: 'Cairo', country: 'Egypt', latitude: '30.04', longitude: '31.23' }, mru: 32 },
    { farm: beta, location: { city: 'Vienna', country: 'Austria', latitude: '48.2', longitude: '16.37' }, mru: 16 },
  ];
  for (const [i, p] of places.entries()) {
    const c = await nodeClient(i);
    nodes.push(
      await c.nodes.create(
        nodeInput(p.farm, {
          location: p.location,
          resources: { hru: 2048 * GiB, sru: 500 * GiB, cru: 4 + i, mru: p.mru * GiB },
          serialNumber: `SN-UI-${i}`,
        }),
      ),
    );
  }
  // Two reports of one boot: the chart has a line, the reputation is measured.
  const t1 = await chainNow(alice);
  await nodeClients[0]!.nodes.reportUptime({ uptime: 3600, timestampHint: t1 });
  await chain.chain.timeTravel({ seconds: 3600 });
  await nodeClients[0]!.nodes.reportUptime(
    { uptime: 3600 + ((await chainNow(alice)) - t1), timestampHint: await chainNow(alice) },
    { wait: 'finalized' },
  );
  explorer = await startExplorer({ chain: chain.url, db: tmp.dir, port: 0, pollMs: 200 });
  await synced(explorer, alice);
  browser = await launchChromium();
  context = await browser.newContext({ viewport: DESKTOP });
  page = await context.newPage();
  seen = watch(page);
  process.stdout.write(`explorer UI screenshots in ${shots}\n`);
});

afterAll(async () => {
  await browser?.close();
  await explorer?.stop();
  for (const c of [alice, farmer, ...nodeClients]) await c?.disconnect();
  await chain?.stop();
  tmp.remove();
});

afterEach(() => {
  // Every test ends with a page that logged no error and had no request fail.
  expect(seen.problems).toEqual([]);
});

test('the node table shows the grid; a filter narrows it and the URL says so', async () => {
  await view('');
  await page.locator('table.nodes tbody tr').nth(2).waitFor();
  expect(await rowIds()).toEqual(nodes);
  await expect(page.locator('table.nodes caption').textContent()).resolves.toContain('3 nodes');
  // Sizes in GiB/TiB and status as a word.
  const first = page.locator(`tr[data-node-id="${nodes[1]}"]`);
  await expect(first.locator('td[data-label="Memory"]').textContent()).resolves.toMatch(/^\d+ GiB \/ 32 GiB$/);
  await expect(first.locator('td[data-label="HDD"]').textContent()).resolves.toMatch(/^\d+(\.\d)? TiB \/ 2\.0 TiB$/);
  await expect(first.locator('td[data-label="Status"]').textContent()).resolves.toBe('up');
  await screenshots('nodes', 'table.nodes tbody tr');

  await page.getByLabel('Country', { exact: true }).fill('Egypt');
  await page.getByLabel('Country', { exact: true }).press('Tab');
  await page.waitForFunction(() => location.hash.includes('country=Egypt'));
  await page.waitForFunction((id) => {
    const rows = document.querySelectorAll('table.nodes tbody tr');
    return rows.length === 1 && rows[0]!.getAttribute('data-node-id') === String(id);
  }, nodes[1]);

  // Free memory ≥ 10 GiB (the 8 GiB node is out), kept in the URL as the API's bytes; a link reproduces the view.
  await view('#/nodes');
  await page.locator('table.nodes tbody tr').nth(2).waitFor();
  await page.getByLabel('Memory free (GiB)', { exact: true }).fill('10');
  await page.getByLabel('Memory free (GiB)', { exact: true }).press('Tab');
  await page.waitForFunction((b) => location.hash.includes(`free_mru=${b}`), 10 * GiB);
  await page.waitForFunction(() => document.querySelectorAll('table.nodes tbody tr').length === 2);
  expect(await rowIds()).toEqual([nodes[1], nodes[2]]);
  const link = new URL(page.url()).hash;
  const other = await context.newPage();
  const otherSeen = watch(other);
  await other.goto(`${explorer.url}/${link}`);
  await other.waitForFunction(() => document.querySelectorAll('table.nodes tbody tr').length === 2);
  await expect(other.getByLabel('Memory free (GiB)', { exact: true }).inputValue()).resolves.toBe('10');
  await other.close();
  expect(otherSeen.problems).toEqual([]);

  // Sort by a column: memory, descending.
  await page.getByRole('button', { name: 'Sort by Memory' }).click();
  await page.getByRole('button', { name: 'Sort by Memory' }).click();
  await page.waitForFunction(() => location.hash.includes('sort_by=free_mru') && location.hash.includes('sort_order=desc'));
  await page.waitForFunction((id) => document.querySelector('table.nodes tbody tr')?.getAttribute('data-node-id') === String(id), nodes[1]);

  // Paging: two a page (the API's `size`), the next page in the URL.
  await view('#/nodes?size=2');
  await page.getByText('Page 1 of 2').waitFor();
  expect(await rowIds()).toEqual([nodes[0], nodes[1]]);
  await page.getByRole('button', { name: 'Next' }).click();
  await page.waitForFunction(() => location.hash.includes('page=2'));
  await page.getByText('Page 2 of 2').waitFor();
  expect(await rowIds()).toEqual([nodes[2]]);
});

test('a refused filter value shows the API’s own message', async () => {
  const api = (await (await fetch(`${explorer.url}/nodes?size=20&farm_ids=abc&ret_count=true`)).json()) as { error: string };
  expect(api.error).toMatch(/farm_ids/);
  seen.expect('farm_ids=abc');
  await view('#/nodes?farm_ids=abc');
  const alert = page.getByRole('alert');
  await alert.waitFor();
  await expect(alert.textContent()).resolves.toContain(api.error);
});

test("a node's page shows its capacity, reputation, uptime chart, interfaces and rewards", async () => {
  await view(`#/nodes/${nodes[0]}`);
  await page.getByTestId('reputation-24h').waitFor();
  await expect(page.getByTestId('reputation-24h').textContent()).resolves.toMatch(/^\d+(\.\d)? %$/);
  const chart = page.getByRole('img', { name: /Uptime chart: 2 uptime reports/ });
  await chart.waitFor();
  expect(await chart.locator('path.uptime-line').count()).toBe(1);
  await page.getByRole('radio', { name: '24 h' }).check();
  await expect(
    page
      .getByRole('img', { name: /Uptime chart: 2 uptime reports/ })
      .locator('circle.report')
      .count(),
  ).resolves.toBe(2);
  expect(await page.getByRole('meter', { name: 'Memory used' }).count()).toBe(1);
  await expect(page.locator('.interfaces').textContent()).resolves.toContain('zos');
  await page.getByTestId('node-reward').waitFor();
  await expect(page.getByTestId('node-reward').textContent()).resolves.toMatch(/TFT/);
  await screenshots('node', '[data-testid="node-reward"]');
});

test("a farm's page shows its nodes, IPs and rewards per period; the farm list", async () => {
  await view('#/farms');
  await page.locator(`tr[data-farm-id="${beta}"]`).waitFor();
  await screenshots('farms', 'table.farms tbody tr');
  await page.locator(`tr[data-farm-id="${alpha}"] a`).first().click();
  await page.getByTestId('farm-reward').waitFor();
  await expect(page.getByTestId('farm-reward').textContent()).resolves.toMatch(/TFT .*of 2 nodes rewarded/);
  await expect(page.getByRole('region', { name: 'Public IP list' }).textContent()).resolves.toContain('185.206.122.33/24');
  await page.locator('table.nodes tbody tr').nth(1).waitFor();
  expect(await rowIds()).toEqual([nodes[0], nodes[1]]);
  // Another period: the figures follow the choice.
  const picker = page.getByLabel('Minting period');
  const options = await picker.locator('option').evaluateAll((os) => os.map((o) => (o as unknown as { value: string }).value));
  expect(options.length).toBeGreaterThan(1);
  await picker.selectOption(options[1]!);
  await page.getByTestId('farm-reward').waitFor();
  await screenshots('farm', '[data-testid="farm-reward"]');
});

test('statistics: nodes by status, capacity, contracts, countries on the map', async () => {
  await view('#/stats');
  const map = page.getByRole('img', { name: /World map of nodes/ });
  await map.waitFor();
  await page.waitForFunction(
    () => document.querySelectorAll('.map .country.has-nodes').length === 3 && document.querySelectorAll('.map .node-dot').length === 3,
  );
  await expect(map.getAttribute('aria-label')).resolves.toMatch(/Austria 1.*|Belgium 1/);
  await expect(page.locator('.counts li.status-up strong').textContent()).resolves.toMatch(/^\d+$/);
  await screenshots('stats', '.map .country.has-nodes');
});

test('a node registered during the test appears without a reload; the Live page lists it', async () => {
  await view('#/nodes');
  await page.locator('table.nodes tbody tr').nth(2).waitFor();
  await page.evaluate(() => (window.marker = 42));
  const c = await nodeClient(3);
  const id = await c.nodes.create(nodeInput(beta, { serialNumber: 'SN-UI-late' }), { wait: 'finalized' });
  await page.locator(`tr[data-node-id="${id}"]`).waitFor({ timeout: 30_000 });
  expect(await page.evaluate(() => window.marker)).toBe(42);
  await view('#/live');
  await page
    .getByRole('link', { name: `node ${id}` })
    .first()
    .waitFor();
  await screenshots('live', 'table.live tbody tr');
});

test('when the explorer restarts, a banner says the stream is down; it reconnects and the page follows again', async () => {
  await view('#/nodes');
  await page.locator('table.nodes tbody tr').nth(3).waitFor();
  const port = Number(new URL(explorer.url).port);
  const back = seen.serverDown(explorer.url);
  await explorer.stop();
  const banner = page.getByRole('alert').filter({ hasText: 'event stream is down' });
  await banner.waitFor();
  explorer = await startExplorer({ chain: chain.url, db: tmp.dir, port, pollMs: 200 });
  await banner.waitFor({ state: 'detached', timeout: 30_000 });
  back();
  await screenshots('nodes-after-reconnect', 'table.nodes tbody tr');
  const c = await nodeClient(4);
  const id = await c.nodes.create(nodeInput(alpha, { serialNumber: 'SN-UI-after' }), { wait: 'finalized' });
  await page.locator(`tr[data-node-id="${id}"]`).waitFor({ timeout: 30_000 });
});

test('/ answers JSON to API clients and the page to browsers; assets are cached and compressed', async () => {
  for (const accept of [undefined, 'application/json', '*/*', 'application/json, text/html']) {
    const r = await fetch(`${explorer.url}/`, { headers: accept ? { accept } : {} });
    expect(r.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await r.json()).toMatch(/^Welcome to the TF Explorer/);
  }
  const html = await fetch(`${explorer.url}/`, { headers: { accept: 'text/html,application/xhtml+xml,*/*;q=0.8' } });
  expect(html.headers.get('content-type')).toMatch(/^text\/html/);
  expect(html.headers.get('cache-control')).toBe('no-cache');
  const script = /src="(\/ui\/[^"]+\.js)"/.exec(await html.text())![1]!;
  const js = await fetch(explorer.url + script, { headers: { 'accept-encoding': 'br, gzip' } });
  expect(js.status).toBe(200);
  expect(js.headers.get('content-encoding')).toBe('br');
  expect(js.headers.get('cache-control')).toBe('public, max-age=31536000, immutable');
  expect((await js.text()).length).toBeGreaterThan(1000);
  // Bodies read to the end: an unread one holds its socket open after the test.
  const outside = await fetch(`${explorer.url}/ui/..%2Fpackage.json`);
  expect([outside.status, await outside.json()]).toEqual([404, { error: expect.stringMatching(/no web asset/) }]);
  const reports = await fetch(`${explorer.url}/nodes/${nodes[0]}/uptime_reports`);
  expect(reports.status).toBe(200);
  expect(await reports.json()).toEqual([
    expect.objectContaining({ uptime: 3600 }),
    expect.objectContaining({ timestamp: expect.any(Number) }),
  ]);
  expect(await (await fetch(`${explorer.url}/nodes/${nodes[0]}/uptime_reports?since=x`)).json()).toEqual({
    error: expect.stringMatching(/since/),
  });
});
