/*
 * Whether the user who started a task may act for a team. The actions run
 * with the deployer's Kubernetes rights, not the user's, so this check (and
 * the namespace-scoped rights of the deployer) is what keeps one team from
 * writing into another team's namespaces. The form's `owner` parameter is
 * never trusted: membership is read from the catalog.
 */
import { BackstageCredentials } from '@backstage/backend-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import { InputError, NotAllowedError } from '@backstage/errors';
import { CatalogService } from '@backstage/plugin-catalog-node';
import type { ActionContext } from '@backstage/plugin-scaffolder-node';
import {
  isReservedNamespace,
  mayActForTeam,
  teamNamespaces,
  TenancyRules,
  toGroupRef,
} from '@shipyard-platform/backstage-plugin-deployment-health-common';
import { readUserGroups } from '@shipyard-platform/backstage-plugin-deployment-health-node';
import { LABEL_VALUE } from './kube';

/** Options of {@link assertMayActForTeam}. */
export interface TeamAccessOptions {
  /** `ctx.user` of the action: who started the task. */
  user: ActionContext<any, any>['user'];
  /** Team as a group name (`team-a`) or group ref (`group:default/team-a`). */
  team: string;
  catalog: CatalogService;
  /** The task initiator's credentials (`ctx.getInitiatorCredentials()`), so catalog visibility rules apply. */
  credentials: BackstageCredentials;
  rules: TenancyRules;
}

/**
 * Refuses unless the signed-in user who started the task is a member of
 * `team` (directly or through a parent group) or of a platform group, and
 * `team` is a Group in the catalog. Returns the team's full group ref.
 */
export async function assertMayActForTeam(
  opts: TeamAccessOptions,
): Promise<string> {
  const { catalog, credentials, rules } = opts;
  const userRef = opts.user?.ref;
  if (!userRef) {
    // e.g. a task started by a service or a schedule: nobody to check membership for
    throw new NotAllowedError(
      `Only a signed-in user may act for team ${describeTeam(
        opts.team,
      )}: this task has no user (ctx.user.ref)`,
    );
  }
  let teamRef: string;
  try {
    teamRef = toGroupRef(opts.team);
  } catch (e) {
    throw new InputError(
      `Invalid team "${opts.team}": not a group name or group entity ref`,
    );
  }
  if (parseEntityRef(teamRef).kind.toLocaleLowerCase('en-US') !== 'group') {
    throw new InputError(
      `Invalid team "${opts.team}": must name a Group, not ${teamRef}`,
    );
  }
  const group = await catalog.getEntityByRef(teamRef, { credentials });
  if (!group || group.kind.toLocaleLowerCase('en-US') !== 'group') {
    throw new InputError(
      `Invalid team "${opts.team}": no group ${teamRef} in the catalog`,
    );
  }
  const groups = await readUserGroups(userRef, catalog, credentials);
  if (!mayActForTeam(groups, teamRef, rules)) {
    throw new NotAllowedError(
      `User ${userRef} may not act for team ${teamRef}: not a member of it or of a platform group (shipyard.tenancy.platformGroups)`,
    );
  }
  return teamRef;
}

/** Refuses a namespace name that no team may own (Kubernetes' own, shared infrastructure, configured ones). */
export function assertNamespaceNotReserved(
  namespace: string,
  rules: TenancyRules,
): void {
  if (isReservedNamespace(namespace, rules)) {
    throw new InputError(
      `Invalid namespace "${namespace}": reserved for the platform (shipyard.tenancy.reservedNamespaces)`,
    );
  }
}

/** Refuses a namespace that is reserved or is not one of the team's (`shipyard.tenancy.teamNamespaces`). */
export function assertNamespaceOfTeam(
  namespace: string,
  teamRef: string,
  rules: TenancyRules,
): void {
  assertNamespaceNotReserved(namespace, rules);
  const owned = teamNamespaces(teamRef, rules);
  if (!owned.includes(namespace)) {
    throw new InputError(
      `Invalid namespace "${namespace}": not a namespace of team ${teamRef} (its namespaces: ${owned.join(
        ', ',
      )}; shipyard.tenancy.teamNamespaces)`,
    );
  }
}

/**
 * A team given as a group name or group ref: its full ref, and its name (the
 * namespace label value and the RBAC group, so it must be a label value).
 */
export function parseTeam(team: string | undefined): {
  ref: string;
  name: string;
} {
  let ref: string | undefined;
  try {
    ref = toGroupRef(team ?? '');
  } catch {
    // not an entity ref: refused below
  }
  const parsed = ref ? parseEntityRef(ref) : undefined;
  if (
    !ref ||
    !parsed ||
    parsed.kind.toLocaleLowerCase('en-US') !== 'group' ||
    !LABEL_VALUE.test(parsed.name)
  ) {
    throw new InputError(
      `Invalid team "${team}": must be a group name or group entity ref whose name is a valid label value (at most 63 characters: letters, digits, "-", "_", ".")`,
    );
  }
  return { ref, name: parsed.name };
}

function describeTeam(team: string): string {
  try {
    return toGroupRef(team);
  } catch {
    return `"${team}"`;
  }
}
