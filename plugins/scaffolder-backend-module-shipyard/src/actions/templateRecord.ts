import fs from 'node:fs/promises';
import path from 'node:path';
import { resolveSafeChildPath } from '@backstage/backend-plugin-api';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import yaml from 'yaml';
import {
  ANNOTATION_TEMPLATE_VERSION,
  parseTemplateVersion,
} from '@shipyard-platform/backstage-plugin-deployment-health-common';
import { examples } from './templateRecord.examples';

/**
 * Where a generated repository records its template, version and answers.
 *
 * @public
 */
export const TEMPLATE_RECORD_PATH = '.shipyard/template.yaml';

/**
 * Answers whose name looks like a secret are never recorded: the file is committed
 * to the repository. Backstage's `ui:field: Secret` values travel as task secrets and
 * never reach `parameters`; this catches a secret asked for as a plain field.
 */
const SECRET_NAME =
  /secret|token|passw(or)?d|passphrase|credential|private[-_]?key|api[-_]?key|access[-_]?key/i;

/**
 * The answers to record: sorted by name (the same answers always give the same file),
 * without the secret-like ones, whose names are returned in `excluded` (nested ones
 * as `a.b`).
 */
export function recordableAnswers(answers: Record<string, unknown>): {
  answers: Record<string, unknown>;
  excluded: string[];
} {
  const excluded: string[] = [];
  const clean = (value: unknown, at: string): unknown => {
    if (Array.isArray(value)) return value.map(v => clean(v, at));
    if (!value || typeof value !== 'object') return value;
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const name = at ? `${at}.${key}` : key;
      if (SECRET_NAME.test(key)) excluded.push(name);
      else out[key] = clean((value as Record<string, unknown>)[key], name);
    }
    return out;
  };
  return {
    answers: clean(answers, '') as Record<string, unknown>,
    excluded,
  };
}

/**
 * `shipyard:template:record`: writes `.shipyard/template.yaml` into the workspace,
 * naming the template that runs, its version (its `shipyard.dev/template-version`
 * annotation) and the form's answers without secrets, and outputs the template ref and
 * version for the catalog-info annotations. It is what an update from the golden path
 * (not built yet, issue #21) will need: the recorded version and answers render the
 * base of its three-way merge.
 *
 * @public
 */
export function createShipyardTemplateRecordAction() {
  return createTemplateAction({
    id: 'shipyard:template:record',
    description: `Records the running template, its version (metadata.annotations['${ANNOTATION_TEMPLATE_VERSION}']) and the answers without secret-like ones in ${TEMPLATE_RECORD_PATH}; outputs templateRef and version. Writes only into the workspace; the same in dry run.`,
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        answers: z =>
          z
            .record(z.string(), z.unknown())
            .describe(
              'The form\'s answers, normally "${{ parameters }}"; names that look like secrets (token, password, secret, key...) are left out',
            ),
      },
      output: {
        templateRef: z =>
          z
            .string()
            .describe('The template, e.g. template:default/node-service'),
        version: z => z.string().describe('The template version, e.g. 1.0.0'),
      },
    },
    async handler(ctx) {
      const metadata = ctx.templateInfo?.entity?.metadata;
      if (!metadata?.name) {
        throw new Error(
          'shipyard:template:record: the task has no template entity (templateInfo.entity.metadata); it records the template that runs it',
        );
      }
      const version = metadata.annotations?.[ANNOTATION_TEMPLATE_VERSION];
      if (typeof version !== 'string' || !parseTemplateVersion(version)) {
        throw new Error(
          `shipyard:template:record: template ${
            metadata.name
          } has no valid metadata.annotations['${ANNOTATION_TEMPLATE_VERSION}']: it must be MAJOR.MINOR.PATCH such as 1.0.0, got ${JSON.stringify(
            version ?? null,
          )}`,
        );
      }
      // From the metadata, not templateInfo.entityRef: a dry run names every
      // template 'template:default/dry-run', and the same template must record the
      // same ref in a dry run and in a real task.
      const templateRef = `template:${metadata.namespace ?? 'default'}/${
        metadata.name
      }`;
      const { answers, excluded } = recordableAnswers(ctx.input.answers);
      const record: Record<string, unknown> = {
        template: templateRef,
        version,
        answers,
      };
      if (excluded.length) record.excluded = excluded;
      const text = `# Written by the template that generated this repository: which template, which
# version and the answers given (never secrets; "excluded" names the answers left
# out). Keep it as it is: the golden path's future updates will start from it.
${yaml.stringify(record)}`;

      const target = resolveSafeChildPath(
        ctx.workspacePath,
        TEMPLATE_RECORD_PATH,
      );
      await fs.mkdir(path.dirname(target), { recursive: true });
      // written beside and renamed: never a half-written record
      const partial = `${target}.partial`;
      await fs.writeFile(partial, text, { flag: 'wx' });
      await fs.rename(partial, target);
      ctx.logger.info(
        `Recorded ${templateRef} version ${version} in ${TEMPLATE_RECORD_PATH}${
          excluded.length ? ` (left out: ${excluded.join(', ')})` : ''
        }`,
      );
      ctx.output('templateRef', templateRef);
      ctx.output('version', version);
    },
  });
}
