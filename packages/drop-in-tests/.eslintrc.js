module.exports = require('@backstage/cli/config/eslint-factory')(__dirname, {
  rules: {
    // Each README step is a test made by `step(name, fn)` (see dropIn.test.ts).
    'jest/no-standalone-expect': [
      'error',
      { additionalTestBlockFunctions: ['step'] },
    ],
    'jest/valid-title': 'off',
    // The frontend steps assert through Playwright's waits.
    'jest/expect-expect': [
      'warn',
      { assertFunctionNames: ['expect', 'checkFrontend'] },
    ],
  },
});
