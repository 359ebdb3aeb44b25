/**
 * Two projects: `unit` (src/**\/*.spec.ts: no database, no build, seconds) and `e2e`
 * (test/**\/*.e2e-spec.ts: the real app over a real PostgreSQL, prepared by the global setup).
 * Both as native ESM. `npm test` runs both; `npm run test:unit` / `test:e2e` one.
 */
const common = {
  testEnvironment: 'node',
  rootDir: '.',
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': [
      'ts-jest',
      {
        useESM: true,
        tsconfig: 'tsconfig.test.json',
        // Types are checked by `npm run typecheck`; here only compile (with the Swagger plugin).
        diagnostics: false,
        astTransformers: { before: [{ path: '<rootDir>/test/swagger-transformer.cjs' }] },
      },
    ],
  },
};

export default {
  projects: [
    { ...common, displayName: 'unit', roots: ['<rootDir>/src'], testRegex: '.*\\.spec\\.ts$' },
    {
      ...common,
      displayName: 'e2e',
      roots: ['<rootDir>/test'],
      testRegex: '.*\\.e2e-spec\\.ts$',
      globalSetup: '<rootDir>/test/global-setup.ts',
      globalTeardown: '<rootDir>/test/global-teardown.ts',
      setupFiles: ['<rootDir>/test/setup-env.ts'],
    },
  ],
  // Global options (a project's own testTimeout is not read).
  testTimeout: 30000,
  maxWorkers: 2,
  // How long a worker may take to exit once its last file is done before Jest kills it and warns
  // that it "failed to exit gracefully" (default 500 ms). After the whole suite each worker holds a
  // heap of about 2 GB, and Node spends 2.4-2.5 s freeing it after the process's `exit` event with
  // nothing left running: the default was only too short. A leak (a timer, socket or child process
  // still held) keeps a worker alive past any wait, and .ci/run fails on the warning.
  workerGracefulExitTimeout: 10000,
};
