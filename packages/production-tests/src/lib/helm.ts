import { parseRenderedManifests } from '@shipyard-platform/backstage-plugin-scaffolder-backend-module-shipyard';
import { CHART_DIR, helmBinary, run, RunResult } from './repo';

export const VALUES_FILES = [
  'values.yaml',
  'values-dev.yaml',
  'values-prod.yaml',
] as const;

/** `helm template` of the chart; valuesFile undefined = the chart defaults only. */
export async function helmTemplate(
  valuesFile?: string,
  extra: string[] = [],
  release = 'portal',
  namespace = 'shipyard',
): Promise<RunResult> {
  const helm = await helmBinary();
  const args = ['template', release, CHART_DIR, '--namespace', namespace];
  if (valuesFile && valuesFile !== 'values.yaml')
    args.push('--values', `${CHART_DIR}/${valuesFile}`);
  return run(helm, [...args, ...extra]);
}

export function parseObjects(rendered: string): any[] {
  return parseRenderedManifests(rendered).map(o => o.object);
}

export function byKind(objects: any[], kind: string): any[] {
  return objects.filter(o => o.kind === kind);
}

export function one(objects: any[], kind: string): any {
  const list = byKind(objects, kind);
  if (list.length !== 1)
    throw new Error(`expected exactly one ${kind}, got ${list.length}`);
  return list[0];
}
