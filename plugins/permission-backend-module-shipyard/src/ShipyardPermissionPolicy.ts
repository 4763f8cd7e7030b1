import {
  AuthService,
  LoggerService,
  UserInfoService,
} from '@backstage/backend-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import { Config } from '@backstage/config';
import {
  catalogConditions,
  createCatalogConditionalDecision,
} from '@backstage/plugin-catalog-backend/alpha';
import { CatalogService } from '@backstage/plugin-catalog-node';
import {
  AuthorizeResult,
  isPermission,
  PolicyDecision,
} from '@backstage/plugin-permission-common';
import {
  PermissionPolicy,
  PolicyQuery,
  PolicyQueryUser,
} from '@backstage/plugin-permission-node';
import {
  createScaffolderTaskConditionalDecision,
  scaffolderTaskConditions,
} from '@backstage/plugin-scaffolder-backend/alpha';
import {
  taskCancelPermission,
  taskReadPermission,
} from '@backstage/plugin-scaffolder-common/alpha';
import {
  deploymentHealthClustersReadPermission,
  deploymentHealthNodesReadPermission,
  deploymentHealthReadPermission,
  deploymentHealthSummaryReadPermission,
  isPlatformMember,
  TenancyRules,
} from '@shipyard-platform/backstage-plugin-deployment-health-common';
import {
  readTenancyRules,
  readUserGroups,
} from '@shipyard-platform/backstage-plugin-deployment-health-node';

/**
 * How long a user's groups, read from the catalog, are reused: one team view
 * asks the policy about every component, and a membership change should show
 * within seconds.
 */
const GROUPS_TTL_MS = 5_000;

/** What the policy knows about the caller. @public */
export interface ShipyardPolicyUser {
  /** e.g. user:default/ada */
  userEntityRef: string;
  /**
   * The sign-in's ownership claims, plus the user's groups and their parent
   * groups as the catalog holds them now (the membership the scaffolder
   * actions count).
   */
  ownershipEntityRefs: string[];
  /** True when one of the user's groups is in `shipyard.tenancy.platformGroups`. */
  isPlatform: boolean;
}

/**
 * Shipyard's permission policy: tenant isolation for deployment health, and
 * everything else as a `@backstage/create-app` portal has it (allowed).
 *
 * - `deployment-health.entity.summary.read`, `deployment-health.clusters.read`:
 *   allowed to every signed-in user, denied without a user.
 * - `deployment-health.nodes.read` (node names, findings, versions,
 *   capacity of the clusters every team shares): the platform groups only.
 * - `deployment-health.entity.read` (details): allowed to the platform groups;
 *   for others conditional on `isEntityOwner` with the user's ownership
 *   claims and groups, parent groups included (as the actions count them).
 * - `scaffolder.task.read` / `scaffolder.task.cancel`: the platform groups;
 *   others conditional on `isTaskOwner` (their own tasks: a task's output
 *   carries what its steps read);
 * - anything else, `scaffolder.action.execute` included: allowed (what
 *   `@backstage/plugin-permission-backend-module-allow-all-policy`, create-app's
 *   policy, answers). The team-scoped actions (`shipyard:deploy`,
 *   `shipyard:kubernetes:namespace`) check the user's membership themselves,
 *   with the same `shipyard.tenancy` rules and the catalog's `memberOf`
 *   (parent groups included), and refuse naming the team and the rule; a
 *   policy condition here would refuse first, with the scaffolder's bare
 *   "Unauthorized action".
 *
 * Extend it: override {@link ShipyardPermissionPolicy.decideOther} for the
 * permissions it does not decide, or `handle` to change any decision.
 *
 * @public
 */
export class ShipyardPermissionPolicy implements PermissionPolicy {
  /**
   * Reads the platform groups from `shipyard.tenancy.platformGroups`; on a
   * subclass it makes an instance of the subclass.
   */
  static fromConfig<T extends typeof ShipyardPermissionPolicy>(
    this: T,
    config: Config,
    options: {
      userInfo: UserInfoService;
      catalog: CatalogService;
      auth: AuthService;
      logger?: LoggerService;
    },
  ): InstanceType<T> {
    return new this({
      rules: readTenancyRules(config),
      ...options,
    }) as InstanceType<T>;
  }

  /** The tenancy rules (`shipyard.tenancy.*`): who is in a platform group. */
  protected readonly rules: TenancyRules;
  private readonly userInfo: UserInfoService;
  private readonly catalog: CatalogService;
  private readonly auth: AuthService;
  private readonly logger?: LoggerService;
  private readonly groups = new Map<
    string,
    { expires: number; groups: Promise<string[]> }
  >();

  constructor(options: {
    rules: TenancyRules;
    userInfo: UserInfoService;
    /** Where the user's groups and their parents are read, with the permission backend's own credentials. */
    catalog: CatalogService;
    auth: AuthService;
    /** Where a failed read of the user's groups is reported. */
    logger?: LoggerService;
  }) {
    this.rules = options.rules;
    this.userInfo = options.userInfo;
    this.catalog = options.catalog;
    this.auth = options.auth;
    this.logger = options.logger;
  }

  /** Decides one request: the deployment-health permissions here, the rest in {@link ShipyardPermissionPolicy.decideOther}. */
  async handle(
    request: PolicyQuery,
    user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    const { permission } = request;
    const shipyard = [
      deploymentHealthSummaryReadPermission,
      deploymentHealthClustersReadPermission,
      deploymentHealthNodesReadPermission,
      deploymentHealthReadPermission,
    ].some(p => isPermission(permission, p));
    // A task's output and log carry what its steps read (shipyard:deployment:status
    // reports pods, images and messages): its creator and the platform groups
    // read or cancel it, as upstream's isTaskOwner rule decides.
    const task = [taskReadPermission, taskCancelPermission].find(p =>
      isPermission(permission, p),
    );
    if (task && user) {
      const caller = await this.caller(user);
      if (caller.isPlatform) return { result: AuthorizeResult.ALLOW };
      return createScaffolderTaskConditionalDecision(
        task,
        scaffolderTaskConditions.isTaskOwner({
          createdBy: [caller.userEntityRef],
        }),
      );
    }
    if (!shipyard) return this.decideOther(request, user);
    // Shipyard's own reads are for signed-in users only.
    if (!user) return { result: AuthorizeResult.DENY };
    const caller = await this.caller(user);

    if (isPermission(permission, deploymentHealthNodesReadPermission))
      return {
        result: caller.isPlatform
          ? AuthorizeResult.ALLOW
          : AuthorizeResult.DENY,
      };
    if (isPermission(permission, deploymentHealthReadPermission)) {
      if (caller.isPlatform) return { result: AuthorizeResult.ALLOW };
      return createCatalogConditionalDecision(
        permission,
        catalogConditions.isEntityOwner({
          claims: caller.ownershipEntityRefs,
        }),
      );
    }
    return { result: AuthorizeResult.ALLOW };
  }

  /**
   * The decision for a permission this policy does not know: allowed, as in a
   * create-app portal. Override it to add your own rules.
   */
  protected async decideOther(
    _request: PolicyQuery,
    _user?: PolicyQueryUser,
  ): Promise<PolicyDecision> {
    return { result: AuthorizeResult.ALLOW };
  }

  /** The caller's ownership claims and groups, from the user's credentials and the catalog. */
  protected async caller(user: PolicyQueryUser): Promise<ShipyardPolicyUser> {
    const info = await this.userInfo.getUserInfo(user.credentials);
    const groups = await this.userGroups(info.userEntityRef);
    const claims = [...new Set([...info.ownershipEntityRefs, ...groups])];
    return {
      userEntityRef: info.userEntityRef,
      ownershipEntityRefs: claims,
      isPlatform: isPlatformMember(claims.filter(isGroupRef), this.rules),
    };
  }

  /** readUserGroups, reused for a few seconds per user (a failed read is not kept). */
  private userGroups(userRef: string): Promise<string[]> {
    const now = Date.now();
    const cached = this.groups.get(userRef);
    if (cached && cached.expires > now) return cached.groups;
    for (const [ref, entry] of this.groups) {
      if (entry.expires <= now) this.groups.delete(ref);
    }
    const entry = {
      expires: now + GROUPS_TTL_MS,
      groups: this.auth
        .getOwnServiceCredentials()
        .then(credentials => readUserGroups(userRef, this.catalog, credentials))
        .catch(error => {
          // The catalog is down: decide on the sign-in's claims alone, as
          // Backstage's own policies do, and ask again on the next request.
          if (this.groups.get(userRef) === entry) this.groups.delete(userRef);
          this.logger?.warn(
            `Could not read the groups of ${userRef} from the catalog; deciding on the sign-in's claims: ${error}`,
          );
          return [];
        }),
    };
    this.groups.set(userRef, entry);
    return entry.groups;
  }
}

function isGroupRef(ref: string): boolean {
  try {
    return parseEntityRef(ref).kind.toLocaleLowerCase('en-US') === 'group';
  } catch {
    return false; // not an entity ref: no claim to a group
  }
}
