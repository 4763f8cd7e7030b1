/**
 * Integration tests need the local Kubernetes control plane of `scripts/cluster`
 * (and some need other local services). They run when SHIPYARD_INTEGRATION=1,
 * which `scripts/test` (and so CI) sets; a plain `yarn test` skips them.
 */

/** True when the integration tests should run. @public */
export const integrationEnabled = process.env.SHIPYARD_INTEGRATION === '1';

/** `describe` for integration suites: skipped unless SHIPYARD_INTEGRATION=1. @public */
export const describeIntegration: jest.Describe = integrationEnabled
  ? describe
  : describe.skip;
