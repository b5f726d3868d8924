// Jest runs every workspace's tests as native ES modules (the `@actions/*` packages are ESM-only).
// Workspace packages resolve to their TypeScript sources through the "slipway-source" export
// condition, so tests never depend on a stale `dist/`.
/** @type {import('jest').Config} */
export default {
  testEnvironment: 'node',
  testEnvironmentOptions: { customExportConditions: ['slipway-source', 'node', 'node-addons'] },
  roots: ['<rootDir>'],
  testMatch: ['<rootDir>/test/**/*.test.ts', '<rootDir>/*/test/**/*.test.ts', '<rootDir>/actions/*/test/**/*.test.ts'],
  testPathIgnorePatterns: ['/node_modules/', '/dist/', '/.tsbuild/'],
  extensionsToTreatAsEsm: ['.ts'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  transform: {
    '^.+\\.ts$': ['ts-jest', { useESM: true, tsconfig: '<rootDir>/tsconfig.jest.json' }],
  },
  testTimeout: 30000,
  // The files that need the PyTorch/Hugging Face/XGBoost runtimes run last (see scripts/jest-sequencer.mjs).
  testSequencer: '<rootDir>/scripts/jest-sequencer.mjs',
};
