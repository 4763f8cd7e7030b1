import { mockServices } from '@backstage/backend-test-utils';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import {
  LocalRepoUrlReader,
  localRepoReaderFactory,
} from './localRepoUrlReader';

describe('LocalRepoUrlReader', () => {
  let tmp: string;
  let baseDir: string;
  beforeAll(async () => {
    tmp = await fs.realpath(
      await fs.mkdtemp(path.join(os.tmpdir(), 'shipyard-reader-')),
    );
    baseDir = path.join(tmp, 'repos');
    await fs.mkdir(path.join(baseDir, 'svc'), { recursive: true });
    await fs.writeFile(
      path.join(baseDir, 'svc', 'catalog-info.yaml'),
      'kind: Component\n',
    );
    await fs.writeFile(path.join(tmp, 'secret.txt'), 'nope');
    await fs.symlink(
      path.join(tmp, 'secret.txt'),
      path.join(baseDir, 'svc', 'link.txt'),
    );
  });
  afterAll(() => fs.rm(tmp, { recursive: true, force: true }));

  const url = (p: string) => pathToFileURL(p).href;

  it('reads catalog files inside the base directory, with etags', async () => {
    const reader = new LocalRepoUrlReader(baseDir);
    const target = url(path.join(baseDir, 'svc', 'catalog-info.yaml'));
    expect(reader.predicate(new URL(target))).toBe(true);
    const res = await reader.search(target);
    expect(res.files).toHaveLength(1);
    expect((await res.files[0].content()).toString()).toBe('kind: Component\n');
    await expect(
      reader.search(target, { etag: res.etag }),
    ).rejects.toMatchObject({ name: 'NotModifiedError' });
    const r = await reader.readUrl(target);
    expect((await r.buffer()).toString()).toBe('kind: Component\n');
    expect(
      (await reader.search(url(path.join(baseDir, 'svc', 'missing.yaml'))))
        .files,
    ).toEqual([]);
  });

  it('refuses anything outside the base directory', async () => {
    const reader = new LocalRepoUrlReader(baseDir);
    expect(reader.predicate(new URL(url(path.join(tmp, 'secret.txt'))))).toBe(
      false,
    );
    expect(
      reader.predicate(new URL('https://example.com/catalog-info.yaml')),
    ).toBe(false);
    expect(reader.predicate(new URL(`${url(baseDir)}-other/x`))).toBe(false);
    await expect(
      reader.readUrl(url(path.join(tmp, 'secret.txt'))),
    ).rejects.toThrow(/not allowed/);
    await expect(
      reader.readUrl(url(path.join(baseDir, 'svc', 'link.txt'))),
    ).rejects.toThrow(/not allowed/);
    await expect(
      reader.search(`${url(baseDir)}/*/catalog-info.yaml`),
    ).rejects.toThrow(/Glob/);
  });

  it('is only created when the base directory is configured', () => {
    const mk = (data: object) =>
      localRepoReaderFactory({
        config: mockServices.rootConfig({ data }),
        logger: mockServices.logger.mock(),
        treeResponseFactory: {} as any,
      });
    expect(mk({})).toEqual([]);
    expect(mk({ shipyard: { publish: { local: { baseDir } } } })).toHaveLength(
      1,
    );
  });
});
