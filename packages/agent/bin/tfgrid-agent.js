#!/usr/bin/env -S node --max-semi-space-size=1
// A 1 MiB young generation: an idle agent allocates little, and the default (16 MiB semi-spaces)
// keeps ~17 MiB more resident for nothing.
// Runs the TypeScript sources directly (tsx), so the package needs no build step.
require('tsx/cjs');
require('../src/cli.ts').runCli();
