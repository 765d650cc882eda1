/**
 * localgrid's benchmarks: `npm run bench -w packages/localgrid -- NAME [options]`.
 *   network-up [--trials 3]   contracts finalized → a two-node network passing traffic (network-up.ts)
 * Needs root and what the grid needs (scripts/install-system-packages.sh).
 */
import { parseArgs } from 'node:util';
import { runNetworkUpBench } from './network-up';

const BENCHES: Record<string, (v: Record<string, string | undefined>) => Promise<void>> = {
  'network-up': (v) => runNetworkUpBench(Number(v.trials ?? 3)),
};

const { values, positionals } = parseArgs({ options: { trials: { type: 'string' } }, allowPositionals: true });
const name = positionals[0] ?? '';
const bench = BENCHES[name];
if (!bench) {
  console.error(`unknown benchmark '${name.slice(0, 40)}': one of ${Object.keys(BENCHES).join(', ')}`);
  process.exit(2);
}
bench(values).then(
  () => process.exit(0),
  (e: unknown) => {
    console.error(e);
    process.exit(1);
  },
);
