/**
 * The API alone over a prepared database, in its own process (so the load generator does not
 * share its event loop). Args: database dir, port, and optionally another copy of the explorer's
 * src/ to serve from (the previous code, for a comparison in the same run).
 */
import path from 'node:path';
import type * as Explorer from '../src';

(async () => {
  const [dir, port, src] = process.argv.slice(2);
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { buildApp, ExplorerDb } = require(src ? path.resolve(src) : '../src') as typeof Explorer;
  const db = new ExplorerDb(dir!);
  await db.open();
  const t = Date.now();
  const app = await buildApp({ db });
  const loadMs = Date.now() - t;
  const url = await app.listen({ port: Number(port), host: '127.0.0.1' });
  process.on('SIGTERM', () => process.exit(0));
  process.send?.({ url, loadMs, rss: process.memoryUsage().rss });
})().catch((e) => (console.error(e), process.exit(1)));
