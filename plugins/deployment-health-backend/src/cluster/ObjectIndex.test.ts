import { ObjectIndex } from './ObjectIndex';

const pod = (name: string, uid: string, rv: string, id = 'svc') => ({
  kind: 'Pod',
  metadata: {
    name,
    namespace: 'ns',
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
  index.objectsFor(id).pods!.map(p => p.metadata!.name);

// The relist, resync and recreated-cluster behaviour end to end (through
// the informer and a fake API server) is tested in plugin.test.ts.
describe('ObjectIndex', () => {
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
    expect(index.objectsFor('svc').pods!.map(p => p.metadata!.uid)).toEqual([
      'new',
    ]);
  });

  it('moves an object whose kubernetes-id label changed, and filters by namespace', () => {
    const index = new ObjectIndex();
    index.upsert('pods', pod('a', '1', '10'));
    index.upsert('pods', pod('a', '1', '11', 'other'));
    expect(podNames(index)).toEqual([]);
    expect(podNames(index, 'other')).toEqual(['a']);
    expect(index.objectsFor('other', 'elsewhere').pods).toEqual([]);
    index.remove('pods', pod('a', '1', '12', 'other'));
    expect(podNames(index, 'other')).toEqual([]);
  });

  it('joins events by the uid of their object, moving an event that names another object', () => {
    const index = new ObjectIndex();
    index.replace('pods', [pod('a', '1', '10'), pod('b', '2', '11', 'other')]);
    index.upsert('events', event('e', '1'));
    expect(index.objectsFor('svc').events).toHaveLength(1);
    const v = index.versionOf('svc');
    index.upsert('events', event('e', '2'));
    expect(index.versionOf('svc')).toBeGreaterThan(v);
    expect(index.objectsFor('svc').events).toEqual([]);
    expect(index.objectsFor('other').events).toHaveLength(1);
    expect(
      index.withEvents({ pods: [pod('b', '2', '11')] }).events,
    ).toHaveLength(1);
  });
});
