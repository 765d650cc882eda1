import { benchChain } from './chain';
import { ingest } from './ingest';
(async () => {
  const c = await benchChain({ blocks: Number(process.argv[2] ?? 4000), nodes: Number(process.argv[3] ?? 40), log: console.log });
  console.log(await ingest(c, console.log));
})().catch((e) => (console.error(e), process.exit(1)));
