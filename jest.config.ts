/** @jest-config-loader esbuild-register */
import type { Config } from 'jest';

// Type-checking is tsc's job (its own CI step); swc only strips types so tests start fast.
const config: Config = {
  testEnvironment: 'node',
  roots: ['<rootDir>/packages'],
  testMatch: ['**/test/**/*.test.ts'],
  transform: {
    '^.+\\.(t|j)sx?$': ['@swc/jest', { jsc: { target: 'es2022', parser: { syntax: 'typescript' } }, module: { type: 'commonjs' } }],
  },
  // ESM-only dependencies must be transformed too.
  transformIgnorePatterns: ['/node_modules/(?!(@polkadot-api|@noble|@scure|scale-ts)/)'],
  testTimeout: 60_000,
  // Benchmarks keep copies of an earlier tree to measure against (bench/.cache): not part of the suite.
  modulePathIgnorePatterns: ['<rootDir>/packages/[^/]+/bench/\\.cache/'],
};

export default config;
