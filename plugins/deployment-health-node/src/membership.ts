import { BackstageCredentials } from '@backstage/backend-plugin-api';
import {
  Entity,
  RELATION_CHILD_OF,
  RELATION_MEMBER_OF,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';

/** Parent groups are walked at most this many levels up (a deeper tree is cut off, never looped). */
const MAX_PARENT_DEPTH = 20;

/**
 * The user's groups: the direct `memberOf` relations of the user entity as the
 * catalog holds it now (not a possibly older copy, such as the one on a
 * scaffolder task), plus every ancestor group of those. A user unknown to the
 * catalog has no groups.
 *
 * The one definition of team membership: the scaffolder actions decide who
 * may act for a team with it, and the permission policy whose details a user
 * may read, so a member of a child team is treated alike by both.
 *
 * @public
 */
export async function readUserGroups(
  userRef: string,
  catalog: CatalogService,
  credentials: BackstageCredentials,
): Promise<string[]> {
  const user = await catalog.getEntityByRef(userRef, { credentials });
  if (!user) return [];
  const found = new Set<string>(relationTargets(user, RELATION_MEMBER_OF));
  // spec.memberOf is what the catalog turns into memberOf relations; read too for a catalog that has not processed relations yet
  const specMemberOf = user.spec?.memberOf;
  if (Array.isArray(specMemberOf)) {
    for (const g of specMemberOf) {
      if (typeof g === 'string' && g) {
        found.add(normalizeRef(g, user.metadata.namespace ?? 'default'));
      }
    }
  }
  let frontier = [...found];
  for (
    let depth = 0;
    frontier.length > 0 && depth < MAX_PARENT_DEPTH;
    depth++
  ) {
    const { items } = await catalog.getEntitiesByRefs(
      {
        entityRefs: frontier,
        fields: ['kind', 'metadata', 'spec', 'relations'],
      },
      { credentials },
    );
    const parents = items
      .filter((e): e is Entity => !!e)
      .flatMap(parentGroups)
      .filter(ref => !found.has(ref));
    frontier = [...new Set(parents)];
    frontier.forEach(ref => found.add(ref));
  }
  return [...found];
}

function relationTargets(entity: Entity, type: string): string[] {
  return (entity.relations ?? [])
    .filter(r => r.type === type)
    .map(r => normalizeRef(r.targetRef));
}

/** A group's parents: its childOf relations, and spec.parent for a catalog that has not processed relations. */
function parentGroups(group: Entity): string[] {
  const parents = relationTargets(group, RELATION_CHILD_OF);
  const specParent = group.spec?.parent;
  if (typeof specParent === 'string' && specParent) {
    parents.push(
      normalizeRef(specParent, group.metadata.namespace ?? 'default'),
    );
  }
  return parents;
}

function normalizeRef(ref: string, defaultNamespace = 'default'): string {
  return stringifyEntityRef(
    parseEntityRef(ref, { defaultKind: 'group', defaultNamespace }),
  );
}
