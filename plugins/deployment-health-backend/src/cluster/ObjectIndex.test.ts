import { projectNode } from '@shipyard-platform/backstage-plugin-deployment-health-common';
import { ObjectIndex } from './ObjectIndex';

const pod = (
  name: string,
  uid: string,
  rv: string,
  id = 'svc',
  namespace = 'ns',
) => ({
  kind: 'Pod',
  metadata: {
    name,
    namespace,
    uid,
    resourceVersion: rv,
    labels: { 'backstage.io/kubernetes-id': id },
  },
});
const event = (name: string, objectUid: string) => ({
  kind: 'Event',
  metadata: { name, namespace: 'ns', uid: `e-${name}` },
  involvedObject: { kind: 'Pod', name: 'p', uid: objectUid },
});
const podNames = (index: ObjectIndex, id = 'svc') =>
  index.objectsFor(id, ['ns']).pods!.map(p => p.metadata!.name);

// The relist, resync and recreated-cluster behaviour end to end (through
// the informer and a fake API server) is tested in plugin.test.ts.
describe('ObjectIndex', () => {
  it('holds Nodes by name beyond the per-namespace cap, and counts only changes the rules read', () => {
    const index = new ObjectIndex(1);
    const node = (name: string, rv: string, ready = 'True') =>
      projectNode({
        kind: 'Node',
        metadata: { name, uid: `u-${name}`, resourceVersion: rv },
        status: { conditions: [{ type: 'Ready', status: ready }] },
      });
    index.replace('nodes', [node('n0', '1'), node('n1', '1')]);
    expect(index.all('nodes')).toHaveLength(2);
    expect(index.node('n1')?.metadata?.name).toBe('n1');
    const v = index.nodesVersion;
    // a heartbeat: a new resourceVersion, nothing the projection keeps changed
    index.upsert('nodes', node('n1', '2'));
    expect(index.nodesVersion).toBe(v);
    index.upsert('nodes', node('n1', '3', 'False'));
    expect(index.nodesVersion).toBe(v + 1);
    expect(index.node('n1')?.status?.conditions?.[0].status).toBe('False');
    index.remove('nodes', node('n1', '3'));
    expect(index.nodesVersion).toBe(v + 2);
    expect(index.node('n1')).toBeUndefined();
  });

  it('a relist drops what it no longer holds and keeps versions of unchanged objects', () => {
    const index = new ObjectIndex();
    index.replace('pods', [pod('a', '1', '10'), pod('b', '2', '11')]);
    const v = index.versionOf('svc');
    index.replace('pods', [pod('a', '1', '10'), pod('b', '2', '11')]);
    expect(index.versionOf('svc')).toBe(v);
    index.replace('pods', [pod('a', '1', '10')]);
    expect(podNames(index)).toEqual(['a']);
    expect(index.versionOf('svc')).toBeGreaterThan(v);
    expect(index.counts()).toMatchObject({ Pod: 1, Deployment: 0 });
  });

  it('replaces an object recreated under its name even when its resourceVersion repeats', () => {
    const index = new ObjectIndex();
    index.replace('pods', [pod('a', 'old', '10')]);
    index.replace('pods', [pod('a', 'new', '10')]);
    expect(
      index.objectsFor('svc', ['ns']).pods!.map(p => p.metadata!.uid),
    ).toEqual(['new']);
  });

  it('moves an object whose kubernetes-id label changed, and filters by namespace', () => {
    const index = new ObjectIndex();
    index.upsert('pods', pod('a', '1', '10'));
    index.upsert('pods', pod('a', '1', '11', 'other'));
    expect(podNames(index)).toEqual([]);
    expect(podNames(index, 'other')).toEqual(['a']);
    expect(index.objectsFor('other', ['elsewhere']).pods).toEqual([]);
    index.remove('pods', pod('a', '1', '12', 'other'));
    expect(podNames(index, 'other')).toEqual([]);
  });

  it('joins events by the uid of their object, moving an event that names another object', () => {
    const index = new ObjectIndex();
    index.replace('pods', [pod('a', '1', '10'), pod('b', '2', '11', 'other')]);
    index.upsert('events', event('e', '1'));
    expect(index.objectsFor('svc', ['ns']).events).toHaveLength(1);
    const v = index.versionOf('svc');
    index.upsert('events', event('e', '2'));
    expect(index.versionOf('svc')).toBeGreaterThan(v);
    expect(index.objectsFor('svc', ['ns']).events).toEqual([]);
    expect(index.objectsFor('other', ['ns']).events).toHaveLength(1);
    expect(
      index.withEvents({ pods: [pod('b', '2', '11')] }).events,
    ).toHaveLength(1);
  });

  it("shows a kubernetes-id's objects only in the namespaces asked for", () => {
    const index = new ObjectIndex();
    index.replace('pods', [
      pod('mine', '1', '10', 'svc', 'team-storefront'),
      pod('theirs', '2', '11', 'svc', 'team-payments'),
    ]);
    index.upsert('events', {
      ...event('e', '2'),
      metadata: { name: 'e', namespace: 'team-payments', uid: 'e-e' },
    });
    const mine = index.objectsFor('svc', ['team-storefront']);
    expect(mine.pods!.map(p => p.metadata!.name)).toEqual(['mine']);
    expect(mine.events).toEqual([]);
    expect(index.objectsFor('svc', []).pods).toEqual([]);
  });

  it('holds at most the cap per kind and namespace, reports the capped namespace, and clears it on a relist within the cap', () => {
    const capped: string[] = [];
    const index = new ObjectIndex(2, (kind, ns) =>
      capped.push(`${kind} ${ns}`),
    );
    const flood = Array.from({ length: 50 }, (_, i) =>
      pod(`p${i}`, `u${i}`, '1', 'flood', 'team-a'),
    );
    index.replace('pods', flood);
    index.upsert('pods', pod('late', 'late', '1', 'flood', 'team-a'));
    // another namespace and another kind are not affected
    index.upsert('pods', pod('b', 'b', '1', 'svc', 'team-b'));
    expect(index.counts()).toMatchObject({ Pod: 3 });
    expect(index.objectsFor('flood', ['team-a']).pods).toHaveLength(2);
    expect(capped).toEqual(['Pod team-a']);
    expect(index.cappedReasons('dev', ['team-b'])).toEqual([]);
    expect(index.cappedReasons('dev', ['team-a', 'team-b'])).toEqual([
      {
        status: 'Unknown',
        code: 'NamespaceObjectCap',
        scope: 'cluster',
        cluster: 'dev',
        message:
          'Cluster dev: namespace team-a has more Pods than the cache holds per namespace (2, deploymentHealth.maxObjectsPerNamespace); what is shown may be incomplete',
      },
    ]);
    // a deletion frees a place; a relist within the cap clears the mark
    index.remove('pods', flood[0]);
    index.upsert('pods', pod('late', 'late', '1', 'flood', 'team-a'));
    expect(index.objectsFor('flood', ['team-a']).pods).toHaveLength(2);
    index.replace('pods', [flood[1]]);
    expect(index.cappedReasons('dev', ['team-a'])).toEqual([]);
    expect(index.counts()).toMatchObject({ Pod: 1 });
  });
});
