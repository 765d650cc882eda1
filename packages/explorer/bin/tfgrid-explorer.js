#!/usr/bin/env node
// Runs the TypeScript sources directly (tsx), so the package needs no build step.
require('tsx/cjs');
require('../src/cli.ts');
