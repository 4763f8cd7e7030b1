import { InputError } from '@backstage/errors';
import { KubeConfig } from '@kubernetes/client-node';
import { promises as fs } from 'node:fs';
import { runHelm } from '../lib/helm';
import {
  assertObjectsInNamespace,
  discoveryScopeOf,
} from '../lib/manifestScope';
import { parseRenderedManifests } from '../policy/helm';
import { SourcedObject } from '../policy/kubernetes';
import { redactCredentials } from './redact';

/**
 * The objects a release would write: its `manifest` (as the post-renderer
 * received it) and the hooks of the `helm upgrade --dry-run=server --output
 * json` release `json`.
 */
function releaseObjects(manifest: string, json: string): SourcedObject[] {
  const hooks: { path?: string; manifest?: string }[] =
    JSON.parse(json).hooks ?? [];
  return [
    ...parseRenderedManifests(manifest),
    ...hooks.flatMap(h =>
      parseRenderedManifests(String(h.manifest ?? '')).map(o => ({
        ...o,
        source: h.path ?? o.source,
      })),
    ),
  ];
}

/**
 * Refuses a chart with CustomResourceDefinitions in crds/: helm installs them
 * before (and apart from) the rendered manifest, and they are cluster-scoped,
 * so they are refused here and helm is told to skip them (--skip-crds).
 */
export async function assertNoCrds(
  helm: string,
  chartDir: string,
  field: string,
  signal?: AbortSignal,
): Promise<void> {
  const crds = await runHelm(helm, ['show', 'crds', chartDir], { signal });
  if (crds.code !== 0)
    throw new Error(`helm show crds failed: ${crds.stderr.trim()}`);
  if (crds.stdout.trim()) {
    throw new InputError(
      `Invalid ${field}: the chart has CustomResourceDefinitions in crds/, which are cluster-scoped (a release may only write namespaced objects; a platform admin installs CRDs)`,
    );
  }
}

/**
 * The manifest pre-check of `shipyard:deploy`: renders the release as the
 * upgrade renders it (revision, lookups, cluster capabilities) with nothing
 * written, keeps the manifest in the file `rendered`, and refuses it when an
 * object (or hook) is outside `namespace`. The post-renderer keeps the
 * manifest and hands helm nothing, so helm's own checks of the objects (which
 * the namespace deployer may not even read when they are elsewhere) do not
 * pre-empt ours. The install then applies exactly this file.
 */
export async function planRelease(options: {
  helm: string;
  /** release, chart directory, --namespace and --values arguments */
  chartArgs: string[];
  /** the file the checked manifest is written to */
  rendered: string;
  env: Record<string, string>;
  signal?: AbortSignal;
  /** the cluster's own credentials (redacted from helm's output) */
  kc: KubeConfig;
  /** the namespace deployer's kubeconfig (reads the API's discovery) */
  deployer: KubeConfig;
  releaseName: string;
  cluster: string;
  namespace: string;
  /** names the input in the refusal (`chartPath "./chart"`) */
  field: string;
}): Promise<void> {
  const { releaseName, cluster, namespace, rendered } = options;
  const plan = await runHelm(
    options.helm,
    [
      'upgrade',
      '--install',
      ...options.chartArgs,
      '--skip-crds',
      '--dry-run=server',
      '--post-renderer',
      '/bin/sh',
      '--post-renderer-args',
      '-c',
      '--post-renderer-args',
      'umask 077 && cat > "$0"',
      '--post-renderer-args',
      rendered,
      '--output',
      'json',
    ],
    { env: options.env, signal: options.signal },
  );
  if (plan.code !== 0) {
    throw new Error(
      `helm upgrade --dry-run=server failed for ${releaseName} on ${cluster}/${namespace}: ${redactCredentials(
        plan.stderr.trim(),
        options.kc,
      )}`,
    );
  }
  const manifest = await fs.readFile(rendered, 'utf8');
  await assertObjectsInNamespace(
    releaseObjects(manifest, plan.stdout),
    namespace,
    discoveryScopeOf(options.deployer),
    options.field,
  );
}
