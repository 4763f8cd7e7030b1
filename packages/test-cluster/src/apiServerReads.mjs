// @ts-check
/**
 * Kubernetes API reads as the API server counts them (its
 * apiserver_request_total metric). Plain JavaScript, so that the integration
 * tests and scripts/bench (run by node, no build step) count the same way.
 */

/** The resources the health plugins read: workloads, pods, events, config. */
export const COUNTED_RESOURCES = new Set([
  'pods',
  'services',
  'configmaps',
  'limitranges',
  'resourcequotas',
  'deployments',
  'replicasets',
  'statefulsets',
  'daemonsets',
  'horizontalpodautoscalers',
  'jobs',
  'cronjobs',
  'ingresses',
  'events',
]);

/**
 * LIST and GET requests for COUNTED_RESOURCES served so far, from the text of
 * an API server's `/metrics`.
 *
 * @param {string} metrics
 * @returns {number}
 */
export function readsServed(metrics) {
  let total = 0;
  for (const line of metrics.split('\n')) {
    if (!line.startsWith('apiserver_request_total{')) continue;
    const verb = /verb="([A-Z]+)"/.exec(line)?.[1];
    const resource = /resource="([^"]*)"/.exec(line)?.[1] ?? '';
    if ((verb === 'LIST' || verb === 'GET') && COUNTED_RESOURCES.has(resource))
      total += Number(line.split(' ').pop());
  }
  return total;
}
