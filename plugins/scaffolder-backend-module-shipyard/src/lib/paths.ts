import { resolveSafeChildPath } from '@backstage/backend-plugin-api';
import { InputError } from '@backstage/errors';

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
