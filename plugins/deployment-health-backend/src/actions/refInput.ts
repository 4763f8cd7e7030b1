import {
  CompoundEntityRef,
  makeValidator,
  parseEntityRef,
} from '@backstage/catalog-model';
import { InputError } from '@backstage/errors';

const validator = makeValidator();

/**
 * An entity reference an agent passed in `field`, parsed as the catalog does
 * (`[kind:][namespace/]name`; kind `defaultKind` and namespace `default` when
 * left out) and checked with the catalog's own name rules, so that
 * `a:b/c/d` is refused here rather than looked up. A malformed reference is
 * the caller's mistake: an InputError naming the field and the value.
 */
export function parseRefInput(
  field: string,
  value: string,
  defaultKind: string,
): CompoundEntityRef {
  const malformed = () =>
    new InputError(
      `${field} "${value}" is not an entity reference of the form [kind:][namespace/]name`,
    );
  let ref: CompoundEntityRef;
  try {
    ref = parseEntityRef(value.trim(), {
      defaultKind,
      defaultNamespace: 'default',
    });
  } catch {
    throw malformed();
  }
  if (
    !validator.isValidKind(ref.kind) ||
    !validator.isValidNamespace(ref.namespace) ||
    !validator.isValidEntityName(ref.name)
  )
    throw malformed();
  return ref;
}
