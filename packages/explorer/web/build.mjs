#!/usr/bin/env node
// Builds the explorer's web page into packages/explorer/dist/web when it is missing or older than
// its sources (web/, the explorer's package.json); `--force` builds anyway. Run by `npm start`
// (root prestart), `npm run build:web -w packages/explorer`, the UI test and the UI benchmark.
import { existsSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const built = path.join(here, '..', 'dist', 'web', 'index.html');

function newest(p) {
  const s = statSync(p);
  if (!s.isDirectory()) return s.mtimeMs;
  return Math.max(s.mtimeMs, ...readdirSync(p).map((f) => newest(path.join(p, f))));
}

const sources = [here, path.join(here, '..', 'package.json')];
const stale = !existsSync(built) || statSync(built).mtimeMs < Math.max(...sources.map(newest));
if (process.argv.includes('--force') || stale) {
  const { build } = await import('vite');
  const started = Date.now();
  await build({ configFile: path.join(here, 'vite.config.mjs') });
  console.log(`explorer web page built into ${path.dirname(built)} in ${((Date.now() - started) / 1000).toFixed(1)} s`);
}
