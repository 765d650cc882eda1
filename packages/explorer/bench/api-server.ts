/** The API alone over a prepared database, in its own process (so the load generator does not share its event loop). */
import { buildApp, ExplorerDb } from '../src';

(async () => {
  const [dir, port] = process.argv.slice(2);
  const db = new ExplorerDb(dir!);
  await db.open();
  const t = Date.now();
  const app = await buildApp({ db });
  const loadMs = Date.now() - t;
  const url = await app.listen({ port: Number(port), host: '127.0.0.1' });
  process.on('SIGTERM', () => process.exit(0));
  process.send?.({ url, loadMs, rss: process.memoryUsage().rss });
})().catch((e) => (console.error(e), process.exit(1)));
