import { KubernetesObject } from '@kubernetes/client-node';

const DROP_ANNOTATIONS = [
  // holds the whole applied manifest, env values included
  'kubectl.kubernetes.io/last-applied-configuration',
  'deployment.kubernetes.io/desired-replicas',
];

function stripContainers(list: any[] | undefined) {
  for (const c of list ?? []) {
    // Keep env names (useful, harmless), never values or valueFrom refs.
    if (Array.isArray(c.env)) c.env = c.env.map((e: any) => ({ name: e.name }));
    delete c.envFrom;
    // Probes and commands can embed credentials in args/headers; not needed for health.
    delete c.args;
    delete c.command;
    delete c.livenessProbe;
    delete c.readinessProbe;
    delete c.startupProbe;
    delete c.lifecycle;
  }
}

function stripPodSpec(spec: any) {
  if (!spec) return;
  stripContainers(spec.containers);
  stripContainers(spec.initContainers);
  stripContainers(spec.ephemeralContainers);
  delete spec.volumes;
}

/**
 * Removes everything the cache does not need and that might carry secret
 * material (env values, last-applied manifests), and managedFields, which
 * are often half of an object's size. Mutates and returns the object.
 */
export function sanitize<T extends KubernetesObject>(obj: T): T {
  const md: any = obj.metadata;
  if (md) {
    delete md.managedFields;
    if (md.annotations) {
      for (const a of DROP_ANNOTATIONS) delete md.annotations[a];
    }
  }
  const anyObj = obj as any;
  if (
    anyObj.kind === 'Pod' ||
    (anyObj.spec?.containers && !anyObj.spec?.template)
  ) {
    stripPodSpec(anyObj.spec);
  }
  stripPodSpec(anyObj.spec?.template?.spec);
  return obj;
}
