/**
 * The file system side of `shipyard:publish:local`: a directory committed as
 * a git repository, moved into place in one rename.
 */
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { runGit } from './git';

/** True for an empty directory, false for a non-empty one, undefined when there is none. */
export async function isEmptyDir(p: string): Promise<boolean | undefined> {
  try {
    return (await fs.readdir(p)).length === 0;
  } catch (e: any) {
    if (e.code === 'ENOENT') return undefined;
    throw e;
  }
}

/**
 * Copies `sourceDir` (without .git) into `dir` and commits all of it as the
 * only commit of branch `branch`; returns the commit.
 */
export async function commitDirectory(
  sourceDir: string,
  dir: string,
  commit: {
    branch: string;
    message: string;
    author: { name: string; email: string };
  },
): Promise<string> {
  await fs.cp(sourceDir, dir, {
    recursive: true,
    // Keep relative symlinks relative (the caller checked that none leaves
    // sourceDir): rewritten, they would point into the (soon deleted) source.
    verbatimSymlinks: true,
    filter: src => path.basename(src) !== '.git',
  });
  await runGit(['init', '--quiet', `--initial-branch=${commit.branch}`], {
    cwd: dir,
  });
  // allow `git push` into this non-bare repository (updates the work tree)
  await runGit(['config', 'receive.denyCurrentBranch', 'updateInstead'], {
    cwd: dir,
  });
  await runGit(['add', '--all'], { cwd: dir });
  await runGit(['commit', '--quiet', '--allow-empty', '-m', commit.message], {
    cwd: dir,
    env: {
      GIT_AUTHOR_NAME: commit.author.name,
      GIT_AUTHOR_EMAIL: commit.author.email,
      GIT_COMMITTER_NAME: 'Shipyard Scaffolder',
      GIT_COMMITTER_EMAIL: 'scaffolder@shipyard.local',
    },
  });
  return runGit(['rev-parse', 'HEAD'], { cwd: dir });
}

/**
 * Moves the complete repository `staged` to `target` with rename(2), so that
 * readers and other tasks see either nothing or the whole repository. An
 * existing target is refused unless `overwrite`; then it is moved aside first
 * and deleted afterwards. Returns false when another task put a repository
 * there first (rename onto a non-empty directory fails): that one is kept.
 */
export async function moveIntoPlace(
  staged: string,
  target: string,
  overwrite: boolean,
): Promise<boolean> {
  let aside: string | undefined;
  if (overwrite && (await isEmptyDir(target)) === false) {
    aside = `${staged}.replaced`;
    await fs.rename(target, aside);
  }
  try {
    await fs.rename(staged, target);
    return true;
  } catch (e: any) {
    if (e.code === 'ENOTEMPTY' || e.code === 'EEXIST') return false;
    // put the old repository back: nothing changed
    if (aside) await fs.rename(aside, target).catch(() => undefined);
    aside = undefined;
    throw e;
  } finally {
    if (aside) await fs.rm(aside, { recursive: true, force: true });
  }
}
