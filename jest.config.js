/** Tests run TypeScript through ts-jest in transpile-only mode; `npm run typecheck` type-checks everything. */
module.exports = {
  testEnvironment: 'node',
  roots: ['<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { diagnostics: false }] },
  globalSetup: '<rootDir>/test/support/globalSetup.ts',
  testTimeout: 60000,
  maxWorkers: 2,
};
