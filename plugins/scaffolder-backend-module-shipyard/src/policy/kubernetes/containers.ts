/*
 * Checks of one container against Pod Security Standards "restricted" (plus a
 * read-only root filesystem with an emptyDir on /tmp), pinned images,
 * resources, probes and a preStop hook.
 */
import { isPinnedImage, Issue, issueIf, Pod, PodCheck } from './model';

type ContainerCheck = (container: any, pod: Pod) => Issue[];

const securityContext = (c: any) => c.securityContext ?? {};
const podSecurityContext = (pod: Pod) => pod.spec.securityContext ?? {};

const runAsNonRoot: ContainerCheck = (c, pod) =>
  issueIf(
    (securityContext(c).runAsNonRoot ??
      podSecurityContext(pod).runAsNonRoot) !== true,
    'k8s.pss.run-as-non-root',
    'securityContext.runAsNonRoot must be true',
  );

const notRootUser: ContainerCheck = (c, pod) =>
  issueIf(
    (securityContext(c).runAsUser ?? podSecurityContext(pod).runAsUser) === 0,
    'k8s.pss.run-as-user',
    'runAsUser must not be 0 (root)',
  );

const notPrivileged: ContainerCheck = c =>
  issueIf(
    securityContext(c).privileged,
    'k8s.pss.privileged',
    'privileged must not be true',
  );

const noPrivilegeEscalation: ContainerCheck = c =>
  issueIf(
    securityContext(c).allowPrivilegeEscalation !== false,
    'k8s.pss.allow-privilege-escalation',
    'securityContext.allowPrivilegeEscalation must be false',
  );

const capabilitiesDropped: ContainerCheck = c =>
  issueIf(
    !(securityContext(c).capabilities?.drop ?? []).includes('ALL'),
    'k8s.pss.capabilities',
    'securityContext.capabilities.drop must include ALL',
  );

const onlyNetBindServiceAdded: ContainerCheck = c => {
  const added: string[] = securityContext(c).capabilities?.add ?? [];
  return issueIf(
    added.some(a => a !== 'NET_BIND_SERVICE'),
    'k8s.pss.capabilities',
    `only NET_BIND_SERVICE may be added to capabilities (found ${added.join(
      ', ',
    )})`,
  );
};

const seccompProfile: ContainerCheck = (c, pod) => {
  const type =
    securityContext(c).seccompProfile?.type ??
    podSecurityContext(pod).seccompProfile?.type;
  return issueIf(
    type !== 'RuntimeDefault' && type !== 'Localhost',
    'k8s.pss.seccomp',
    'seccompProfile.type must be RuntimeDefault (pod or container)',
  );
};

const noHostPorts: ContainerCheck = c =>
  issueIf(
    (c.ports ?? []).some((p: any) => p.hostPort),
    'k8s.pss.host-ports',
    'hostPort must not be used',
  );

const readOnlyRootFilesystem: ContainerCheck = c =>
  issueIf(
    securityContext(c).readOnlyRootFilesystem !== true,
    'k8s.read-only-root-filesystem',
    'securityContext.readOnlyRootFilesystem must be true',
  );

const pinnedImage: ContainerCheck = c =>
  issueIf(
    !isPinnedImage(c.image),
    'k8s.image-tag',
    `image "${c.image ?? ''}" must have a tag other than latest (or a digest)`,
  );

/** A resource quantity that is not there: absent, or rendered empty (`cpu:`). */
const unset = (q: unknown) => q === undefined || q === null || q === '';

/** `0`, `"0"`, `0m`, `0Mi`...: reserves or caps nothing, so it is no value. */
const isZero = (q: unknown) => !unset(q) && parseFloat(String(q)) === 0;

const requestsAndMemoryLimit: ContainerCheck = c => {
  const req = c.resources?.requests ?? {};
  const lim = c.resources?.limits ?? {};
  const fields: [string, unknown][] = [
    ['requests.cpu', req.cpu],
    ['requests.memory', req.memory],
    ['limits.memory', lim.memory],
  ];
  const missing = fields.filter(([, q]) => unset(q)).map(([name]) => name);
  const zero = fields.filter(([, q]) => isZero(q)).map(([name]) => name);
  return [
    ...issueIf(
      missing.length,
      'k8s.resources',
      `missing resources ${missing.join(', ')}`,
    ),
    ...issueIf(
      zero.length,
      'k8s.resources',
      `resources ${zero.join(', ')} must be above 0`,
    ),
  ];
};

const cpuLimit: ContainerCheck = c => {
  const cpu = c.resources?.limits?.cpu;
  return issueIf(
    unset(cpu) || isZero(cpu),
    'k8s.resources.cpu-limit',
    unset(cpu) ? 'no limits.cpu' : 'limits.cpu must be above 0',
    'warning',
  );
};

const tmpEmptyDir: ContainerCheck = (c, pod) => {
  const tmp = (c.volumeMounts ?? []).find((m: any) => m.mountPath === '/tmp');
  const volume =
    tmp && (pod.spec.volumes ?? []).find((v: any) => v.name === tmp.name);
  return issueIf(
    !volume?.emptyDir,
    'k8s.tmp-emptydir',
    'mount an emptyDir volume at /tmp (read-only root filesystem)',
  );
};

const readinessProbe: ContainerCheck = (c, pod) =>
  issueIf(
    pod.longRunning && !c.readinessProbe,
    'k8s.probes.readiness',
    'no readinessProbe',
  );

const livenessProbe: ContainerCheck = (c, pod) =>
  issueIf(
    pod.longRunning && !c.livenessProbe,
    'k8s.probes.liveness',
    'no livenessProbe',
  );

const preStopHook: ContainerCheck = (c, pod) =>
  issueIf(
    pod.longRunning && !c.lifecycle?.preStop,
    'k8s.rollout.pre-stop',
    'no lifecycle.preStop hook (lets endpoints drain before SIGTERM)',
  );

/** Runs `checks` on each container, naming the container in every message. */
function eachContainer(
  containersOf: (pod: Pod) => any[],
  checks: ContainerCheck[],
): PodCheck {
  return pod =>
    containersOf(pod).flatMap(c =>
      checks.flatMap(check =>
        check(c, pod).map(i => ({
          ...i,
          message: `container "${c.name}": ${i.message}`,
        })),
      ),
    );
}

/** Every container, init containers included. */
export const containerBaselines = eachContainer(
  pod => [...(pod.spec.initContainers ?? []), ...(pod.spec.containers ?? [])],
  [
    runAsNonRoot,
    notRootUser,
    notPrivileged,
    noPrivilegeEscalation,
    capabilitiesDropped,
    onlyNetBindServiceAdded,
    seccompProfile,
    noHostPorts,
    readOnlyRootFilesystem,
    pinnedImage,
    requestsAndMemoryLimit,
    cpuLimit,
  ],
);

/** The app containers (not init containers), which serve and are rolled. */
export const appContainerBaselines = eachContainer(
  pod => pod.spec.containers ?? [],
  [tmpEmptyDir, readinessProbe, livenessProbe, preStopHook],
);
