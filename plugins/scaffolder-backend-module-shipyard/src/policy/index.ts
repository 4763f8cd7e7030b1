// The policy rules as the package exports them (see ../index.ts).
export { formatFindings } from './types';
export type { Finding, PolicyReport, Severity } from './types';
export { checkDockerfile } from './dockerfile';
export type { DockerfileCheckOptions } from './dockerfile';
export { checkCompose } from './compose';
export type { ComposeCheckOptions } from './compose';
export { checkKubernetesObjects } from './kubernetes';
export type { SourcedObject } from './kubernetes';
export {
  checkChartSymlinks,
  checkHelmChart,
  parseRenderedManifests,
} from './helm';
export { validateDirectory } from './validateDirectory';
