/*
 * Runs Shipyard's software templates through the real Backstage scaffolder engine.
 *
 * A test backend (startTestBackend) hosts @backstage/plugin-scaffolder-backend with its
 * built-in actions; templates are executed through its public `POST /v2/dry-run`
 * endpoint, which (1) validates the form values against the template's parameter
 * JSON schema exactly like a real task and (2) runs the steps through the
 * NunjucksWorkflowRunner with `fetch:template` and friends, returning the workspace.
 *
 * Only the steps whose action is in `keepActions` (default: the `fetch:*` steps) are
 * sent: the `shipyard:*`, `publish:*` and `catalog:*` steps have side effects that are
 * tested by their own packages. `shipyard:template:record` is always sent: it writes
 * only into the workspace, and the fetch steps render its outputs.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  mockCredentials,
  mockServices,
  startTestBackend,
} from '@backstage/backend-test-utils';
import { catalogServiceMock } from '@backstage/plugin-catalog-node/testUtils';
import request from 'supertest';
import scaffolderPlugin from '@backstage/plugin-scaffolder-backend';
import { scaffolderModule } from '@shipyard-platform/backstage-plugin-scaffolder-backend-module-shipyard';
import YAML from 'yaml';

// Tests run from source (never a production build), so __dirname is this directory.
// eslint-disable-next-line no-restricted-syntax
export const REPO_ROOT = path.resolve(__dirname, '../../../..');
export const TEMPLATES_ROOT = path.join(REPO_ROOT, 'templates');

export type TemplateEntity = {
  apiVersion: string;
  kind: string;
  metadata: { name: string; [k: string]: unknown };
  spec: {
    parameters: any[];
    steps: Array<{
      id?: string;
      action: string;
      input?: any;
      if?: any;
      each?: any;
    }>;
    output?: any;
    [k: string]: unknown;
  };
};

/** Every Template entity in the catalog files under `root` (templates/), keyed by name. */
export function loadTemplates(
  root = TEMPLATES_ROOT,
): Map<string, { entity: TemplateEntity; file: string }> {
  const out = new Map<string, { entity: TemplateEntity; file: string }>();
  for (const dir of fs.readdirSync(root)) {
    const file = path.join(root, dir, 'template.yaml');
    if (!fs.existsSync(file)) continue;
    for (const doc of YAML.parseAllDocuments(fs.readFileSync(file, 'utf8'))) {
      const entity = doc.toJS() as TemplateEntity;
      if (entity?.kind === 'Template')
        out.set(entity.metadata.name, { entity, file });
    }
  }
  return out;
}

/** All files below `dir`, as dry-run directoryContents (paths relative to `dir`). */
function directoryContents(dir: string) {
  const result: { path: string; base64Content: string }[] = [];
  const walk = (rel: string) => {
    for (const ent of fs.readdirSync(path.join(dir, rel), {
      withFileTypes: true,
    })) {
      const p = rel ? `${rel}/${ent.name}` : ent.name;
      if (ent.isDirectory()) walk(p);
      else if (ent.isFile()) {
        result.push({
          path: p,
          base64Content: fs.readFileSync(path.join(dir, p)).toString('base64'),
        });
      }
    }
  };
  walk('');
  return result;
}

export type DryRunResult = {
  status: number;
  errors?: any[];
  error?: any;
  log: string[];
  output: Record<string, unknown>;
  files: Map<string, { content: Buffer; executable: boolean }>;
};

export class Scaffolder {
  private constructor(
    private readonly app: any,
    private readonly stop: () => Promise<void>,
  ) {}

  /**
   * @param opts.extraFeatures - more backend features, e.g. the shipyard actions module
   * @param opts.config - extra root config
   * @param opts.entities - what the catalog holds (default: nothing)
   */
  static async start(
    opts: {
      extraFeatures?: any[];
      config?: Record<string, unknown>;
      entities?: any[];
    } = {},
  ): Promise<Scaffolder> {
    const workDir = fs.mkdtempSync(
      path.join(os.tmpdir(), 'shipyard-scaffolder-'),
    );
    const backend = await startTestBackend({
      features: [
        scaffolderPlugin,
        // the shipyard actions: every template runs shipyard:template:record
        scaffolderModule,
        ...(opts.extraFeatures ?? []).filter(f => f !== scaffolderModule),
        mockServices.rootConfig.factory({
          data: {
            backend: { workingDirectory: workDir },
            integrations: {},
            ...opts.config,
          },
        }),
        catalogServiceMock.factory({ entities: opts.entities ?? [] }),
      ],
    });
    return new Scaffolder(backend.server, async () => {
      await backend.stop();
      fs.rmSync(workDir, { recursive: true, force: true });
    });
  }

  async dispose() {
    await this.stop();
  }

  /**
   * Dry-runs the template `name` with form `values`. The template's directory is
   * uploaded as the dry-run contents, so relative `fetch:template` URLs resolve as in
   * the catalog. `opts.as` is the signed-in user (default: user:default/mock).
   */
  async dryRun(
    name: string,
    values: Record<string, unknown>,
    opts: { keepActions?: (action: string) => boolean; as?: string } = {},
  ): Promise<DryRunResult> {
    const t = loadTemplates().get(name);
    if (!t)
      throw new Error(`no template named ${name} under ${TEMPLATES_ROOT}`);
    const keepAlso =
      opts.keepActions ?? ((a: string) => a.startsWith('fetch:'));
    const keep = (a: string) => a === 'shipyard:template:record' || keepAlso(a);
    const template = {
      ...t.entity,
      spec: {
        ...t.entity.spec,
        steps: t.entity.spec.steps.filter(s => keep(s.action)),
        output: {},
      },
    };
    const res = await request(this.app)
      .post('/api/scaffolder/v2/dry-run')
      .set(
        'Authorization',
        opts.as
          ? mockCredentials.user.header(opts.as)
          : 'Bearer mock-user-token',
      )
      .send({
        template,
        values,
        directoryContents: directoryContents(path.dirname(t.file)),
      });
    const files = new Map<string, { content: Buffer; executable: boolean }>();
    for (const f of res.body.directoryContents ?? []) {
      files.set(f.path, {
        content: Buffer.from(f.base64Content, 'base64'),
        executable: Boolean(f.executable),
      });
    }
    return {
      status: res.status,
      errors: res.body.errors,
      error: res.body.error,
      log: (res.body.log ?? []).map((l: any) => l.body?.message),
      output: res.body.output ?? {},
      files,
    };
  }
}

/** Writes dry-run files into a fresh directory and returns its path. */
export function writeFiles(
  files: DryRunResult['files'],
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shipyard-gen-')),
): string {
  for (const [p, f] of files) {
    const target = path.join(dir, p);
    fs.mkdirSync(path.dirname(target), { recursive: true });
    fs.writeFileSync(target, f.content, { mode: f.executable ? 0o755 : 0o644 });
  }
  return dir;
}
