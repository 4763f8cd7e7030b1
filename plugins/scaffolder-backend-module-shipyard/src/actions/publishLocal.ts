import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { CONFIG_KEYS, ShipyardModuleConfig } from '../config';
import { commitDirectory, isEmptyDir, moveIntoPlace } from '../lib/localRepo';
import {
  findEscapingSymlinks,
  repoRelativePath,
  resolveInside,
} from '../lib/paths';
import { examples } from './publishLocal.examples';

const REPO_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,99}$/;
const BRANCH =
  /^(?!.*\.\.)(?!.*\/\/)(?!.*@\{)[A-Za-z0-9][A-Za-z0-9._/-]{0,99}(?<![./]|\.lock)$/;

/** Author of the commit, from the user that runs the task. */
export function gitAuthorFromUser(user?: { entity?: any; ref?: string }): {
  name: string;
  email: string;
} {
  const clean = (s: string) => s.replace(/[<>\n\r]/g, '').trim();
  const entity = user?.entity;
  const name =
    entity?.spec?.profile?.displayName ??
    entity?.metadata?.title ??
    entity?.metadata?.name ??
    user?.ref?.replace(/^user:(default\/)?/, '') ??
    'Shipyard Scaffolder';
  const email =
    entity?.spec?.profile?.email ??
    `${clean(
      String(
        entity?.metadata?.name ??
          user?.ref?.replace(/^.*[:/]/, '') ??
          'scaffolder',
      ),
    )}@users.noreply.backstage.local`;
  return {
    name: clean(String(name)) || 'Shipyard Scaffolder',
    email: clean(String(email)),
  };
}

/**
 * URLs of a local repository (see README for the catalog reader that reads
 * them). `catalogInfoPath` is checked with {@link repoRelativePath}.
 */
export function localRepoUrls(
  repoDir: string,
  catalogInfoPath = 'catalog-info.yaml',
) {
  const base = pathToFileURL(repoDir).href.replace(/\/?$/, '/');
  const rel = repoRelativePath(catalogInfoPath, 'catalogInfoPath');
  return {
    remoteUrl: base.replace(/\/$/, ''),
    repoContentsUrl: base,
    catalogInfoUrl: pathToFileURL(path.join(repoDir, ...rel.split('/'))).href,
  };
}

/** Where a publish of `repoName` builds its repository: beside the target, so the final rename stays on one filesystem. */
const stagingPrefix = (repoName: string) => `.${repoName}.publishing-`;

/**
 * `shipyard:publish:local`: publishes the workspace as a git repository under
 * `shipyard.publish.local.baseDir` (the default set-up without GitHub).
 *
 * @public
 */
export function createShipyardPublishLocalAction(
  options: { config?: ShipyardModuleConfig } = {},
) {
  return createTemplateAction({
    id: 'shipyard:publish:local',
    description:
      'Creates a git repository under the configured local base directory (shipyard.publish.local.baseDir) and commits the workspace to it, authored by the user running the template.',
    examples,
    supportsDryRun: true,
    schema: {
      input: {
        repoName: z =>
          z
            .string()
            .describe(
              'Repository directory name under the base directory: letters, digits, ".", "_", "-"; no slashes.',
            ),
        overwrite: z =>
          z
            .boolean()
            .describe(
              'Replace an existing non-empty repository directory. Default: false (fail instead).',
            )
            .optional(),
        defaultBranch: z =>
          z.string().describe('Branch to commit to. Default: main.').optional(),
        sourcePath: z =>
          z
            .string()
            .describe(
              'Workspace sub-directory to publish. Default: the whole workspace.',
            )
            .optional(),
        gitCommitMessage: z =>
          z
            .string()
            .describe('Commit message. Default: "Initial commit".')
            .optional(),
        catalogInfoPath: z =>
          z
            .string()
            .describe(
              'Path of the catalog file inside the repository (a leading "/" is the repository root; no URLs, no ".."). Default: catalog-info.yaml.',
            )
            .optional(),
      },
      output: {
        remoteUrl: z =>
          z
            .string()
            .describe(
              'file:// URL of the repository (git clone works with it)',
            ),
        repoContentsUrl: z =>
          z
            .string()
            .describe(
              'file:// URL of the repository contents (with trailing slash)',
            ),
        catalogInfoUrl: z =>
          z
            .string()
            .describe('file:// URL of catalog-info.yaml, for catalog:register'),
        commitHash: z =>
          z
            .string()
            .describe('The commit created (empty in dry run)')
            .optional(),
      },
    },
    async handler(ctx) {
      const { repoName, overwrite = false, defaultBranch = 'main' } = ctx.input;
      if (!REPO_NAME.test(repoName) || repoName.includes('..')) {
        throw new InputError(
          `Invalid repoName "${repoName}": use 1-100 letters, digits, ".", "_" or "-" (no slashes or "..")`,
        );
      }
      if (!BRANCH.test(defaultBranch)) {
        throw new InputError(`Invalid defaultBranch "${defaultBranch}"`);
      }
      const catalogInfoPath = repoRelativePath(
        ctx.input.catalogInfoPath ?? 'catalog-info.yaml',
        'catalogInfoPath',
      );
      const baseDir = options.config?.publishBaseDir;
      if (!baseDir) {
        throw new Error(
          `shipyard:publish:local is not configured: set ${CONFIG_KEYS.publishBaseDir} in app-config.yaml`,
        );
      }
      const sourceDir = resolveInside(
        ctx.workspacePath,
        ctx.input.sourcePath,
        'sourcePath',
      );
      const target = path.join(baseDir, repoName);
      if (path.dirname(target) !== baseDir) {
        throw new InputError(`Invalid repoName "${repoName}"`);
      }
      // Links are published as they are: one that leaves the published
      // directory would point into the host (or a deleted workspace).
      const escaping = await findEscapingSymlinks(sourceDir, {
        skip: ['.git'],
      });
      if (escaping.length) {
        throw new InputError(
          `Invalid ${
            ctx.input.sourcePath ? 'sourcePath' : 'workspace'
          }: symbolic links that leave the published directory are not published: ${escaping
            .slice(0, 10)
            .map(l => `${l.path} -> ${l.target} (${l.reason})`)
            .join(', ')}`,
        );
      }
      const urls = localRepoUrls(target, catalogInfoPath);
      for (const [k, v] of Object.entries(urls)) ctx.output(k as any, v);

      const author = gitAuthorFromUser(ctx.user);
      if (ctx.isDryRun) {
        const empty = await isEmptyDir(target);
        let note = '';
        if (empty === false) {
          note = overwrite
            ? ', replacing its contents'
            : ' - but it is not empty and overwrite is false';
        }
        ctx.logger.info(
          `Dry run: would commit ${
            ctx.input.sourcePath ?? 'the workspace'
          } to ${target} (branch ${defaultBranch}) as ${author.name}${note}`,
        );
        ctx.output('commitHash', '');
        return;
      }

      const notEmpty = () =>
        new InputError(
          `Invalid repoName "${repoName}": ${target} already exists and is not empty (set overwrite: true to replace it)`,
        );
      const commitHash = await ctx.checkpoint({
        key: `shipyard.publish.local.v1.${repoName}`,
        fn: async () => {
          await fs.mkdir(baseDir, { recursive: true });
          // refuse a base directory entry that is a symlink pointing elsewhere
          const lst = await fs.lstat(target).catch(() => undefined);
          if (lst?.isSymbolicLink()) {
            throw new InputError(
              `Invalid repoName "${repoName}": ${target} is a symbolic link`,
            );
          }
          if (!overwrite && (await isEmptyDir(target)) === false)
            throw notEmpty();
          // Built beside the target and renamed into place: a failure leaves
          // nothing half-written, and two tasks never share a directory.
          const staged = await fs.mkdtemp(
            path.join(baseDir, stagingPrefix(repoName)),
          );
          try {
            const hash = await commitDirectory(sourceDir, staged, {
              branch: defaultBranch,
              message: ctx.input.gitCommitMessage ?? 'Initial commit',
              author,
            });
            if (!(await moveIntoPlace(staged, target, overwrite))) {
              throw new InputError(
                `Invalid repoName "${repoName}": another task published ${target} while this one was building it; that repository is kept${
                  overwrite ? '' : ' (set overwrite: true to replace it)'
                }`,
              );
            }
            if (overwrite)
              ctx.logger.warn(`Replaced the contents of ${target}`);
            return hash;
          } finally {
            await fs.rm(staged, { recursive: true, force: true });
          }
        },
      });
      ctx.logger.info(
        `Published ${repoName} to ${urls.remoteUrl} (commit ${commitHash}, author ${author.name})`,
      );
      ctx.output('commitHash', commitHash);
    },
  });
}
