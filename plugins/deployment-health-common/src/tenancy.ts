import { parseEntityRef, stringifyEntityRef } from '@backstage/catalog-model';

/*
 * The tenancy model, as pure rules: which teams a user may act for, which
 * namespaces belong to a team, which namespace names no team may take. The
 * scaffolder actions, the health backend and the permission policy all decide
 * with these, so the three agree.
 */

/**
 * Namespaces no team may own: Kubernetes' own, and the usual homes of shared
 * infrastructure that team NetworkPolicies admit traffic from. Names starting
 * with `kube-` or `openshift-` are reserved as well.
 *
 * @public
 */
export const DEFAULT_RESERVED_NAMESPACES: readonly string[] = [
  'default',
  'kube-system',
  'kube-public',
  'kube-node-lease',
  'ingress-nginx',
  'monitoring',
  'cert-manager',
  'argocd',
  'argo-rollouts',
  'flux-system',
  'istio-system',
  'linkerd',
  'gatekeeper-system',
  'kyverno',
  'local-path-storage',
  'kubernetes-dashboard',
  'backstage',
];

const RESERVED_PREFIXES = ['kube-', 'openshift-'];

/**
 * Who may act for which team, and where a team's objects live
 * (`shipyard.tenancy.*` in config; see the -node package's config.d.ts).
 *
 * @public
 */
export interface TenancyRules {
  /** Groups (entity refs) whose members may act for, and read the details of, any team. */
  platformGroups: string[];
  /** Namespace names no team may own (the defaults plus configured ones). */
  reservedNamespaces: string[];
  /** Team (group entity ref) → its namespaces; a team not listed owns the namespace of its name. */
  teamNamespaces: Record<string, string[]>;
}

/** The rules without config: no platform group, the default reserved names, the naming convention. @public */
export const DEFAULT_TENANCY_RULES: TenancyRules = {
  platformGroups: [],
  reservedNamespaces: [...DEFAULT_RESERVED_NAMESPACES],
  teamNamespaces: {},
};

/** A group reference in full form (`group:default/team-a`), from `team-a` or `group:team-a`. @public */
export function toGroupRef(team: string): string {
  return stringifyEntityRef(
    parseEntityRef(team, { defaultKind: 'group', defaultNamespace: 'default' }),
  );
}

/**
 * The namespaces a team's services may live in: the configured list, else the
 * golden-path convention (the group's name). The convention holds only for
 * groups of the catalog's `default` namespace (`group:other/team-a` does not
 * reach team-a's namespace) and never yields a reserved namespace (a group
 * called `kube-system` does not make kube-system a team's); only
 * configuration can map those.
 *
 * @public
 */
export function teamNamespaces(team: string, rules: TenancyRules): string[] {
  const ref = toGroupRef(team);
  const configured = rules.teamNamespaces[ref];
  if (configured) return configured;
  const { namespace, name } = parseEntityRef(ref);
  if (namespace !== 'default' || isReservedNamespace(name, rules)) return [];
  return [name];
}

/**
 * The teams that own a namespace, the inverse of {@link teamNamespaces}: the
 * teams configured with it, else by the convention the group of its name in
 * the catalog's `default` namespace (unless reserved, or that group is
 * configured with other namespaces). Sorted; empty when no team owns it.
 *
 * @public
 */
export function namespaceTeams(
  namespace: string,
  rules: TenancyRules,
): string[] {
  const configured = Object.entries(rules.teamNamespaces)
    .filter(([, namespaces]) => namespaces.includes(namespace))
    .map(([team]) => toGroupRef(team));
  if (configured.length) return [...new Set(configured)].sort();
  const byName = toGroupRef(namespace);
  return teamNamespaces(byName, rules).includes(namespace) ? [byName] : [];
}

/** True when no team may own the namespace `name`. @public */
export function isReservedNamespace(
  name: string,
  rules: TenancyRules,
): boolean {
  return (
    rules.reservedNamespaces.includes(name) ||
    RESERVED_PREFIXES.some(prefix => name.startsWith(prefix))
  );
}

/** True when one of the user's groups is a platform group. @public */
export function isPlatformMember(
  userGroups: Iterable<string>,
  rules: TenancyRules,
): boolean {
  const platform = new Set(rules.platformGroups.map(toGroupRef));
  for (const g of userGroups) if (platform.has(toGroupRef(g))) return true;
  return false;
}

/**
 * True when a user whose groups (direct and parent groups, as entity refs) are
 * `userGroups` may act for `team`: a member, or in a platform group.
 *
 * @public
 */
export function mayActForTeam(
  userGroups: Iterable<string>,
  team: string,
  rules: TenancyRules,
): boolean {
  const groups = [...userGroups].map(toGroupRef);
  return groups.includes(toGroupRef(team)) || isPlatformMember(groups, rules);
}
