import {
  HealthReason,
  KUBERNETES_ID_LABEL,
  ServiceObjects,
} from '@shipyard-platform/backstage-plugin-deployment-health-common';
import { CoreV1Event, KubernetesObject, V1Node } from '@kubernetes/client-node';
import {
  LABELLED,
  RESOURCES,
  ResourceKey,
} from '@shipyard-platform/backstage-plugin-deployment-health-node';

type Objects = Map<string, KubernetesObject>;

/** A change of the objects of one service (kubernetes-id) in one namespace. */
export interface IndexChange {
  kubernetesId: string;
  namespace: string;
}

const kindOf = (key: ResourceKey) => RESOURCES.find(r => r.key === key)!.kind;

/** Whether two versions of a Node agree in all but their resourceVersion. */
function sameNode(a: KubernetesObject | undefined, b: KubernetesObject) {
  if (!a) return false;
  const strip = (o: KubernetesObject) =>
    JSON.stringify({
      ...o,
      metadata: { ...o.metadata, resourceVersion: undefined },
    });
  return strip(a) === strip(b);
}

const nameOf = (o: KubernetesObject) =>
  `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;

/**
 * One cluster's objects as its informers last saw them, per kind by
 * namespace/name (what a list or a watch event replaces), grouped by
 * `backstage.io/kubernetes-id`; Warning events grouped by the uid of the
 * object they are about. Page views read only from here.
 *
 * It holds at most `maxPerNamespace` objects of a kind in one namespace:
 * one team's thousands of (say, `replicas: 0`) Deployments must not exhaust
 * the memory every team's health depends on. Objects past the cap are not
 * kept; the namespace is marked capped until a relist finds it within the
 * cap again, and readers report it (see cappedReasons).
 */
export class ObjectIndex {
  private readonly stores = new Map<ResourceKey, Objects>(
    RESOURCES.map(r => [r.key, new Map()]),
  );
  private readonly groups = new Map<ResourceKey, Map<string, Objects>>(
    RESOURCES.map(r => [r.key, new Map()]),
  );
  /** The kubernetes-id of each grouped object, by uid: for its events. */
  private readonly idOf = new Map<string, string>();
  /** Per kubernetes-id change counters; let callers memoize derived health per service. */
  private readonly versions = new Map<string, number>();
  /**
   * Changes when a Node changes in what the rules read (its projection:
   * conditions, taints, cordon), not on a bare resourceVersion bump: the
   * health of the services whose pods run there may have changed.
   */
  private nodeChanges = 0;
  /** Objects held per kind and namespace. */
  private readonly perNamespace = new Map<ResourceKey, Map<string, number>>(
    RESOURCES.map(r => [r.key, new Map()]),
  );
  /** Namespaces in which objects of a kind were left out since its last full list. */
  private readonly capped = new Map<ResourceKey, Set<string>>(
    RESOURCES.map(r => [r.key, new Set()]),
  );

  private readonly listeners = new Set<(change: IndexChange) => void>();

  constructor(
    private readonly maxPerNamespace = Infinity,
    /** Told once when a kind in a namespace first goes past the cap. */
    private readonly onCapped?: (kind: string, namespace: string) => void,
  ) {}

  private count(key: ResourceKey, namespace: string, delta: number) {
    const m = this.perNamespace.get(key)!;
    const n = (m.get(namespace) ?? 0) + delta;
    if (n > 0) m.set(namespace, n);
    else m.delete(namespace);
  }

  /** A watch event: the object was added or modified. */
  upsert(key: ResourceKey, o: KubernetesObject) {
    const store = this.stores.get(key)!;
    const old = store.get(nameOf(o));
    // A relist repeats unchanged objects: keep their versions (and the
    // memoized health). Another uid is another object even when the
    // resourceVersion repeats, as in a recreated cluster, whose
    // resourceVersions start over.
    if (
      old?.metadata?.uid === o.metadata?.uid &&
      old?.metadata?.resourceVersion !== undefined &&
      old.metadata.resourceVersion === o.metadata?.resourceVersion
    )
      return;
    const namespace = o.metadata?.namespace ?? '';
    if (!old) {
      // The cap is per team namespace; Nodes (cluster-scoped) are bounded by
      // the cluster itself and are all needed for its health.
      if (
        key !== 'nodes' &&
        (this.perNamespace.get(key)!.get(namespace) ?? 0) >=
          this.maxPerNamespace
      ) {
        const capped = this.capped.get(key)!;
        if (!capped.has(namespace)) {
          capped.add(namespace);
          this.onCapped?.(kindOf(key), namespace);
        }
        return;
      }
      this.count(key, namespace, 1);
    }
    if (key === 'nodes' && !sameNode(old, o)) this.nodeChanges++;
    // the label, the uid or an event's object may have changed
    if (old) this.group(key, old, false);
    store.set(nameOf(o), o);
    this.group(key, o, true);
  }

  /** A watch event: the object was deleted. */
  remove(key: ResourceKey, o: KubernetesObject) {
    const store = this.stores.get(key)!;
    const old = store.get(nameOf(o));
    if (!old) return;
    store.delete(nameOf(o));
    if (key === 'nodes') this.nodeChanges++;
    this.count(key, old.metadata?.namespace ?? '', -1);
    this.group(key, old, false);
  }

  /**
   * A full list: drops what it no longer holds, then applies each object
   * (the cap applies in the list's order). A namespace stays capped only
   * while the list still has more than the cap there.
   */
  replace(key: ResourceKey, items: KubernetesObject[]) {
    this.capped.get(key)!.clear();
    const names = new Set(items.map(nameOf));
    for (const [name, old] of this.stores.get(key)!) {
      if (!names.has(name)) this.remove(key, old);
    }
    for (const o of items) this.upsert(key, o);
  }

  /** Adds the object to its group (or takes it out), and counts the change. */
  private group(key: ResourceKey, o: KubernetesObject, add: boolean) {
    const isEvent = key === 'events';
    const group = isEvent
      ? (o as CoreV1Event).involvedObject?.uid ?? ''
      : o.metadata?.labels?.[KUBERNETES_ID_LABEL] ?? '';
    if (!group && !isEvent) return;
    const groups = this.groups.get(key)!;
    let m = groups.get(group);
    if (add) {
      if (!m) groups.set(group, (m = new Map()));
      m.set(nameOf(o), o);
    } else {
      m?.delete(nameOf(o));
      if (m?.size === 0) groups.delete(group);
    }
    // An event changes the service of the object it is about.
    const uid = o.metadata?.uid;
    if (isEvent) this.bump(this.idOf.get(group), o);
    else if (uid && add) this.idOf.set(uid, group);
    else if (uid) this.idOf.delete(uid);
    if (!isEvent) this.bump(group, o);
  }

  /**
   * Tells `listener` of every change of a service's objects (the changes
   * that move versionOf), as it happens; returns the unsubscribe.
   */
  onChange(listener: (change: IndexChange) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private bump(id: string | undefined, o: KubernetesObject) {
    if (id === undefined) return;
    this.versions.set(id, (this.versions.get(id) ?? 0) + 1);
    const change = { kubernetesId: id, namespace: o.metadata?.namespace ?? '' };
    for (const listener of this.listeners) listener(change);
  }

  /** The kubernetes-ids of the objects held (events aside). */
  kubernetesIds(): Set<string> {
    const ids = new Set<string>();
    for (const [key, groups] of this.groups)
      if (key !== 'events') for (const id of groups.keys()) ids.add(id);
    return ids;
  }

  /** Changes whenever an object (or event) of this kubernetes-id changes. */
  versionOf(kubernetesId: string): number {
    return this.versions.get(kubernetesId) ?? 0;
  }

  /**
   * Objects labelled with this kubernetes-id in these namespaces (the
   * owner team's): the label alone says nothing about whose an object is.
   */
  objectsFor(
    kubernetesId: string,
    namespaces: readonly string[],
  ): ServiceObjects {
    const objects: Record<string, KubernetesObject[]> = {};
    for (const { key } of LABELLED) {
      const group = this.groups.get(key)!.get(kubernetesId)?.values() ?? [];
      objects[key] = [...group].filter(o =>
        namespaces.includes(o.metadata?.namespace ?? ''),
      );
    }
    return this.withEvents(objects);
  }

  /**
   * NamespaceObjectCap for each of these namespaces in which the cache left
   * objects out: what it reports from there may be incomplete.
   */
  cappedReasons(
    cluster: string,
    namespaces: readonly string[],
  ): HealthReason[] {
    return namespaces.flatMap(namespace => {
      const kinds = RESOURCES.filter(r =>
        this.capped.get(r.key)!.has(namespace),
      ).map(r => `${r.kind}s`);
      if (kinds.length === 0) return [];
      return [
        {
          status: 'Unknown' as const,
          code: 'NamespaceObjectCap' as const,
          scope: 'cluster' as const,
          cluster,
          message: `Cluster ${cluster}: namespace ${namespace} has more ${kinds.join(
            ', ',
          )} than the cache holds per namespace (${
            this.maxPerNamespace
          }, deploymentHealth.maxObjectsPerNamespace); what is shown may be incomplete`,
        },
      ];
    });
  }

  /** These objects and the Warning events about any of them. */
  withEvents(objects: ServiceObjects): ServiceObjects {
    const byObject = this.groups.get('events')!;
    const events: KubernetesObject[] = [];
    for (const o of Object.values(objects).flat()) {
      const m = o.metadata?.uid ? byObject.get(o.metadata.uid) : undefined;
      if (m) events.push(...m.values());
    }
    return { ...objects, events } as ServiceObjects;
  }

  /** The Node of this name, as its informer last saw it (projected). */
  node(name: string): V1Node | undefined {
    return this.stores.get('nodes')!.get(`/${name}`) as V1Node | undefined;
  }

  /** Changes whenever a Node changes what the rules read of it. */
  get nodesVersion(): number {
    return this.nodeChanges;
  }

  /** Every held object of a kind (Nodes for the cluster's health, Pods for their requests). */
  all(key: ResourceKey): KubernetesObject[] {
    return [...this.stores.get(key)!.values()];
  }

  /** How many objects of each kind the informers hold. */
  counts(): Record<string, number> {
    return Object.fromEntries(
      RESOURCES.map(r => [r.kind, this.stores.get(r.key)!.size]),
    );
  }
}
