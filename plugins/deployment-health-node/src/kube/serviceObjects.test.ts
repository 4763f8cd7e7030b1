import { ClusterConnection } from './connection';
import { readServiceObjects } from './serviceObjects';

/**
 * The checks readServiceObjects makes before it connects: a connection that
 * is never used. What it reads from an API server is tested through its
 * callers (the health backend's plugin tests, the status action's tests).
 */
const unused = {
  http: () => {
    throw new Error('must not connect');
  },
} as unknown as ClusterConnection;

describe('readServiceObjects', () => {
  it.each([
    [{ labelSelector: '!x', namespaces: ['team-a'] }, /only excludes/],
    [{ labelSelector: 'a!=b', namespaces: ['team-a'] }, /only excludes/],
    [{ labelSelector: 'a in (', namespaces: ['team-a'] }, /invalid label/],
    [{ labelSelector: 'app=x', namespaces: [] }, /never cluster-wide/],
    [{ labelSelector: 'app=x' }, /never cluster-wide/],
    [{ labelSelector: 'app=x', namespaces: ['a/b'] }, /invalid namespace/],
  ])('reads nothing for %j', async (query, message) => {
    const result = await readServiceObjects(unused, {
      limit: 10,
      ...(query as any),
    });
    expect(result.objects).toEqual({});
    expect(result.error).toMatchObject({ type: 'misconfigured', message });
  });
});
