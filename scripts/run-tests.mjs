#!/usr/bin/env node
// The project's test command: type-check, lint and format check, then Jest; closes with "N passed, N failed" from Jest's JSON result.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';

const run = (cmd, args) => spawnSync(cmd, args, { stdio: 'inherit', shell: false }).status ?? 1;

// The Debian packages the tests use (runc, loop filesystems, networks) are installed when missing.
console.log('> scripts/install-system-packages.sh');
if (run('bash', ['scripts/install-system-packages.sh']) !== 0) {
  console.error('the system packages the tests need could not be installed');
  console.log('0 passed, 1 failed');
  process.exit(1);
}

console.log('> tsc --noEmit');
// The explorer's web page (browser code, DOM types) has its own tsconfig.
const tsc =
  run('npx', ['tsc', '--noEmit', '-p', 'tsconfig.json']) || run('npx', ['tsc', '--noEmit', '-p', 'packages/explorer/web/tsconfig.json']);
if (tsc !== 0) console.error('tsc --noEmit failed');

// Type-aware ESLint (floating and misused promises among its rules) and Prettier's check: `npm run lint`, `npm run format`.
console.log('> eslint, prettier --check');
const lint = run('npx', ['eslint', '.']) || run('npx', ['prettier', '--check', '.']);
if (lint !== 0) console.error('eslint or prettier --check failed');

const result = 'jest-result.json';
rmSync(result, { force: true });
console.log('> jest');
const jest = run('npx', ['jest', '--maxWorkers=2', '--json', `--outputFile=${result}`, ...process.argv.slice(2)]);

let passed = 0;
let failed = 0;
if (existsSync(result)) {
  const r = JSON.parse(readFileSync(result, 'utf8'));
  passed = r.numPassedTests;
  failed = r.numFailedTests + (r.numRuntimeErrorTestSuites ?? 0);
}
if (tsc !== 0) failed += 1;
if (lint !== 0) failed += 1;
console.log(`${passed} passed, ${failed} failed`);
process.exit(tsc !== 0 || lint !== 0 || jest !== 0 || failed > 0 ? 1 : 0);
