import { UserInfoService } from '@backstage/backend-plugin-api';
import { parseEntityRef } from '@backstage/catalog-model';
import { Config } from '@backstage/config';
import {
  catalogConditions,
  createCatalogConditionalDecision,
} from '@backstage/plugin-catalog-backend/alpha';
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
  deploymentHealthReadPermission,
  deploymentHealthSummaryReadPermission,
  isPlatformMember,
  TenancyRules,
} from '@shipyard-platform/backstage-plugin-deployment-health-common';
import { readTenancyRules } from '@shipyard-platform/backstage-plugin-deployment-health-node';

/** What the policy knows about the caller. @public */
export interface ShipyardPolicyUser {
  /** e.g. user:default/ada */
  userEntityRef: string;
  /** The sign-in's ownership claims: the user and the groups it is a member of. */
  ownershipEntityRefs: string[];
  /** True when one of `ownershipEntityRefs` is in `shipyard.tenancy.platformGroups`. */
  isPlatform: boolean;
}

/**
 * Shipyard's permission policy: tenant isolation for deployment health, and
 * everything else as a `@backstage/create-app` portal has it (allowed).
 *
 * - `deployment-health.entity.summary.read`, `deployment-health.clusters.read`:
 *   allowed to every signed-in user, denied without a user.
 * - `deployment-health.entity.read` (details): allowed to the platform groups;
 *   for others conditional on `isEntityOwner` with the user's ownership claims.
 * - `scaffolder.task.read` / `scaffolder.task.cancel`: the platform groups;
 *   others conditional on `isTaskOwner` (their own tasks: a task's output
 *   carries what its steps read);
 * - anything else, `scaffolder.action.execute` included: allowed (what
 *   `@backstage/plugin-permission-backend-module-allow-all-policy`, create-app's
 *   policy, answers). The team-scoped actions (`shipyard:deploy`,
 *   `shipyard:kubernetes:namespace`) check the user's membership themselves,
 *   with the same `shipyard.tenancy` rules and the catalog's `memberOf`
 *   (parent groups included), and refuse naming the team and the rule; a
 *   policy condition here would refuse first, with the scaffolder's
 *   "Unauthorized action" and a narrower rule (direct groups only).
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
    options: { userInfo: UserInfoService },
  ): InstanceType<T> {
    return new this({
      rules: readTenancyRules(config),
      userInfo: options.userInfo,
    }) as InstanceType<T>;
  }

  /** The tenancy rules (`shipyard.tenancy.*`): who is in a platform group. */
  protected readonly rules: TenancyRules;
  private readonly userInfo: UserInfoService;

  constructor(options: { rules: TenancyRules; userInfo: UserInfoService }) {
    this.rules = options.rules;
    this.userInfo = options.userInfo;
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

  /** The caller's ownership claims, from the user's credentials. */
  protected async caller(user: PolicyQueryUser): Promise<ShipyardPolicyUser> {
    const info = await this.userInfo.getUserInfo(user.credentials);
    return {
      userEntityRef: info.userEntityRef,
      ownershipEntityRefs: info.ownershipEntityRefs,
      isPlatform: isPlatformMember(
        info.ownershipEntityRefs.filter(isGroupRef),
        this.rules,
      ),
    };
  }
}

function isGroupRef(ref: string): boolean {
  try {
    return parseEntityRef(ref).kind.toLocaleLowerCase('en-US') === 'group';
  } catch {
    return false; // not an entity ref: no claim to a group
  }
}
