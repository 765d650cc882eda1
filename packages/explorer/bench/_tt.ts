import { startDevchain } from '@tfgrid/devchain';
import { mkdtempSync } from 'node:fs';
(async () => {
  for (const persistent of [false, true]) {
    const chain = await startDevchain({ port: 0, basePath: persistent ? mkdtempSync('/tmp/exp/tt-') : undefined });
    const t = Date.now();
    for (let i = 0; i < 5; i++) await chain.chain.timeTravel({ blocks: 400 });
    console.log(persistent ? 'persistent' : 'memory', (2000 / ((Date.now() - t) / 1000)).toFixed(0), 'blocks/s');
    await chain.stop();
  }
})();
