// `npm test` at the root runs every package's tests in one jest run (packages with a jest.config.js).
const { existsSync } = require('node:fs');
const packages = require('./package.json').workspaces.filter((p) =>
  existsSync(`${__dirname}/${p}/jest.config.js`),
);

module.exports = {
  projects: packages.map((p) => `<rootDir>/${p}/jest.config.js`),
  reporters: ['default', '<rootDir>/scripts/jest-summary-reporter.js'],
  // A global option: jest ignores it in the projects' own configs.
  testTimeout: 30000,
};
