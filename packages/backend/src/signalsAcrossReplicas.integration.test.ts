/*
 * Two replicas of the portal's backend on one PostgreSQL database: a signal
 * published on one reaches the signals subscribers of the other. That is
 * what @backstage/plugin-events-backend, installed in src/index.ts, is for:
 * signals-node publishes on the events service, which alone delivers only
 * inside one process; the events backend keeps the events in the shared
 * database and wakes the other replicas (LISTEN/NOTIFY).
 *
 * Needs PostgreSQL (scripts/services); runs with SHIPYARD_INTEGRATION=1:
 *
 *   SHIPYARD_INTEGRATION=1 yarn backstage-cli package test --watchAll=false src/signalsAcrossReplicas.integration.test.ts
 *
 * SHIPYARD_PG_PORT / SHIPYARD_REDIS_PORT choose the services' ports as
 * scripts/services reads them.
 */
import { createBackendPlugin } from '@backstage/backend-plugin-api';
import { mockServices, startTestBackend } from '@backstage/backend-test-utils';
import eventsBackend from '@backstage/plugin-events-backend';
import {
  eventsServiceFactory,
  eventsServiceRef,
} from '@backstage/plugin-events-node';
import {
  SignalPayload,
  SignalsService,
  signalsServiceRef,
} from '@backstage/plugin-signals-node';
import {
  startTestDatabase,
  TestDatabase,
} from '@shipyard-platform/test-cluster';

const describeIntegration =
  process.env.SHIPYARD_INTEGRATION === '1' ? describe : describe.skip;

jest.setTimeout(600_000);

/** Replica A's signals service, as a plugin of it gets it. */
function publisher() {
  let signals: SignalsService | undefined;
  const feature = createBackendPlugin({
    pluginId: 'deployment-health',
    register(env) {
      env.registerInit({
        deps: { s: signalsServiceRef },
        async init({ s }) {
          signals = s;
        },
      });
    },
  });
  return { feature, get: () => signals! };
}

/** What replica B's events service delivers on the "signals" topic, as signals-backend subscribes. */
function listener() {
  const received: SignalPayload[] = [];
  const feature = createBackendPlugin({
    pluginId: 'signals',
    register(env) {
      env.registerInit({
        deps: { events: eventsServiceRef },
        async init({ events }) {
          await events.subscribe({
            id: 'replica-b',
            topics: ['signals'],
            onEvent: async ({ eventPayload }) => {
              received.push(eventPayload as SignalPayload);
            },
          });
        },
      });
    },
  });
  return { feature, received };
}

describeIntegration('signals across backend replicas', () => {
  let db: TestDatabase;

  beforeAll(async () => {
    db = await startTestDatabase('signals_replicas');
  });

  afterAll(async () => {
    await db?.drop();
  });

  it('a signal published on replica A reaches replica B through the events backend on PostgreSQL', async () => {
    const shared = () => [
      eventsBackend,
      eventsServiceFactory,
      mockServices.database.factory({ knex: db.knex }),
    ];
    const pub = publisher();
    const sub = listener();
    const a = await startTestBackend({ features: [...shared(), pub.feature] });
    const b = await startTestBackend({ features: [...shared(), sub.feature] });
    try {
      // B's subscription is registered with the events backend (it polls it)
      await new Promise(r => setTimeout(r, 3000));
      const signal: SignalPayload = {
        channel: 'deployment-health:entity:component:default/replica-probe',
        recipients: { type: 'user', entityRef: ['group:default/team-a'] },
        message: {
          kind: 'entity',
          entityRef: 'component:default/replica-probe',
          change: 'health',
        },
      };
      const start = Date.now();
      await pub.get().publish(signal);
      for (let i = 0; i < 100 && sub.received.length === 0; i++)
        await new Promise(r => setTimeout(r, 50));
      const ms = Date.now() - start;
      // eslint-disable-next-line no-console
      console.log(`replica A → replica B: ${ms} ms`);
      expect(sub.received).toEqual([signal]);
      expect(ms).toBeLessThan(2000);
    } finally {
      await a.stop();
      await b.stop();
    }
  });
});
