/**
 * Deployment health backend plugin: a list+watch cache per configured
 * Kubernetes cluster and a REST API for entity, team and cluster health.
 *
 * @packageDocumentation
 */
export { deploymentHealthPlugin as default } from './plugin';
