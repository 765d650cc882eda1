import { benchChain } from './chain';
benchChain({ blocks: 100_000, nodes: 40, log: console.log }).then(() => console.log('built'), (e) => (console.error(e), process.exit(1)));
