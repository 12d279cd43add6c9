/**
 * Jest runs the TypeScript sources as native ES modules (like dist/ and NestJS 12, which is ESM-only):
 * swc transpiles each file, Node's VM modules load it (NODE_OPTIONS=--experimental-vm-modules, set
 * by the npm test script).
 * @type {import('jest').Config}
 */
module.exports = {
  testEnvironment: 'node',
  globalSetup: '<rootDir>/infra/test/global-setup.cjs',
  globalTeardown: '<rootDir>/infra/test/global-teardown.cjs',
  setupFiles: ['<rootDir>/infra/test/setup-env.cjs'],
  roots: ['<rootDir>/apps', '<rootDir>/libs', '<rootDir>/contracts'],
  testMatch: ['**/*.spec.ts'],
  testTimeout: 60_000,
  extensionsToTreatAsEsm: ['.ts'],
  transform: {
    '^.+\\.ts$': [
      '@swc/jest',
      {
        jsc: {
          target: 'es2022',
          parser: { syntax: 'typescript', decorators: true },
          transform: { legacyDecorator: true, decoratorMetadata: true, useDefineForClassFields: false },
        },
        module: { type: 'es6' },
      },
    ],
  },
  moduleNameMapper: {
    '^@exchange/([a-z-]+)$': '<rootDir>/libs/$1/src/index.ts',
  },
  moduleFileExtensions: ['ts', 'js', 'json'],
};
