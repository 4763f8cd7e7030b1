import {
  KUBERNETES_ID_LABEL,
  ServiceObjects,
} from '@shipyard-platform/backstage-plugin-deployment-health-common';
import { CoreV1Event, KubernetesObject } from '@kubernetes/client-node';
import { LABELLED, RESOURCES, ResourceKey } from './resources';

type LabelledKey = Exclude<ResourceKey, 'events'>;

const nameOf = (o: KubernetesObject) =>
  `${o.metadata?.namespace ?? ''}/${o.metadata?.name ?? ''}`;

/**
 * One cluster's objects as the informers last saw them: per kind by
 * namespace/name (what a relist or a watch event replaces), indexed from
 * `backstage.io/kubernetes-id` to objects, and Warning events indexed by the
 * uid of the object they are about. Page views read only from here.
 */
export class ObjectIndex {
  private readonly stores = new Map<ResourceKey, Map<string, KubernetesObject>>(
    RESOURCES.map(r => [r.key, new Map()]),
  );
  private readonly byId = new Map<
    LabelledKey,
    Map<string, Map<string, KubernetesObject>>
  >(LABELLED.map(r => [r.key, new Map()]));
  /** kubernetes-id of every indexed object, by uid: events bump their object's service. */
  private readonly idOf = new Map<string, string>();
  private readonly eventsByObject = new Map<string, Map<string, CoreV1Event>>();
  /** Per kubernetes-id change counters; let callers memoize derived health per service. */
  private readonly versions = new Map<string, number>();

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
    // the label, the uid or an event's object may have changed
    if (old) this.unindex(key, old);
    store.set(nameOf(o), o);
    this.index(key, o);
  }

  /** A watch event: the object was deleted. */
  remove(key: ResourceKey, o: KubernetesObject) {
    const store = this.stores.get(key)!;
    const old = store.get(nameOf(o));
    if (!old) return;
    store.delete(nameOf(o));
    this.unindex(key, old);
  }

  /** A full list: drops what it no longer holds, then applies each object. */
  replace(key: ResourceKey, items: KubernetesObject[]) {
    const store = this.stores.get(key)!;
    const names = new Set(items.map(nameOf));
    for (const [name, old] of store) {
      if (names.has(name)) continue;
      store.delete(name);
      this.unindex(key, old);
    }
    for (const o of items) this.upsert(key, o);
  }

  private index(key: ResourceKey, o: KubernetesObject) {
    if (key === 'events') {
      const objectUid = (o as CoreV1Event).involvedObject?.uid ?? '';
      let m = this.eventsByObject.get(objectUid);
      if (!m) this.eventsByObject.set(objectUid, (m = new Map()));
      m.set(nameOf(o), o as CoreV1Event);
      this.bump(this.idOf.get(objectUid));
      return;
    }
    const id = o.metadata?.labels?.[KUBERNETES_ID_LABEL];
    if (!id) return;
    const uid = o.metadata?.uid ?? nameOf(o);
    const byId = this.byId.get(key)!;
    let m = byId.get(id);
    if (!m) byId.set(id, (m = new Map()));
    m.set(uid, o);
    this.idOf.set(uid, id);
    this.bump(id);
  }

  private unindex(key: ResourceKey, o: KubernetesObject) {
    if (key === 'events') {
      const objectUid = (o as CoreV1Event).involvedObject?.uid ?? '';
      this.bump(this.idOf.get(objectUid));
      const m = this.eventsByObject.get(objectUid);
      m?.delete(nameOf(o));
      if (m?.size === 0) this.eventsByObject.delete(objectUid);
      return;
    }
    const id = o.metadata?.labels?.[KUBERNETES_ID_LABEL];
    if (!id) return;
    const uid = o.metadata?.uid ?? nameOf(o);
    this.idOf.delete(uid);
    this.bump(id);
    const byId = this.byId.get(key)!;
    const m = byId.get(id);
    m?.delete(uid);
    if (m?.size === 0) byId.delete(id);
  }

  private bump(id: string | undefined) {
    if (id !== undefined)
      this.versions.set(id, (this.versions.get(id) ?? 0) + 1);
  }

  /** Changes whenever an object (or event) of this kubernetes-id changes. */
  versionOf(kubernetesId: string): number {
    return this.versions.get(kubernetesId) ?? 0;
  }

  /** Objects labelled with this kubernetes-id, optionally in one namespace. */
  objectsFor(kubernetesId: string, namespace?: string): ServiceObjects {
    const objects: Record<string, KubernetesObject[]> = {};
    for (const [key, byId] of this.byId) {
      objects[key] = [...(byId.get(kubernetesId)?.values() ?? [])].filter(
        o => !namespace || o.metadata?.namespace === namespace,
      );
    }
    return this.withEvents(objects);
  }

  /** These objects and the Warning events about any of them. */
  withEvents(objects: Record<string, KubernetesObject[]>): ServiceObjects {
    const events: CoreV1Event[] = [];
    for (const o of Object.values(objects).flat()) {
      const m = o.metadata?.uid && this.eventsByObject.get(o.metadata.uid);
      if (m) events.push(...m.values());
    }
    return { ...objects, events } as ServiceObjects;
  }

  /** How many objects of each kind the informers hold. */
  counts(): Record<string, number> {
    return Object.fromEntries(
      RESOURCES.map(r => [r.kind, this.stores.get(r.key)!.size]),
    );
  }
}
