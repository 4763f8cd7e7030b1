export * from './types';
export { checkDockerfile } from './dockerfile';
export type { DockerfileCheckOptions } from './dockerfile';
export { checkCompose } from './compose';
export type { ComposeCheckOptions } from './compose';
export {
  checkKubernetesObjects,
  selectorMatches,
  isPinnedImage,
  KUBERNETES_ID_LABEL,
} from './kubernetes';
export type { SourcedObject, LabelSelector } from './kubernetes';
export {
  checkHelmChart,
  parseRenderedManifests,
  listValuesFiles,
} from './helm';
export { validateDirectory } from './validateDirectory';
