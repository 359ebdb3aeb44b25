// @ts-check
import eslint from '@eslint/js';
import eslintPluginPrettierRecommended from 'eslint-plugin-prettier/recommended';
import globals from 'globals';
import tseslint from 'typescript-eslint';

export default tseslint.config(
  {
    ignores: [
      'dist/',
      'coverage/',
      '.data/',
      'node_modules/',
      'eslint.config.mjs',
      'clients/typescript/src/schema.d.ts',
      // Its own project (React, Next.js): `next build` type-checks it (examples/web/README.md).
      'examples/',
    ],
  },
  eslint.configs.recommended,
  ...tseslint.configs.recommendedTypeChecked,
  eslintPluginPrettierRecommended,
  {
    languageOptions: {
      globals: { ...globals.node, ...globals.jest },
      sourceType: 'module',
      parserOptions: { project: './tsconfig.test.json', tsconfigRootDir: import.meta.dirname },
    },
  },
  {
    // The NestJS starter's rules.
    rules: {
      '@typescript-eslint/no-explicit-any': 'off',
      // Work a transaction starts must be awaited: un-awaited work outlives its transaction's scope
      // (src/database/database.ts, `scoped`).
      '@typescript-eslint/no-floating-promises': 'error',
      '@typescript-eslint/no-unsafe-argument': 'warn',
      '@typescript-eslint/no-unsafe-function-type': 'off',
    },
  },
  {
    // src/development/ (the embedded PostgreSQL, the development secret, seeding) is for development
    // and tests: production code never imports it. main.ts loads it outside production only, with a
    // dynamic import() (which this rule does not see).
    files: ['src/**/*.ts'],
    ignores: ['src/development/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              regex: '(^|/)development(/|$)',
              message:
                'src/development/ is for development and tests only: production code must not import it.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['test/**/*.ts', '**/*.spec.ts'],
    rules: {
      '@typescript-eslint/no-unsafe-assignment': 'off',
      // supertest bodies are `any`: tests assert on their shape instead.
      '@typescript-eslint/no-unsafe-member-access': 'off',
      '@typescript-eslint/no-unsafe-return': 'off',
      '@typescript-eslint/no-unsafe-call': 'off',
      '@typescript-eslint/no-unsafe-argument': 'off',
      '@typescript-eslint/unbound-method': 'off',
    },
  },
  {
    files: ['**/*.cjs', '**/*.js'],
    extends: [tseslint.configs.disableTypeChecked],
    rules: { '@typescript-eslint/no-require-imports': 'off' },
  },
);
