import { mockCredentials, mockServices } from '@backstage/backend-test-utils';
import { Entity } from '@backstage/catalog-model';
import { ConfigReader } from '@backstage/config';
import { CatalogService } from '@backstage/plugin-catalog-node';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { permissionRules } from '@backstage/plugin-catalog-backend/alpha';
import {
  catalogEntityReadPermission,
  catalogEntityDeletePermission,
} from '@backstage/plugin-catalog-common/alpha';
import {
  AuthorizeResult,
  Permission,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  createConditionAuthorizer,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import {
  actionExecutePermission,
  taskCancelPermission,
  taskReadPermission,
  templateDryRunPermission,
} from '@backstage/plugin-scaffolder-common/alpha';
import {
  deploymentHealthClustersReadPermission,
  deploymentHealthNodesReadPermission,
  deploymentHealthReadPermission,
  deploymentHealthSummaryReadPermission,
} from '@shipyard-platform/backstage-plugin-deployment-health-common';
import { ShipyardPermissionPolicy } from './ShipyardPermissionPolicy';

/*
 * The policy as the permission backend calls it: a PolicyQuery and the
 * signed-in user (credentials; the ownership claims come from the user info
 * service, here the direct groups of examples/org.yaml, as the sign-in
 * resolvers give them). The groups and their parents come from the catalog,
 * served by Backstage's in-memory catalog. Catalog conditions are evaluated
 * with the catalog's own permission rules.
 */

const claims: Record<string, string[]> = {
  'user:default/ada': ['user:default/ada', 'group:default/team-payments'],
  'user:default/grace': ['user:default/grace', 'group:default/team-storefront'],
  'user:default/linus': ['user:default/linus', 'group:default/team-platform'],
  'user:default/mia': ['user:default/mia', 'group:default/payments-oncall'],
};

const userInfo = mockServices.userInfo.mock({
  getUserInfo: async credentials => {
    const ref = (credentials.principal as { userEntityRef: string })
      .userEntityRef;
    return { userEntityRef: ref, ownershipEntityRefs: claims[ref] };
  },
});

/** A User or Group with the relations the catalog derives from its spec. */
const member = (name: string, group: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'User',
  metadata: { name, namespace: 'default' },
  spec: { memberOf: [group] },
  relations: [{ type: 'memberOf', targetRef: `group:default/${group}` }],
});
const group = (name: string, parent?: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Group',
  metadata: { name, namespace: 'default' },
  spec: { type: 'team', children: [], ...(parent ? { parent } : {}) },
  relations: parent
    ? [{ type: 'childOf', targetRef: `group:default/${parent}` }]
    : [],
});
const org = [
  member('ada', 'team-payments'),
  member('grace', 'team-storefront'),
  member('linus', 'team-platform'),
  // on call for payments: a team under team-payments
  member('mia', 'payments-oncall'),
  group('engineering'),
  group('team-payments', 'engineering'),
  group('team-storefront', 'engineering'),
  group('team-platform', 'engineering'),
  group('payments-oncall', 'team-payments'),
];

const deps = {
  userInfo,
  catalog: catalogServiceMock({ entities: org }),
  auth: mockServices.auth(),
};
const policy = ShipyardPermissionPolicy.fromConfig(
  new ConfigReader({
    shipyard: { tenancy: { platformGroups: ['team-platform'] } },
  }),
  deps,
);

const user = (name: string): PolicyQueryUser => ({
  credentials: mockCredentials.user(`user:default/${name}`),
  info: { userEntityRef: `user:default/${name}`, ownershipEntityRefs: [] },
});

const decide = (permission: Permission, name?: string) =>
  policy.handle({ permission }, name ? user(name) : undefined);

const service = (name: string, owner: string): Entity => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name, namespace: 'default' },
  spec: { type: 'service', owner, lifecycle: 'production' },
  relations: [{ type: 'ownedBy', targetRef: `group:default/${owner}` }],
});
const paymentsApi = service('payments-api', 'team-payments');
const storefrontWeb = service('storefront-web', 'team-storefront');

/** Applies a decision to an entity with the catalog's rules, as the catalog does. */
const allowsEntity = createConditionAuthorizer<Entity, unknown>(
  Object.values(permissionRules),
);

describe('ShipyardPermissionPolicy', () => {
  it.each(['ada', 'grace', 'linus'])(
    'lets %s read every summary and the cluster status',
    async name => {
      for (const p of [
        deploymentHealthSummaryReadPermission,
        deploymentHealthClustersReadPermission,
      ]) {
        expect(await decide(p, name)).toEqual({
          result: AuthorizeResult.ALLOW,
        });
      }
    },
  );

  it('denies every Shipyard permission without a signed-in user', async () => {
    for (const p of [
      deploymentHealthSummaryReadPermission,
      deploymentHealthClustersReadPermission,
      deploymentHealthNodesReadPermission,
      deploymentHealthReadPermission,
    ]) {
      expect(await decide(p)).toEqual({ result: AuthorizeResult.DENY });
    }
  });

  it('gives details to the owning team only: a catalog isEntityOwner condition on the claims', async () => {
    const ada = await decide(deploymentHealthReadPermission, 'ada');
    expect(ada).toEqual({
      result: AuthorizeResult.CONDITIONAL,
      pluginId: 'catalog',
      resourceType: 'catalog-entity',
      conditions: {
        rule: 'IS_ENTITY_OWNER',
        resourceType: 'catalog-entity',
        params: {
          claims: [
            'user:default/ada',
            'group:default/team-payments',
            'group:default/engineering',
          ],
        },
      },
    });
    expect(allowsEntity(ada, paymentsApi)).toBe(true);
    expect(allowsEntity(ada, storefrontWeb)).toBe(false);

    const grace = await decide(deploymentHealthReadPermission, 'grace');
    expect(allowsEntity(grace, paymentsApi)).toBe(false);
    expect(allowsEntity(grace, storefrontWeb)).toBe(true);
  });

  it('counts parent groups as the actions do: a member of a team under team-payments reads its details', async () => {
    // mia's sign-in claims only payments-oncall; the catalog says it is part of team-payments
    const mia = await decide(deploymentHealthReadPermission, 'mia');
    expect(allowsEntity(mia, paymentsApi)).toBe(true);
    expect(allowsEntity(mia, storefrontWeb)).toBe(false);
  });

  it('reads the groups again after a few seconds, so a membership change shows', async () => {
    // a catalog whose content changes: grace joins team-payments
    let entities = org;
    const catalog = {
      getEntityByRef: (...args: any[]) =>
        (catalogServiceMock({ entities }).getEntityByRef as any)(...args),
      getEntitiesByRefs: (...args: any[]) =>
        (catalogServiceMock({ entities }).getEntitiesByRefs as any)(...args),
    } as unknown as CatalogService;
    const fresh = ShipyardPermissionPolicy.fromConfig(new ConfigReader({}), {
      ...deps,
      catalog,
    });
    let now = Date.now();
    const clock = jest.spyOn(Date, 'now').mockImplementation(() => now);
    try {
      const read = async () =>
        allowsEntity(
          await fresh.handle(
            { permission: deploymentHealthReadPermission },
            user('grace'),
          ),
          paymentsApi,
        );
      expect(await read()).toBe(false);
      entities = org.map(e =>
        e.metadata.name === 'grace' ? member('grace', 'team-payments') : e,
      );
      now += 1_000;
      expect(await read()).toBe(false); // within the few seconds: as read before
      now += 5_000;
      expect(await read()).toBe(true);
    } finally {
      clock.mockRestore();
    }
  });

  it('decides on the sign-in claims when the catalog cannot be read, and reads it again next time', async () => {
    const logger = mockServices.logger.mock();
    const getEntityByRef = jest
      .fn()
      .mockRejectedValueOnce(new Error('catalog unavailable'));
    const catalog = catalogServiceMock({ entities: org });
    const original = catalog.getEntityByRef.bind(catalog);
    getEntityByRef.mockImplementation(original);
    const flaky = ShipyardPermissionPolicy.fromConfig(new ConfigReader({}), {
      ...deps,
      catalog: Object.assign(catalog, { getEntityByRef }),
      logger,
    });
    const mia = () =>
      flaky.handle({ permission: deploymentHealthReadPermission }, user('mia'));
    // the claims alone: payments-oncall, not its parent team-payments
    expect(allowsEntity(await mia(), paymentsApi)).toBe(false);
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining('Could not read the groups of user:default/mia'),
    );
    expect(allowsEntity(await mia(), paymentsApi)).toBe(true);
  });

  it("gives the clusters' node details to the platform groups only", async () => {
    for (const name of ['ada', 'grace', 'mia'])
      expect(await decide(deploymentHealthNodesReadPermission, name)).toEqual({
        result: AuthorizeResult.DENY,
      });
    expect(await decide(deploymentHealthNodesReadPermission, 'linus')).toEqual({
      result: AuthorizeResult.ALLOW,
    });
  });

  it('gives details of every entity to a platform group member', async () => {
    expect(await decide(deploymentHealthReadPermission, 'linus')).toEqual({
      result: AuthorizeResult.ALLOW,
    });
  });

  it.each([taskReadPermission, taskCancelPermission])(
    '$name: a task is read or cancelled by its creator (isTaskOwner) and the platform groups',
    async permission => {
      expect(await decide(permission, 'grace')).toEqual({
        result: AuthorizeResult.CONDITIONAL,
        pluginId: 'scaffolder',
        resourceType: 'scaffolder-task',
        conditions: {
          resourceType: 'scaffolder-task',
          rule: 'IS_TASK_OWNER',
          params: { createdBy: ['user:default/grace'] },
        },
      });
      expect(await decide(permission, 'linus')).toEqual({
        result: AuthorizeResult.ALLOW,
      });
    },
  );

  it('answers every other permission as create-app (allow-all) does', async () => {
    const other: [Permission, string | undefined][] = [
      [catalogEntityReadPermission, 'grace'],
      [catalogEntityDeletePermission, 'grace'],
      [templateDryRunPermission, 'ada'],
      // the team-scoped actions check membership themselves
      [actionExecutePermission, 'grace'],
      [catalogEntityReadPermission, undefined],
    ];
    for (const [p, name] of other) {
      expect(await decide(p, name)).toEqual<PolicyDecision>({
        result: AuthorizeResult.ALLOW,
      });
    }
  });

  it('can be extended: a subclass decides the permissions Shipyard leaves open', async () => {
    class Strict extends ShipyardPermissionPolicy {
      protected async decideOther() {
        return { result: AuthorizeResult.DENY } as const;
      }
    }
    const strict = Strict.fromConfig(new ConfigReader({}), deps);
    expect(strict).toBeInstanceOf(Strict);
    const grace = user('grace');
    expect(
      await strict.handle({ permission: catalogEntityDeletePermission }, grace),
    ).toEqual({ result: AuthorizeResult.DENY });
    expect(
      await strict.handle(
        { permission: deploymentHealthSummaryReadPermission },
        grace,
      ),
    ).toEqual({ result: AuthorizeResult.ALLOW });
  });
});
