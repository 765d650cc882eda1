// Vite builds web/ into dist/web: index.html and the hashed bundle under ui/ (the explorer serves
// /ui/*), each asset also written brotli- and gzip-compressed so the server sends them as they are.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { defineConfig } from 'vite';

const here = path.dirname(fileURLToPath(import.meta.url));
export const outDir = path.join(here, '..', 'dist', 'web');

function precompress() {
  return {
    name: 'precompress',
    apply: 'build',
    closeBundle() {
      for (const dir of [outDir, path.join(outDir, 'ui')]) {
        for (const f of readdirSync(dir)) {
          if (!/\.(js|css|html|svg|json)$/.test(f)) continue;
          const data = readFileSync(path.join(dir, f));
          writeFileSync(path.join(dir, f + '.br'), brotliCompressSync(data, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }));
          writeFileSync(path.join(dir, f + '.gz'), gzipSync(data, { level: 9 }));
        }
      }
    },
  };
}

export default defineConfig({
  root: here,
  base: '/',
  logLevel: 'warn',
  oxc: { jsx: { runtime: 'automatic', importSource: 'preact' } },
  build: { outDir, emptyOutDir: true, assetsDir: 'ui', target: 'es2022', sourcemap: false, reportCompressedSize: false },
  plugins: [precompress()],
});
