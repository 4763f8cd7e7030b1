export { deploymentHealthPlugin as default } from './plugin';
