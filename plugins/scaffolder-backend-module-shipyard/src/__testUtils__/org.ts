/*
 * The example organisation (examples/org.yaml) as the catalog holds it: each
 * entity run through the catalog's own BuiltinKindsEntityProcessor, whose
 * relations (memberOf/hasMember, childOf/parentOf) are attached to their
 * source entities as the catalog's stitching does. Served by Backstage's
 * in-memory catalog (catalogServiceMock), so access checks read relations
 * exactly as they would from a real catalog.
 */
import { Entity } from '@backstage/catalog-model';
import { BuiltinKindsEntityProcessor } from '@backstage/plugin-catalog-backend';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import { stringifyEntityRef } from '@backstage/catalog-model';
import {
  DEFAULT_TENANCY_RULES,
  TenancyRules,
} from '@shipyard-platform/backstage-plugin-deployment-health-common';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';

const REPO_ROOT = path.resolve(__dirname, '../../../..');

/** The entities of examples/org.yaml, plus `extra` ones, with the relations the catalog computes. */
export async function orgEntities(extra: Entity[] = []): Promise<Entity[]> {
  const raw = YAML.parseAllDocuments(
    fs.readFileSync(path.join(REPO_ROOT, 'examples/org.yaml'), 'utf8'),
  )
    .map(d => d.toJS() as Entity)
    .filter(Boolean);
  const entities: Entity[] = [...raw, ...extra].map(e => ({
    ...e,
    metadata: { namespace: 'default', ...e.metadata },
    relations: [],
  }));
  const byRef = new Map(entities.map(e => [stringifyEntityRef(e), e]));
  const processor = new BuiltinKindsEntityProcessor();
  for (const entity of entities) {
    await processor.postProcessEntity(
      entity,
      { type: 'file', target: 'examples/org.yaml' },
      result => {
        if (result.type !== 'relation') return;
        const { source, type, target } = result.relation;
        const from = byRef.get(stringifyEntityRef(source));
        const targetRef = stringifyEntityRef(target);
        if (
          from &&
          !from.relations!.some(
            r => r.type === type && r.targetRef === targetRef,
          )
        ) {
          from.relations!.push({ type, targetRef });
        }
      },
    );
  }
  return entities;
}

/** Backstage's in-memory catalog holding the example organisation (and `extra` entities). */
export async function orgCatalog(extra: Entity[] = []) {
  return catalogServiceMock({ entities: await orgEntities(extra) });
}

/** `ctx.user` of a task started by the example user `name`, as the scaffolder sets it. */
export function orgUser(name: string) {
  return { ref: `user:default/${name}` };
}

/** The team of the integration tests: a group under engineering, with the user `tester`. */
export const TEAM_IT = 'group:default/team-it';

const TEAM_IT_ENTITIES: Entity[] = [
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'Group',
    metadata: { name: 'team-it' },
    spec: { type: 'team', parent: 'engineering', children: [] },
  },
  {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User',
    metadata: { name: 'tester' },
    spec: { memberOf: ['team-it'] },
  },
];

/**
 * What an action needs to act for `team-it` in the test namespaces
 * `namespaces` on the local cluster: the example org plus team-it in the
 * catalog, `ctx.user` of its member `tester`, and tenancy rules mapping
 * team-it to those namespaces (shipyard.tenancy.teamNamespaces).
 */
export async function teamItAccess(namespaces: string[]): Promise<{
  catalog: Awaited<ReturnType<typeof orgCatalog>>;
  user: { ref: string };
  tenancy: TenancyRules;
}> {
  return {
    catalog: await orgCatalog(TEAM_IT_ENTITIES),
    user: orgUser('tester'),
    tenancy: {
      ...DEFAULT_TENANCY_RULES,
      teamNamespaces: { [TEAM_IT]: namespaces },
    },
  };
}
