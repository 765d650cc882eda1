/**
 * The web page's benchmark:  npm run bench -w packages/explorer -- ui [--nodes 1000] [--runs 5]
 *  - page weight: the JS and CSS the page loads, as sent (brotli, and gzip for comparison);
 *  - time to the first rendered node table: Chromium (headless, Debian's) opens `/` over loopback
 *    with an empty cache, until the first row of the node table is in the document (measured in
 *    the page from navigation start), median and worst of the runs; then with the cache warm.
 * The API answers over a synthetic grid written through the explorer's event handlers (grid.ts).
 */
import { mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { buildApp, ExplorerDb } from '../src';
import { WEB_DIST } from '../src/api';
import { buildWebPage, launchChromium } from '../test/ui-browser';
import { syntheticGrid, writeGrid } from './grid';

const log = (s: string) => process.stdout.write(s + '\n');
const kb = (n: number) => `${(n / 1024).toFixed(1)} KB`;

function pageWeight(): { br: number; gz: number; raw: number; files: string[] } {
  const html = readFileSync(path.join(WEB_DIST, 'index.html'), 'utf8');
  const files = [...html.matchAll(/(?:src|href)="\/ui\/([^"]+\.(?:js|css))"/g)].map((m) => m[1]!);
  // Chunks the entry imports lazily count too: everything of the bundle that is JS or CSS.
  for (const f of readdirSync(path.join(WEB_DIST, 'ui'))) if (/\.(js|css)$/.test(f) && !files.includes(f)) files.push(f);
  const size = (f: string) => statSync(path.join(WEB_DIST, 'ui', f)).size;
  return {
    files,
    raw: files.reduce((a, f) => a + size(f), 0),
    br: files.reduce((a, f) => a + size(f + '.br'), 0),
    gz: files.reduce((a, f) => a + size(f + '.gz'), 0),
  };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { nodes: { type: 'string', default: '1000' }, runs: { type: 'string', default: '5' } } });
  const nodes = Number(values.nodes);
  const runs = Number(values.runs);
  log(`machine: ${cpus().length} cores (${cpus()[0]?.model}), Node ${process.version}`);
  buildWebPage();
  const w = pageWeight();
  log(
    `ui page weight: JS + CSS ${kb(w.br)} brotli (${kb(w.gz)} gzip, ${kb(w.raw)} uncompressed) in ${w.files.length} files; target < 300 KB compressed`,
  );

  const dir = mkdtempSync(path.join(tmpdir(), 'explorer-ui-bench-'));
  const now = Math.floor(Date.now() / 1000);
  await writeGrid(dir, syntheticGrid(nodes, nodes * 2, now), now);
  const db = new ExplorerDb(dir);
  await db.open();
  const app = await buildApp({ db });
  const url = await app.listen({ port: 0, host: '127.0.0.1' });
  const browser = await launchChromium();
  try {
    const firstTable = async (page: import('playwright-core').Page): Promise<number> => {
      await page.goto(`${url}/`);
      await page.locator('table.nodes tbody tr').first().waitFor();
      // The moment the row was added, as the page's own clock says (navigation start = 0).
      return page.evaluate(() => (globalThis as unknown as { performance: { now(): number } }).performance.now());
    };
    const cold: number[] = [];
    for (let i = 0; i < runs; i++) {
      const ctx = await browser.newContext();
      cold.push(await firstTable(await ctx.newPage()));
      await ctx.close();
    }
    const ctx = await browser.newContext();
    const page = await ctx.newPage();
    await firstTable(page);
    const warm: number[] = [];
    for (let i = 0; i < runs; i++) warm.push(await firstTable(page));
    await ctx.close();
    const med = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    log(
      `ui first node table (${nodes} nodes in the grid, 20 a page), over loopback: empty cache median ${med(cold).toFixed(0)} ms, worst ${Math.max(...cold).toFixed(0)} ms; warm cache median ${med(warm).toFixed(0)} ms (${runs} runs each); target < 1000 ms`,
    );
  } finally {
    await browser.close();
    await app.close();
    await db.close();
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  () => process.exit(0),
  (e) => (console.error(e), process.exit(1)),
);
