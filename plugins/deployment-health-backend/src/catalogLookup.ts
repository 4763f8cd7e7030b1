import { BackstageCredentials } from '@backstage/backend-plugin-api';
import {
  Entity,
  parseEntityRef,
  RELATION_OWNED_BY,
} from '@backstage/catalog-model';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  ANNOTATION_KUBERNETES_ID,
  toGroupRef,
} from '@shipyard-platform/backstage-plugin-deployment-health-common';

/** Kubernetes-ids asked of the catalog in one request. */
const IDS_PER_QUERY = 100;

/**
 * The catalog entities annotated with any of these kubernetes-ids (a few
 * ids per request), with the fields that decide where their objects are
 * read and who owns them.
 */
export async function entitiesByKubernetesId(
  catalog: CatalogService,
  ids: string[],
  credentials: BackstageCredentials,
): Promise<Entity[]> {
  const entities: Entity[] = [];
  for (let i = 0; i < ids.length; i += IDS_PER_QUERY) {
    const { items } = await catalog.getEntities(
      {
        filter: {
          [`metadata.annotations.${ANNOTATION_KUBERNETES_ID}`]: ids.slice(
            i,
            i + IDS_PER_QUERY,
          ),
        },
        fields: ['kind', 'metadata', 'spec.owner', 'relations'],
      },
      { credentials },
    );
    entities.push(...items);
  }
  return entities;
}

/** The groups that own the entity (ownedBy relations to groups). */
export function ownerGroups(entity: Entity): string[] {
  const refs = (entity.relations ?? [])
    .filter(r => r.type === RELATION_OWNED_BY)
    .map(r => r.targetRef)
    .filter(r => parseEntityRef(r).kind.toLocaleLowerCase('en-US') === 'group');
  if (refs.length) return [...new Set(refs)];
  const owner = entity.spec?.owner;
  return typeof owner === 'string' && owner ? [toGroupRef(owner)] : [];
}
