import {
  createServiceFactory,
  UrlReaderService,
  UrlReaderServiceReadTreeOptions,
  UrlReaderServiceReadTreeResponse,
  UrlReaderServiceReadUrlOptions,
  UrlReaderServiceReadUrlResponse,
  UrlReaderServiceSearchOptions,
  UrlReaderServiceSearchResponse,
} from '@backstage/backend-plugin-api';
import {
  ReaderFactory,
  ReadTreeResponseFactory,
  ReadUrlResponseFactory,
  urlReaderFactoriesServiceRef,
} from '@backstage/backend-defaults/urlReader';
import {
  NotAllowedError,
  NotFoundError,
  NotModifiedError,
} from '@backstage/errors';
import { createHash } from 'node:crypto';
import { createReadStream, promises as fs } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { readShipyardConfig } from '../config';

/**
 * Reads `file://` URLs inside `shipyard.publish.local.baseDir` - the
 * repositories `shipyard:publish:local` creates - so that `catalog:register`
 * (which registers `url` locations) and later catalog refreshes can read their
 * `catalog-info.yaml`. Anything outside the base directory is refused.
 */
export class LocalRepoUrlReader implements UrlReaderService {
  constructor(
    private readonly baseDir: string,
    private readonly treeResponseFactory?: ReadTreeResponseFactory,
  ) {}

  /** true for file: URLs whose path is inside the base directory (lexically). */
  predicate = (url: URL): boolean => {
    if (url.protocol !== 'file:') return false;
    try {
      const p = fileURLToPath(url);
      return p === this.baseDir || p.startsWith(this.baseDir + path.sep);
    } catch {
      return false;
    }
  };

  /** Resolves symlinks and checks again that the file is inside the base directory. */
  private async resolve(url: string): Promise<string> {
    const u = new URL(url);
    if (!this.predicate(u))
      throw new NotAllowedError(`Reading ${url} is not allowed`);
    let real: string;
    try {
      real = await fs.realpath(fileURLToPath(u));
    } catch {
      throw new NotFoundError(`${url} not found`);
    }
    const base = await fs.realpath(this.baseDir).catch(() => this.baseDir);
    if (real !== base && !real.startsWith(base + path.sep)) {
      throw new NotAllowedError(`Reading ${url} is not allowed`);
    }
    return real;
  }

  private static etagOf(stat: { mtimeMs: number; size: number; ino: number }) {
    return createHash('sha1')
      .update(`${stat.ino}:${stat.size}:${stat.mtimeMs}`)
      .digest('hex');
  }

  async readUrl(
    url: string,
    options?: UrlReaderServiceReadUrlOptions,
  ): Promise<UrlReaderServiceReadUrlResponse> {
    const file = await this.resolve(url);
    const stat = await fs.stat(file);
    if (!stat.isFile()) throw new NotFoundError(`${url} is not a file`);
    const etag = LocalRepoUrlReader.etagOf(stat);
    if (options?.etag === etag) throw new NotModifiedError();
    if (options?.lastModifiedAfter && stat.mtime <= options.lastModifiedAfter) {
      throw new NotModifiedError();
    }
    return ReadUrlResponseFactory.fromReadable(createReadStream(file), {
      etag,
      lastModifiedAt: stat.mtime,
    });
  }

  async search(
    url: string,
    options?: UrlReaderServiceSearchOptions,
  ): Promise<UrlReaderServiceSearchResponse> {
    if (/[*?[\]{}]/.test(decodeURIComponent(new URL(url).pathname))) {
      throw new NotAllowedError(
        'Glob patterns are not supported for local repositories',
      );
    }
    let file: string;
    try {
      file = await this.resolve(url);
    } catch (e) {
      if ((e as Error).name === 'NotFoundError') return { files: [], etag: '' };
      throw e;
    }
    const stat = await fs.stat(file);
    const etag = LocalRepoUrlReader.etagOf(stat);
    if (options?.etag === etag) throw new NotModifiedError();
    return {
      etag,
      files: [
        { url, content: () => fs.readFile(file), lastModifiedAt: stat.mtime },
      ],
    };
  }

  async readTree(
    url: string,
    options?: UrlReaderServiceReadTreeOptions,
  ): Promise<UrlReaderServiceReadTreeResponse> {
    if (!this.treeResponseFactory)
      throw new NotAllowedError('readTree is not available');
    const dir = await this.resolve(url);
    const files: { path: string; abs: string; mtime: Date }[] = [];
    const walk = async (d: string) => {
      for (const e of await fs.readdir(d, { withFileTypes: true })) {
        if (e.name === '.git') continue;
        const abs = path.join(d, e.name);
        if (e.isDirectory()) await walk(abs);
        else if (e.isFile()) {
          const rel = path.relative(dir, abs).split(path.sep).join('/');
          if (!options?.filter || options.filter(rel)) {
            files.push({ path: rel, abs, mtime: (await fs.stat(abs)).mtime });
          }
        }
      }
    };
    await walk(dir);
    const etag = createHash('sha1')
      .update(files.map(f => `${f.path}:${f.mtime.getTime()}`).join('\n'))
      .digest('hex');
    if (options?.etag === etag) throw new NotModifiedError();
    return this.treeResponseFactory.fromReadableArray(
      files.map(f => ({
        path: f.path,
        data: createReadStream(f.abs),
        lastModifiedAt: f.mtime,
      })),
    );
  }

  toString() {
    return `shipyard-local{baseDir=${this.baseDir}}`;
  }
}

/** Reader factory for `urlReaderFactoriesServiceRef`. */
export const localRepoReaderFactory: ReaderFactory = ({
  config,
  treeResponseFactory,
}) => {
  const { publishBaseDir } = readShipyardConfig(config);
  if (!publishBaseDir) return [];
  const reader = new LocalRepoUrlReader(publishBaseDir, treeResponseFactory);
  return [{ reader, predicate: reader.predicate }];
};

/**
 * Adds a `file://` reader for the repositories `shipyard:publish:local`
 * creates (only inside `shipyard.publish.local.baseDir`) to every plugin's
 * UrlReader, the catalog's in particular. Included in this package's default
 * export.
 *
 * @public
 */
export const shipyardLocalRepoUrlReader = createServiceFactory({
  service: urlReaderFactoriesServiceRef,
  deps: {},
  async factory() {
    return localRepoReaderFactory;
  },
});
