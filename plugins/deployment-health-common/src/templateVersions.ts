import {
  Entity,
  parseEntityRef,
  stringifyEntityRef,
} from '@backstage/catalog-model';

/**
 * The template that created an entity: upstream's annotation, which the
 * golden-path templates write into the generated catalog-info.yaml.
 *
 * @public
 */
export const ANNOTATION_SOURCE_TEMPLATE = 'backstage.io/source-template';

/**
 * A template's version (on the Template entity) and the version a generated
 * service was made from (on its Component): `MAJOR.MINOR.PATCH`.
 *
 * @public
 */
export const ANNOTATION_TEMPLATE_VERSION = 'shipyard.dev/template-version';

const VERSION_PATTERN = /^(0|[1-9]\d*)\.(0|[1-9]\d*)\.(0|[1-9]\d*)$/;

/**
 * `[major, minor, patch]` of a template version, or undefined when it is no
 * `MAJOR.MINOR.PATCH`.
 *
 * @public
 */
export function parseTemplateVersion(
  version: unknown,
): [number, number, number] | undefined {
  if (typeof version !== 'string') return undefined;
  const m = VERSION_PATTERN.exec(version);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

/**
 * The first part (0 major, 1 minor, 2 patch) in which two parsed versions
 * differ, and the sign of `a - b` there; `undefined` when they are equal.
 */
function firstDifference(
  a: [number, number, number],
  b: [number, number, number],
): { part: 0 | 1 | 2; sign: -1 | 1 } | undefined {
  const part = ([0, 1, 2] as const).find(k => a[k] !== b[k]);
  return part === undefined
    ? undefined
    : { part, sign: a[part] < b[part] ? -1 : 1 };
}

/**
 * -1, 0 or 1 as template version `a` is older than, equal to or newer than
 * `b`; throws for a version that is no `MAJOR.MINOR.PATCH`.
 *
 * @public
 */
export function compareTemplateVersions(a: string, b: string): -1 | 0 | 1 {
  const pa = parseTemplateVersion(a);
  const pb = parseTemplateVersion(b);
  if (!pa || !pb)
    throw new Error(
      `not a template version (MAJOR.MINOR.PATCH): ${JSON.stringify(
        pa ? b : a,
      )}`,
    );
  return firstDifference(pa, pb)?.sign ?? 0;
}

/**
 * Where a service stands against the newest version of its template:
 * - `current`: on the newest version
 * - `behind`: an older version; `behind` says by how much (the first part that differs)
 * - `ahead`: newer than the catalog's template (a template rolled back, or another catalog)
 * - `unknown-template`: its template is not in the catalog (renamed, removed, not readable)
 * - `unversioned`: the service or its template has no valid version annotation
 * - `not-from-template`: no `backstage.io/source-template` annotation
 *
 * @public
 */
export type TemplateDrift = {
  entityRef: string;
  templateRef?: string;
  recorded?: string;
  newest?: string;
  status:
    | 'current'
    | 'behind'
    | 'ahead'
    | 'unknown-template'
    | 'unversioned'
    | 'not-from-template';
  behind?: { by: 'major' | 'minor' | 'patch'; count: number };
};

/**
 * The template drift of each service: its recorded template version against
 * the version the template has now, for a team view (or the update action) to
 * show which services are behind and how far. `templates` are the Template
 * entities, as the catalog returns them.
 *
 * @public
 */
export function templateDrift(
  services: Entity[],
  templates: Entity[],
): TemplateDrift[] {
  const newestByRef = new Map(
    templates.map(t => [
      stringifyEntityRef(t),
      t.metadata.annotations?.[ANNOTATION_TEMPLATE_VERSION],
    ]),
  );
  return services.map(service => {
    const entityRef = stringifyEntityRef(service);
    const annotations = service.metadata.annotations ?? {};
    const source = annotations[ANNOTATION_SOURCE_TEMPLATE];
    if (!source) return { entityRef, status: 'not-from-template' };
    // normalized, so 'template:node-service' and 'template:default/node-service' meet
    let templateRef: string;
    try {
      templateRef = stringifyEntityRef(
        parseEntityRef(source, {
          defaultKind: 'template',
          defaultNamespace: 'default',
        }),
      );
    } catch {
      return { entityRef, templateRef: source, status: 'unknown-template' };
    }
    const recorded = annotations[ANNOTATION_TEMPLATE_VERSION];
    if (!newestByRef.has(templateRef))
      return { entityRef, templateRef, recorded, status: 'unknown-template' };
    const newest = newestByRef.get(templateRef);
    const a = parseTemplateVersion(recorded);
    const b = parseTemplateVersion(newest);
    if (!a || !b)
      return {
        entityRef,
        templateRef,
        recorded,
        newest,
        status: 'unversioned',
      };
    const parts = ['major', 'minor', 'patch'] as const;
    const diff = firstDifference(a, b);
    if (!diff)
      return { entityRef, templateRef, recorded, newest, status: 'current' };
    if (diff.sign > 0)
      return { entityRef, templateRef, recorded, newest, status: 'ahead' };
    const i = diff.part;
    return {
      entityRef,
      templateRef,
      recorded,
      newest,
      status: 'behind',
      behind: { by: parts[i], count: b[i] - a[i] },
    };
  });
}
