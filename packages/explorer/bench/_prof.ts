import { startDevchain } from '@tfgrid/devchain';
import { connect } from '@tfgrid/client';
import { ExplorerDb, Indexer } from '../src';
import { mkdtempSync } from 'node:fs';
(async () => {
  const chain = await startDevchain({ port: 0 });
  await chain.chain.timeTravel({ blocks: 3000 });
  await new Promise((r) => setTimeout(r, 500));
  const c = await connect({ url: chain.url });
  const db = new ExplorerDb(mkdtempSync('/tmp/exp/db-'));
  await db.open();
  const ix = new Indexer({ api: c.api, db, pollMs: 100, concurrency: Number(process.env.CONC ?? 16) });
  const t = Date.now();
  await ix.start();
  await ix.waitFor(3000, 300000);
  console.log('blocks/s', 3000 / ((Date.now() - t) / 1000));
  await ix.stop(); await c.disconnect(); await chain.stop(); await db.close();
})();
