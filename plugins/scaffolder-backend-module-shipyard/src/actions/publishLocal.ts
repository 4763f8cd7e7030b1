import { InputError } from '@backstage/errors';
import { createTemplateAction } from '@backstage/plugin-scaffolder-node';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { CONFIG_KEYS, ShipyardModuleConfig } from '../config';
import { runGit } from '../lib/git';
import { resolveInside } from '../lib/paths';
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

/** URLs of a local repository (see README for the catalog reader that reads them). */
export function localRepoUrls(
  repoDir: string,
  catalogInfoPath = 'catalog-info.yaml',
) {
  const base = pathToFileURL(repoDir).href.replace(/\/?$/, '/');
  return {
    remoteUrl: base.replace(/\/$/, ''),
    repoContentsUrl: base,
    catalogInfoUrl: new URL(catalogInfoPath.replace(/^\/+/, ''), base).href,
  };
}

async function isEmptyDir(p: string): Promise<boolean | undefined> {
  try {
    return (await fs.readdir(p)).length === 0;
  } catch (e: any) {
    if (e.code === 'ENOENT') return undefined;
    throw e;
  }
}

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
              'Path of the catalog file in the repository. Default: /catalog-info.yaml.',
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
      const catalogInfoPath = ctx.input.catalogInfoPath ?? '/catalog-info.yaml';
      // Decoded as the URL will be: `%2e%2e` is `..` to new URL().
      let decoded: string;
      try {
        decoded = decodeURIComponent(catalogInfoPath);
      } catch {
        decoded = '..';
      }
      if (
        decoded.split(/[\\/]/).includes('..') ||
        /%2f|%5c/i.test(catalogInfoPath)
      ) {
        throw new InputError(
          `Invalid catalogInfoPath "${catalogInfoPath}": must be a path inside the repository`,
        );
      }
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
          const empty = await isEmptyDir(target);
          if (empty === false) {
            if (!overwrite) {
              throw new InputError(
                `Invalid repoName "${repoName}": ${target} already exists and is not empty (set overwrite: true to replace it)`,
              );
            }
            ctx.logger.warn(`Replacing the existing contents of ${target}`);
            await fs.rm(target, { recursive: true, force: true });
          }
          await fs.mkdir(target, { recursive: true });
          await fs.cp(sourceDir, target, {
            recursive: true,
            // Keep relative symlinks relative: rewritten, they would point
            // into the (soon deleted) task workspace.
            verbatimSymlinks: true,
            filter: src => path.basename(src) !== '.git',
          });
          await runGit(
            ['init', '--quiet', `--initial-branch=${defaultBranch}`],
            { cwd: target },
          );
          // allow `git push` into this non-bare repository (updates the work tree)
          await runGit(
            ['config', 'receive.denyCurrentBranch', 'updateInstead'],
            { cwd: target },
          );
          await runGit(['add', '--all'], { cwd: target });
          await runGit(
            [
              'commit',
              '--quiet',
              '--allow-empty',
              '-m',
              ctx.input.gitCommitMessage ?? 'Initial commit',
            ],
            {
              cwd: target,
              env: {
                GIT_AUTHOR_NAME: author.name,
                GIT_AUTHOR_EMAIL: author.email,
                GIT_COMMITTER_NAME: 'Shipyard Scaffolder',
                GIT_COMMITTER_EMAIL: 'scaffolder@shipyard.local',
              },
            },
          );
          return runGit(['rev-parse', 'HEAD'], { cwd: target });
        },
      });
      ctx.logger.info(
        `Published ${repoName} to ${urls.remoteUrl} (commit ${commitHash}, author ${author.name})`,
      );
      ctx.output('commitHash', commitHash);
    },
  });
}
