import {
  coreServices,
  createServiceFactory,
} from '@backstage/backend-plugin-api';

/**
 * A root logger that records every line (with its metadata), so tests can
 * assert that nothing secret is ever logged.
 */
export function capturingRootLogger() {
  const lines: string[] = [];
  const factory = createServiceFactory({
    service: coreServices.rootLogger,
    deps: {},
    factory() {
      const make = (fields: object): any => {
        const log = (level: string) => (msg: string, meta?: unknown) =>
          lines.push(
            `${level} ${msg} ${JSON.stringify({
              ...fields,
              ...(meta as object),
            })}`,
          );
        return {
          info: log('info'),
          warn: log('warn'),
          error: log('error'),
          debug: log('debug'),
          child: (f: object) => make({ ...fields, ...f }),
        };
      };
      return make({});
    },
  });
  return { lines, factory };
}

/** Polls `check` until it returns a truthy value; fails with `describe()` on timeout. */
export async function waitFor<T>(
  check: () => Promise<T | undefined | false>,
  {
    timeoutMs = 10_000,
    intervalMs = 100,
    describe = (): string => '',
  }: { timeoutMs?: number; intervalMs?: number; describe?: () => string } = {},
): Promise<T> {
  const end = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < end) {
    try {
      const value = await check();
      if (value) return value;
    } catch (e) {
      last = e;
    }
    await new Promise(r => setTimeout(r, intervalMs));
  }
  throw new Error(
    `condition not met within ${timeoutMs} ms${
      last ? ` (last error: ${last})` : ''
    }\n${describe()}`,
  );
}
