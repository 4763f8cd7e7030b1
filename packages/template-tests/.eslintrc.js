module.exports = require('@backstage/cli/config/eslint-factory')(__dirname, {
  rules: {
    // expectNone(...) wraps expect() for violation lists
    'jest/expect-expect': [
      'warn',
      { assertFunctionNames: ['expect', 'expectNone'] },
    ],
  },
});
