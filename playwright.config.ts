import { defineConfig } from '@playwright/test';
import { generateProjects } from '@backstage/e2e-test-utils/playwright';

// Browser tests drive Debian's Chromium (scripts/lib/system-deps.sh installs it):
// Playwright cannot download its own browser builds on our machines.
const chromium = process.env.SHIPYARD_CHROMIUM ?? '/usr/bin/chromium';

export default defineConfig({
  timeout: 120_000,
  expect: { timeout: 30_000 },

  // The portal as a newcomer starts it (scripts/start), plus the test-only
  // app-config.two-users.yaml: sign-in as a named user of the example org
  // (x-forwarded-user), beside the unchanged guest sign-in. Always the portal
  // of this checkout: never reused, locally or in CI. Playwright refuses a
  // busy :3000 itself; the command refuses a busy :7007 (another checkout's
  // backend would answer the tests, and scripts/start's own could not bind).
  webServer: [
    {
      command: [
        'mkdir -p artifacts',
        'if curl -s -o /dev/null --max-time 5 http://localhost:7007/; then echo "a backend already answers on :7007: stop it, the browser tests start the portal of this checkout" >&2; exit 1; fi',
        'SHIPYARD_SKIP_INSTALL=1 SHIPYARD_EXTRA_CONFIG=app-config.two-users.yaml scripts/start > artifacts/portal.log 2>&1',
      ].join(' && '),
      url: 'http://localhost:3000',
      reuseExistingServer: false,
      timeout: 600_000,
      // As a Ctrl-C: scripts/start then stops the clusters' preparation and
      // the clusters it started (the default, SIGKILL, would leave them).
      gracefulShutdown: { signal: 'SIGINT', timeout: 60_000 },
    },
    {
      // Only waits for readiness: the backend is the one scripts/start just
      // started (:7007 was free, see above).
      command: 'true',
      url: 'http://localhost:7007/.backstage/health/v1/readiness',
      reuseExistingServer: true,
      timeout: 600_000,
    },
  ],

  // scripts/start prepares the local clusters beside the portal: wait until
  // the running portal watches them (it picks them up without a restart).
  globalSetup: './packages/app/e2e-tests/globalSetup.ts',

  // A focused test (test.only) would silently drop the others from the run.
  forbidOnly: true,
  retries: process.env.CI ? 1 : 0,
  workers: 1,
  reporter: [
    ['list'],
    ['html', { open: 'never', outputFolder: 'artifacts/e2e-report' }],
  ],

  use: {
    baseURL: process.env.PLAYWRIGHT_URL ?? 'http://localhost:3000',
    actionTimeout: 30_000,
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
    launchOptions: {
      executablePath: chromium,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
      ],
    },
  },

  outputDir: 'artifacts/e2e-results',

  // One project per package with an e2e-tests folder; Debian's Chromium, not a
  // Chrome channel.
  projects: generateProjects().map(project => ({
    ...project,
    use: { browserName: 'chromium' },
  })),
});
