import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { Entity, RELATION_PARENT_OF } from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';

/** A team tree larger than this is cut off rather than walked further. */
const MAX_GROUPS = 500;

/**
 * The group and its descendant groups (parentOf relations), breadth-first,
 * read from the catalog with the caller's credentials so that catalog
 * visibility rules apply; a cycle in the relations ends the walk.
 */
export async function groupAndDescendants(
  group: { ref: string; entity: Entity },
  catalog: CatalogService,
  credentials: BackstageCredentials,
): Promise<string[]> {
  const groupRefs = [group.ref];
  let frontier = [group.entity];
  while (frontier.length > 0 && groupRefs.length < MAX_GROUPS) {
    const children = [
      ...new Set(
        frontier
          .flatMap(g => g.relations ?? [])
          .filter(r => r.type === RELATION_PARENT_OF)
          .map(r => r.targetRef)
          .filter(r => !groupRefs.includes(r)),
      ),
    ];
    if (children.length === 0) break;
    groupRefs.push(...children);
    const { items } = await catalog.getEntitiesByRefs(
      { entityRefs: children, fields: ['kind', 'metadata', 'relations'] },
      { credentials },
    );
    frontier = items.filter((e): e is Entity => !!e);
  }
  return groupRefs;
}
