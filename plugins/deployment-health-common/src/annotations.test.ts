import {
  getEntityKubernetesMatch,
  isDeploymentHealthAvailable,
  kubernetesRefusalReason,
  parseLabelSelector,
} from './annotations';
import { DEFAULT_TENANCY_RULES, TenancyRules } from './tenancy';

/** A component of team-storefront (as the catalog relates it) with these annotations. */
const entity = (
  annotations: Record<string, string>,
  owner: string | null = 'group:default/team-storefront',
) => ({
  apiVersion: 'backstage.io/v1alpha1',
  kind: 'Component',
  metadata: { name: 'storefront-web', namespace: 'default', annotations },
  spec: { type: 'service', lifecycle: 'production' },
  relations: owner ? [{ type: 'ownedBy', targetRef: owner }] : [],
});
const rules = DEFAULT_TENANCY_RULES;
const mapped: TenancyRules = {
  ...DEFAULT_TENANCY_RULES,
  teamNamespaces: {
    'group:default/team-storefront': ['storefront', 'storefront-jobs'],
  },
};

describe('getEntityKubernetesMatch', () => {
  it('matches like upstream (selector, then kubernetes-id, then the entity name) in the owner team namespace', () => {
    expect(
      getEntityKubernetesMatch(
        entity({
          'backstage.io/kubernetes-label-selector': 'app=x',
          'backstage.io/kubernetes-id': 'y',
        }),
        rules,
      ),
    ).toEqual({
      match: {
        type: 'labelSelector',
        labelSelector: 'app=x',
        namespaces: ['team-storefront'],
      },
    });
    expect(
      getEntityKubernetesMatch(
        entity({
          'backstage.io/kubernetes-id': 'web',
          'backstage.io/kubernetes-namespace': 'team-storefront',
          'backstage.io/kubernetes-cluster': 'prod',
        }),
        rules,
      ),
    ).toEqual({
      match: {
        type: 'kubernetesId',
        kubernetesId: 'web',
        namespaces: ['team-storefront'],
        cluster: 'prod',
      },
    });
    expect(getEntityKubernetesMatch(entity({}), rules)).toEqual({
      match: {
        type: 'kubernetesId',
        kubernetesId: 'storefront-web',
        namespaces: ['team-storefront'],
      },
    });
  });

  it('honours the configured team mapping, and the namespace annotation narrows to one of its namespaces', () => {
    expect(getEntityKubernetesMatch(entity({}), mapped)).toMatchObject({
      match: { namespaces: ['storefront', 'storefront-jobs'] },
    });
    expect(
      getEntityKubernetesMatch(
        entity({ 'backstage.io/kubernetes-namespace': 'storefront-jobs' }),
        mapped,
      ),
    ).toMatchObject({ match: { namespaces: ['storefront-jobs'] } });
    // the convention's namespace is not the team's once a mapping is configured
    expect(
      getEntityKubernetesMatch(
        entity({ 'backstage.io/kubernetes-namespace': 'team-storefront' }),
        mapped,
      ),
    ).toMatchObject({ refusal: { code: 'AnnotationRefused' } });
  });

  it("refuses a namespace annotation outside the owner team's namespaces, naming the annotation and the rule", () => {
    const result = getEntityKubernetesMatch(
      entity({
        'backstage.io/kubernetes-id': 'payments-api',
        'backstage.io/kubernetes-namespace': 'team-payments',
      }),
      rules,
    );
    expect(result).toEqual({
      refusal: {
        code: 'AnnotationRefused',
        annotation: 'backstage.io/kubernetes-namespace',
        message:
          'Invalid annotation backstage.io/kubernetes-namespace: "team-payments" is not a namespace of the owner group:default/team-storefront (team-storefront); it may only narrow to one of them (shipyard.tenancy.teamNamespaces)',
      },
    });
    expect(kubernetesRefusalReason((result as any).refusal)).toEqual({
      status: 'Unknown',
      code: 'AnnotationRefused',
      scope: 'service',
      annotation: 'backstage.io/kubernetes-namespace',
      message: (result as any).refusal.message,
    });
  });

  it.each([
    ['!x'],
    ['app!=web'],
    ['app notin (web, api)'],
    ['!x,app!=y, tier notin (a)'],
  ])('refuses the negation-only selector %j', selector => {
    const result = getEntityKubernetesMatch(
      entity({ 'backstage.io/kubernetes-label-selector': selector }),
      rules,
    );
    expect(result).toMatchObject({
      refusal: {
        code: 'AnnotationRefused',
        annotation: 'backstage.io/kubernetes-label-selector',
      },
    });
    expect((result as any).refusal.message).toMatch(
      /^Invalid annotation backstage\.io\/kubernetes-label-selector: ".*" only excludes .* needs at least one requirement that selects by a label/,
    );
  });

  it.each([
    ['app='],
    ['app in (a,b),!canary'],
    ['version>3'],
    ['example.com/app==web'],
  ])('parses %j as Kubernetes does and reads with it', selector => {
    expect(parseLabelSelector(selector)).toHaveProperty('requirements');
    expect(
      getEntityKubernetesMatch(
        entity({ 'backstage.io/kubernetes-label-selector': selector }),
        rules,
      ),
    ).toHaveProperty('match.labelSelector', selector);
  });

  it.each([
    ['app=a=b'],
    ['app in ()'],
    ['app in (a'],
    ['-app=x'],
    ['app=x,'],
    ['Example.com/app=x'],
    ['version>x'],
  ])('refuses the malformed selector %j as Kubernetes would', selector => {
    expect(parseLabelSelector(selector)).toHaveProperty('error');
    const result = getEntityKubernetesMatch(
      entity({ 'backstage.io/kubernetes-label-selector': selector }),
      rules,
    );
    expect(result).toHaveProperty(
      'refusal.annotation',
      'backstage.io/kubernetes-label-selector',
    );
    expect((result as any).refusal.message).toMatch(
      /^Invalid annotation backstage\.io\/kubernetes-label-selector: not a Kubernetes label selector \(.+\)$/,
    );
  });

  it('reads nothing for an entity without a team owner, and says why', () => {
    expect(getEntityKubernetesMatch(entity({}, null), rules)).toEqual({
      refusal: {
        code: 'NoTeamOwner',
        message:
          'Not read: the entity has no owner, and objects are read only in the namespaces of the owner team (shipyard.tenancy.teamNamespaces)',
      },
    });
    expect(
      getEntityKubernetesMatch(entity({}, 'user:default/grace'), rules),
    ).toMatchObject({
      refusal: {
        code: 'NoTeamOwner',
        message: expect.stringContaining(
          'owned by user:default/grace, which is not a group',
        ),
      },
    });
    // spec.owner when the catalog has not related it yet, in the entity's namespace
    const unrelated = {
      ...entity({}, null),
      spec: { owner: 'team-payments' },
    };
    expect(getEntityKubernetesMatch(unrelated, rules)).toMatchObject({
      match: { namespaces: ['team-payments'] },
    });
  });

  it('never reads a reserved namespace by the naming convention, only when configured', () => {
    expect(
      getEntityKubernetesMatch(entity({}, 'group:default/kube-system'), rules),
    ).toMatchObject({ refusal: { code: 'NoTeamOwner' } });
    expect(
      getEntityKubernetesMatch(entity({}, 'group:default/monitoring'), {
        ...rules,
        teamNamespaces: { 'group:default/monitoring': ['monitoring'] },
      }),
    ).toMatchObject({ match: { namespaces: ['monitoring'] } });
  });

  it('knows when an entity is set up for kubernetes', () => {
    expect(
      isDeploymentHealthAvailable(
        entity({ 'backstage.io/kubernetes-id': 'x' }),
      ),
    ).toBe(true);
    expect(isDeploymentHealthAvailable(entity({}))).toBe(false);
  });
});
