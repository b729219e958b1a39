// Shared jest settings: every package's jest.config.js calls this with its own folder.
// Tests are TypeScript run through ts-jest (transpile only: `npm run typecheck` type-checks them),
// and @cht-openmrs/common resolves to its source, so tests never need a build first.
const path = require('node:path');

module.exports = function packageConfig(dir) {
  return {
    displayName: path.basename(dir),
    rootDir: dir,
    testEnvironment: 'node',
    testMatch: ['<rootDir>/src/**/*.test.ts', '<rootDir>/test/**/*.test.ts'],
    transform: {
      '^.+\\.ts$': ['ts-jest', { tsconfig: path.join(__dirname, 'tsconfig.base.json') }],
    },
    // Applies when a package runs its own tests; the root config sets it for `npm test` (a global option).
    testTimeout: 30000,
    moduleNameMapper: {
      '^@cht-openmrs/(.*)$': path.join(__dirname, '$1/src/index.ts'),
    },
  };
};
