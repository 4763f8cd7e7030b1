/*
 * What a team namespace is and who owns it: the objects that make it up, and
 * the check that a namespace belongs to the team before an action writes to it.
 */
import { InputError } from '@backstage/errors';
import {
  KubeConfig,
  KubernetesObject,
  KubernetesObjectApi,
} from '@kubernetes/client-node';
import { describeKubeError, kubeErrorCode } from './kube';

/** Field manager used for server-side apply by the Shipyard actions. */
export const FIELD_MANAGER = 'shipyard-scaffolder';
/** Label carrying the owning team on the namespace. */
export const TEAM_LABEL = 'shipyard.dev/team';
/**
 * ServiceAccount in every team namespace that `shipyard:deploy` runs helm as
 * (by impersonation). It holds `edit` in its own namespace only, so whatever a
 * chart renders, the API server refuses writes to other namespaces and to
 * cluster-scoped kinds.
 */
export const NAMESPACE_DEPLOYER = 'shipyard-deployer';

/** The Kubernetes user name of the namespace deployer of `namespace`. */
export function namespaceDeployerUser(namespace: string): string {
  return `system:serviceaccount:${namespace}:${NAMESPACE_DEPLOYER}`;
}

/**
 * A copy of the deployer's `kubeConfig` that impersonates the namespace
 * deployer of `namespace` (`Impersonate-User`; the API server adds the
 * service account's groups). The deployer itself may only impersonate that
 * service account (scripts/cluster.d/deployer-rbac.yaml), so every request
 * made with the copy has the namespace's rights, no more.
 */
export function asNamespaceDeployer(
  kubeConfig: KubeConfig,
  namespace: string,
): KubeConfig {
  const current = kubeConfig.getContextObject(kubeConfig.getCurrentContext());
  if (!current) throw new Error('kubeconfig has no current context');
  const kc = new KubeConfig();
  kc.loadFromOptions({
    clusters: kubeConfig.getClusters(),
    users: kubeConfig
      .getUsers()
      .map(u =>
        u.name === current.user
          ? { ...u, impersonateUser: namespaceDeployerUser(namespace) }
          : u,
      ),
    contexts: kubeConfig.getContexts(),
    currentContext: current.name,
  });
  return kc;
}

/**
 * Refuses a namespace that exists and is not labelled as this team's, so a
 * template never hands one team's namespace (or kube-system) to another: the
 * actions run with the deployer's rights, not the user's. A missing namespace
 * is refused only when `mustExist`.
 */
export async function assertTeamNamespace(
  kubeConfig: KubeConfig,
  opts: {
    cluster: string;
    namespace: string;
    team: string;
    mustExist: boolean;
  },
): Promise<void> {
  const { cluster, namespace, team } = opts;
  let labels: Record<string, string>;
  try {
    const ns = await KubernetesObjectApi.makeApiClient(kubeConfig).read({
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: { name: namespace },
    });
    labels = ns.metadata?.labels ?? {};
  } catch (e) {
    if (kubeErrorCode(e) !== 404) {
      throw new Error(
        `[${cluster}] reading Namespace/${namespace} failed: ${describeKubeError(
          e,
        )}`,
      );
    }
    if (opts.mustExist) {
      throw new InputError(
        `Invalid namespace "${namespace}": it does not exist on cluster ${cluster} (shipyard:kubernetes:namespace prepares it)`,
      );
    }
    return;
  }
  const owner = labels[TEAM_LABEL];
  if (owner !== team) {
    throw new InputError(
      `Invalid namespace "${namespace}": on cluster ${cluster} it belongs to ${
        owner
          ? `team "${owner}"`
          : `no team (a platform admin can hand it over with the label ${TEAM_LABEL}=${team})`
      }, not to team "${team}"`,
    );
  }
}

/** Options for {@link teamNamespaceManifests}. */
export interface TeamNamespaceOptions {
  namespace: string;
  team: string;
  /** Namespace of the ingress controller allowed to reach the pods. Default `ingress-nginx`. */
  ingressNamespace?: string;
}

/**
 * The objects that make up a team namespace: Namespace (team label, Pod
 * Security `restricted` enforced), ResourceQuota (compute and object counts), LimitRange, default-deny
 * NetworkPolicy with allow rules (same namespace, ingress controller, DNS),
 * a RoleBinding giving the team's group the `edit` ClusterRole, and the
 * namespace deployer ServiceAccount with `edit` in this namespace only (what
 * `shipyard:deploy` installs charts as). Pure function.
 */
export function teamNamespaceManifests(
  opts: TeamNamespaceOptions,
): KubernetesObject[] {
  const { namespace, team } = opts;
  const ingressNamespace = opts.ingressNamespace ?? 'ingress-nginx';
  const labels = {
    'app.kubernetes.io/managed-by': 'shipyard',
    [TEAM_LABEL]: team,
  };
  const meta = (name: string) => ({ name, namespace, labels });
  return [
    {
      apiVersion: 'v1',
      kind: 'Namespace',
      metadata: {
        name: namespace,
        labels: {
          ...labels,
          'pod-security.kubernetes.io/enforce': 'restricted',
          'pod-security.kubernetes.io/enforce-version': 'latest',
          'pod-security.kubernetes.io/warn': 'restricted',
          'pod-security.kubernetes.io/audit': 'restricted',
        },
      },
    },
    {
      apiVersion: 'v1',
      kind: 'ResourceQuota',
      metadata: meta('team-quota'),
      spec: {
        hard: {
          'requests.cpu': '4',
          'requests.memory': '8Gi',
          'limits.cpu': '8',
          'limits.memory': '16Gi',
          // object counts, so one team cannot flood etcd and the cluster-wide
          // health cache (e.g. thousands of `replicas: 0` Deployments). Sized for
          // ~20 golden-path services: each is a Deployment (revisionHistoryLimit 5,
          // so up to 6 ReplicaSets), Service, HPA, PDB, Ingress, NetworkPolicy,
          // ServiceAccount and up to 10 helm release Secrets.
          pods: '50',
          services: '20',
          secrets: '250',
          configmaps: '100',
          persistentvolumeclaims: '10',
          'services.loadbalancers': '0',
          'services.nodeports': '0',
          'count/deployments.apps': '40',
          'count/replicasets.apps': '200',
          'count/statefulsets.apps': '10',
          'count/daemonsets.apps': '0',
          'count/jobs.batch': '50',
          'count/cronjobs.batch': '20',
          'count/horizontalpodautoscalers.autoscaling': '40',
          'count/poddisruptionbudgets.policy': '40',
          'count/ingresses.networking.k8s.io': '40',
          'count/networkpolicies.networking.k8s.io': '50',
          'count/serviceaccounts': '50',
        },
      },
    } as KubernetesObject,
    {
      apiVersion: 'v1',
      kind: 'LimitRange',
      metadata: meta('team-defaults'),
      spec: {
        limits: [
          {
            type: 'Container',
            defaultRequest: { cpu: '100m', memory: '128Mi' },
            default: { cpu: '500m', memory: '512Mi' },
            max: { cpu: '2', memory: '4Gi' },
          },
        ],
      },
    } as KubernetesObject,
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta('default-deny'),
      spec: { podSelector: {}, policyTypes: ['Ingress', 'Egress'] },
    } as KubernetesObject,
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta('allow-same-namespace'),
      spec: {
        podSelector: {},
        policyTypes: ['Ingress', 'Egress'],
        ingress: [{ from: [{ podSelector: {} }] }],
        egress: [{ to: [{ podSelector: {} }] }],
      },
    } as KubernetesObject,
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta('allow-ingress-controller'),
      spec: {
        podSelector: {},
        policyTypes: ['Ingress'],
        ingress: [
          {
            from: [
              {
                namespaceSelector: {
                  matchLabels: {
                    'kubernetes.io/metadata.name': ingressNamespace,
                  },
                },
              },
            ],
          },
        ],
      },
    } as KubernetesObject,
    {
      apiVersion: 'networking.k8s.io/v1',
      kind: 'NetworkPolicy',
      metadata: meta('allow-dns'),
      spec: {
        podSelector: {},
        policyTypes: ['Egress'],
        egress: [
          {
            to: [
              {
                namespaceSelector: {
                  matchLabels: { 'kubernetes.io/metadata.name': 'kube-system' },
                },
              },
            ],
            ports: [
              { protocol: 'UDP', port: 53 },
              { protocol: 'TCP', port: 53 },
            ],
          },
        ],
      },
    } as KubernetesObject,
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: meta('team-edit'),
      roleRef: {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'ClusterRole',
        name: 'edit',
      },
      subjects: [
        { apiGroup: 'rbac.authorization.k8s.io', kind: 'Group', name: team },
      ],
    } as KubernetesObject,
    {
      apiVersion: 'v1',
      kind: 'ServiceAccount',
      metadata: meta(NAMESPACE_DEPLOYER),
      // helm runs as it by impersonation; no pod uses it
      automountServiceAccountToken: false,
    } as KubernetesObject,
    {
      apiVersion: 'rbac.authorization.k8s.io/v1',
      kind: 'RoleBinding',
      metadata: meta(NAMESPACE_DEPLOYER),
      roleRef: {
        apiGroup: 'rbac.authorization.k8s.io',
        kind: 'ClusterRole',
        name: 'edit',
      },
      subjects: [
        { kind: 'ServiceAccount', name: NAMESPACE_DEPLOYER, namespace },
      ],
    } as KubernetesObject,
  ];
}
