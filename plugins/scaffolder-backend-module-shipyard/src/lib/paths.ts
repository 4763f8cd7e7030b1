import { resolveSafeChildPath } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';
import { promises as fs } from 'node:fs';
import path from 'node:path';

/**
 * Resolves `relative` inside `base`, rejecting absolute paths and `..`
 * traversal (also through symlinks) with an InputError naming `field`.
 */
export function resolveInside(
  base: string,
  relative: string | undefined,
  field: string,
): string {
  if (relative === undefined || relative === '' || relative === '.')
    return base;
  try {
    return resolveSafeChildPath(base, relative);
  } catch {
    throw new InputError(
      `Invalid ${field} "${relative}": must be a relative path inside the workspace`,
    );
  }
}

/** A symbolic link that points outside the tree it is in (see {@link findEscapingSymlinks}). */
export interface EscapingSymlink {
  /** The link, relative to the root, with `/` separators. */
  path: string;
  /** What the link points to, as stored (`readlink`). */
  target: string;
  /** Why it is refused. */
  reason: string;
}

const isInside = (root: string, p: string) => {
  const rel = path.relative(root, p);
  return rel === '' || (!rel.startsWith('..') && !path.isAbsolute(rel));
};

/**
 * Every symbolic link under `root` that leaves it: an absolute target (when
 * `allowAbsolute` is not set; it would point into the host wherever the tree
 * is copied), a relative target that climbs out, or a link that resolves
 * outside through other links. Both the stored target and the resolved path
 * are checked, because a link into a linked directory (`d -> .`, `x ->
 * d/../secret`) stays inside on paper but not when followed. Links whose
 * target does not exist are judged on paper. Directories named in `skip`
 * (e.g. `.git`) are not searched; linked directories are not followed.
 */
export async function findEscapingSymlinks(
  root: string,
  options: { allowAbsolute?: boolean; skip?: string[] } = {},
): Promise<EscapingSymlink[]> {
  const realRoot = await fs.realpath(root);
  const skip = new Set(options.skip ?? []);
  const found: EscapingSymlink[] = [];
  const walk = async (dir: string) => {
    const entries = await fs.readdir(dir, { withFileTypes: true });
    for (const e of entries) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) {
        if (!skip.has(e.name)) await walk(p);
        continue;
      }
      if (!e.isSymbolicLink()) continue;
      const rel = path.relative(root, p).split(path.sep).join('/');
      const target = await fs.readlink(p);
      const refuse = (reason: string) =>
        found.push({ path: rel, target, reason });
      if (path.isAbsolute(target) && !options.allowAbsolute) {
        refuse('an absolute link');
        continue;
      }
      const onPaper = path.resolve(dir, target);
      if (!isInside(root, onPaper) && !isInside(realRoot, onPaper)) {
        refuse('points outside');
        continue;
      }
      try {
        if (!isInside(realRoot, await fs.realpath(p)))
          refuse('resolves outside through other links');
      } catch (err: any) {
        if (err.code === 'ELOOP') refuse('a link loop');
        else if (err.code !== 'ENOENT') throw err;
      }
    }
  };
  await walk(root);
  return found.sort((a, b) => a.path.localeCompare(b.path));
}

/**
 * A path inside a repository as given in an action's input (`catalog-info.yaml`,
 * `/docs/catalog-info.yaml`: a leading `/` is the repository root, as in
 * Backstage's publish actions), normalised to a relative POSIX path. URLs
 * (`file:`, `https:`, `//host`), `..` segments, backslashes, percent-escapes,
 * `?`/`#`, drive letters and control characters are refused with an
 * InputError naming `field`: the result is joined to a `file://` URL, where
 * each of those could point elsewhere.
 */
export function repoRelativePath(value: string, field: string): string {
  const refuse = (why: string): never => {
    throw new InputError(
      `Invalid ${field} "${value}": ${why}; give a path inside the repository such as catalog-info.yaml`,
    );
  };
  if (/^[A-Za-z][A-Za-z0-9+.-]*:/.test(value))
    refuse('a URL or drive letter, not a path inside the repository');
  if (value.startsWith('//')) refuse('a network path');
  // eslint-disable-next-line no-control-regex
  if (/[\\%?#\u0000-\u001f\u007f]/.test(value))
    refuse('backslashes, "%", "?", "#" and control characters are not allowed');
  const segments = value.replace(/^\/+/, '').split('/');
  if (segments.includes('..')) refuse('".." leaves the repository');
  const rel = segments.filter(s => s !== '' && s !== '.').join('/');
  if (!rel || value.endsWith('/')) refuse('not a file path');
  return rel;
}
