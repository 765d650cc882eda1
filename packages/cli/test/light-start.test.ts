/**
 * `tfgrid --help` answers without loading polkadot.js: the CLI reaches the chain client only when
 * a command talks to a chain, and takes constants and file writes from the client's light entry
 * point (`@tfgrid/client/light`). Checked by the modules loaded, not by time.
 */
import { spawnSync } from 'node:child_process';
import path from 'node:path';

const root = path.resolve(__dirname, '../../..');

/** How many @polkadot modules the CLI has loaded when it exits after `args`. */
function polkadotModulesAfter(args: string[]): number {
  const script = `process.argv = [process.argv[0], 'tfgrid', ...${JSON.stringify(args)}];
process.on('exit', () => process.stderr.write('\\npolkadot-modules=' + Object.keys(require.cache).filter((k) => k.includes('@polkadot')).length + '\\n'));
require('./packages/cli/src/cli.ts');`;
  const r = spawnSync(process.execPath, ['-r', 'tsx/cjs', '-e', script], { cwd: root, encoding: 'utf8', timeout: 60_000 });
  const m = /polkadot-modules=(\d+)/.exec(r.stderr);
  if (!m) throw new Error(`no module count in the CLI's stderr: ${r.stderr.slice(-500)}`);
  return Number(m[1]);
}

test('help loads no polkadot module', () => {
  expect(polkadotModulesAfter(['--help'])).toBe(0);
  expect(polkadotModulesAfter(['nodes', '--help'])).toBe(0);
  expect(polkadotModulesAfter(['deploy', '--help'])).toBe(0);
});
