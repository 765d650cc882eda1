// ESLint for the whole tree (`npm run lint`): the recommended JavaScript rules, and for TypeScript
// typescript-eslint's type-aware set, which catches promises nobody awaits or handles
// (no-floating-promises) and promises handed where a plain value or void is expected
// (no-misused-promises). Formatting is Prettier's job, not ESLint's.
import js from '@eslint/js';
import { defineConfig } from 'eslint/config';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default defineConfig(
  {
    ignores: [
      '**/node_modules/',
      '**/dist/',
      'coverage/',
      '**/data/',
      '**/.data/',
      // Copies of an earlier tree the benchmarks measure against.
      'packages/*/bench/.cache/',
      'packages/devchain/test/reference/',
    ],
  },
  {
    linterOptions: { reportUnusedDisableDirectives: 'error' },
  },
  js.configs.recommended,
  {
    rules: {
      // A `let` that a shutdown handler reads before it is assigned stays `let` (as const it would
      // be in its temporal dead zone when the handler runs early).
      'prefer-const': ['error', { ignoreReadBeforeAssign: true }],
    },
  },
  {
    files: ['**/*.ts', '**/*.tsx'],
    extends: [tseslint.configs.recommendedTypeChecked],
    languageOptions: {
      parserOptions: {
        // Two programs: the root one (every package's src, test, bench, scripts) and the explorer's
        // web page (DOM types, JSX).
        project: ['./tsconfig.json', './packages/explorer/web/tsconfig.json'],
        tsconfigRootDir: import.meta.dirname,
      },
    },
    rules: {
      // Chain data and JSON from outside are read through `any` at the decode boundary on purpose
      // (and checked there); these five flag every later use of such a value.
      '@typescript-eslint/no-unsafe-assignment': 'off',
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      // The code marks indexed reads `a[i]!` where it knows the value is there, as if
      // noUncheckedIndexedAccess were on; without that option every such mark counts as unnecessary.
      '@typescript-eslint/no-unnecessary-type-assertion': 'off',
      // `async` on a method with nothing to await keeps throws as rejections, as its interface promises.
      '@typescript-eslint/require-await': 'off',
      // A leading `_` names what is deliberately unused (a rest split, a callback's parameter).
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_', caughtErrorsIgnorePattern: '^_', ignoreRestSiblings: true },
      ],
      // Rejecting with an abort signal's reason or a caught error passes on what came in (as
      // only-throw-error allows for throw).
      '@typescript-eslint/prefer-promise-reject-errors': ['error', { allowThrowingAny: true, allowThrowingUnknown: true }],
      // A list in a message reads fine as `a,b,c`.
      '@typescript-eslint/restrict-template-expressions': ['error', { allowArray: true }],
    },
  },

  {
    // devchain's SCALE layer: codecs, metadata and pallet declarations are generic over decoded values of
    // any shape (Codec<any>, call arguments, storage values), checked by the codecs themselves.
    files: ['packages/devchain/src/scale/**', 'packages/devchain/src/metadata/**', 'packages/devchain/src/pallets/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // devchain's tests read decoded chain values and their JSON through `any`; the assertions check each.
    files: ['packages/devchain/test/**'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // Plain JavaScript: the bin launchers, the worker and relay that start without a TypeScript
    // loader, and the build scripts.
    files: ['**/*.js', '**/*.mjs'],
    languageOptions: { globals: globals.node },
  },
  {
    files: ['**/*.js'],
    languageOptions: { sourceType: 'commonjs' },
  },
);
