// `npm run test:browser`: the operator console driven in a real headless Chromium (Debian's chromium
// package, CHROMIUM_PATH to use another). Not part of `npm test`, which needs Node alone.
const base = require('../jest.preset')(__dirname);

module.exports = {
  ...base,
  displayName: 'browser',
  testMatch: ['<rootDir>/src/**/*.browser.ts'],
  testTimeout: 60000,
};
