import { z } from 'zod/v3';
import type {
  ClustersResponse,
  EntityHealthResponse,
  GroupHealthResponse,
} from '@shipyard-platform/backstage-plugin-deployment-health-common';
import { healthSchemas } from './schemas';

type Same<A, B> = (<T>() => T extends A ? 1 : 2) extends <T>() => T extends B
  ? 1
  : 2
  ? true
  : false;

/**
 * True when A and B have the same keys at every level (optional ones
 * included): a key missing from a schema, or one the report does not have,
 * fails `yarn tsc` here, where the registry would drop the field silently.
 * (A whole-type identity check gives up on types this deep and answers true.)
 */
type SameKeys<A, B> = A extends readonly (infer X)[]
  ? B extends readonly (infer Y)[]
    ? SameKeys<X, Y>
    : false
  : A extends object
  ? B extends object
    ? Same<keyof A, keyof B> extends true
      ? false extends {
          [K in keyof A & keyof B]-?: SameKeys<
            NonNullable<A[K]>,
            NonNullable<B[K]>
          >;
        }[keyof A & keyof B]
        ? false
        : true
      : false
    : false
  : true;

/** Same keys, and each assignable to the other (value types agree). */
type Matches<A, B> = [A] extends [B]
  ? [B] extends [A]
    ? SameKeys<A, B>
    : false
  : false;

type Schemas = ReturnType<typeof healthSchemas>;
const checks: [
  Matches<z.infer<Schemas['entityHealthResponse']>, EntityHealthResponse>,
  Matches<z.infer<Schemas['groupHealthResponse']>, GroupHealthResponse>,
  Matches<z.infer<Schemas['clustersResponse']>, ClustersResponse>,
] = [true, true, true];

describe('healthSchemas', () => {
  it('are the report types of deployment-health-common (checked by tsc)', () => {
    expect(checks).toEqual([true, true, true]);
  });

  it('drop what the report does not have', () => {
    const { clustersResponse } = healthSchemas(z);
    const parsed = clustersResponse.parse({
      clusters: [
        {
          name: 'dev',
          environment: 'development',
          state: 'ok',
          token: 'secret',
        },
      ],
      kubeconfig: 'secret',
    });
    expect(parsed).toEqual({
      clusters: [{ name: 'dev', environment: 'development', state: 'ok' }],
    });
  });
});
