import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { assertSupportedBackstageRelease } from './supportedRelease';

/** A backend directory whose node_modules holds the given backend API version. */
function backendWith(version: string | undefined) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shipyard-release-'));
  fs.writeFileSync(path.join(dir, 'package.json'), '{"name":"backend"}');
  if (version) {
    const pkg = path.join(dir, 'node_modules/@backstage/backend-plugin-api');
    fs.mkdirSync(pkg, { recursive: true });
    fs.writeFileSync(
      path.join(pkg, 'package.json'),
      JSON.stringify({ name: '@backstage/backend-plugin-api', version }),
    );
  }
  return dir;
}

const ours = {
  name: '@shipyard-platform/backstage-plugin-deployment-health-backend',
  version: '0.2.0',
  dependencies: { '@backstage/backend-plugin-api': '^1.12.0' },
};

describe('assertSupportedBackstageRelease', () => {
  it('accepts a backend on the supported line', () => {
    expect(() =>
      assertSupportedBackstageRelease(ours, backendWith('1.12.4')),
    ).not.toThrow();
  });

  it('refuses an older line with a message that names the range, without a stack trace', () => {
    let error: Error | undefined;
    try {
      assertSupportedBackstageRelease(ours, backendWith('1.4.0'));
    } catch (e) {
      error = e as Error;
    }
    expect(error?.message).toContain(
      '@shipyard-platform/backstage-plugin-deployment-health-backend 0.2.0 needs a backend with @backstage/backend-plugin-api ^1.12.0',
    );
    expect(error?.message).toContain('but this backend has 1.4.0');
    expect(error?.stack).toBe(`Error: ${error?.message}`);
  });

  it('accepts a prerelease of the supported line', () => {
    expect(() =>
      assertSupportedBackstageRelease(ours, backendWith('1.13.0-next.1')),
    ).not.toThrow();
  });

  it('refuses a newer major line', () => {
    expect(() =>
      assertSupportedBackstageRelease(ours, backendWith('2.0.0')),
    ).toThrow(/needs a backend with @backstage\/backend-plugin-api \^1\.12\.0/);
  });

  it('says nothing where no backend can be found', () => {
    expect(() =>
      assertSupportedBackstageRelease(ours, backendWith(undefined)),
    ).not.toThrow();
  });
});
