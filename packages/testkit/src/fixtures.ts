/** Fixture trees kept in the repository, by what they stand for. */
import path from 'node:path';

/** A server's /sys, /proc and /dev as the agent reads its hardware (packages/agent/test/fixtures/server). */
export const SERVER_FIXTURE = path.resolve(__dirname, '../../agent/test/fixtures/server');
