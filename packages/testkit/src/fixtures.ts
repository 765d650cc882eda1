/** Fixture trees kept in the repository, by what they stand for. */
import path from 'node:path';

/**
 * A server's /sys, /proc and /dev as the agent reads its hardware. The tree stays among the agent's
 * fixtures (test/fixtures/server of @tfgrid/agent); tests, benchmarks and scripts name it only through this.
 */
export const SERVER_FIXTURE = path.join(path.dirname(require.resolve('@tfgrid/agent/package.json')), 'test', 'fixtures', 'server');
