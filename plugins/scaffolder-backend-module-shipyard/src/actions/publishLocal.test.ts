import { createMockActionContext } from '@backstage/plugin-scaffolder-node-test-utils';
import { execFileSync } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import yaml from 'yaml';
import { UserEntity } from '@backstage/catalog-model';
import {
  createShipyardPublishLocalAction,
  gitAuthorFromUser,
} from './publishLocal';
import { examples } from './publishLocal.examples';

const git = (cwd: string, ...args: string[]) =>
  execFileSync('git', args, {
    cwd,
    env: { ...process.env, GIT_CONFIG_GLOBAL: '/dev/null' },
  })
    .toString()
    .trim();

const user: { ref: string; entity: UserEntity } = {
  ref: 'user:default/jane',
  entity: {
    apiVersion: 'backstage.io/v1alpha1',
    kind: 'User' as const,
    metadata: { name: 'jane' },
    spec: {
      profile: { displayName: 'Jane Doe', email: 'jane@example.com' },
      memberOf: [],
    },
  },
};

describe('shipyard:publish:local (real git)', () => {
  let tmp: string;
  let workspacePath: string;
  let baseDir: string;
  beforeEach(async () => {
    tmp = await fs.mkdtemp(path.join(os.tmpdir(), 'shipyard-publish-'));
    workspacePath = path.join(tmp, 'workspace');
    baseDir = path.join(tmp, 'repos');
    await fs.mkdir(path.join(workspacePath, 'chart'), { recursive: true });
    await fs.writeFile(
      path.join(workspacePath, 'catalog-info.yaml'),
      'kind: Component\n',
    );
    await fs.writeFile(
      path.join(workspacePath, 'chart/Chart.yaml'),
      'name: x\n',
    );
  });
  afterEach(() => fs.rm(tmp, { recursive: true, force: true }));

  const action = () =>
    createShipyardPublishLocalAction({ config: { publishBaseDir: baseDir } });
  /** A task context of jane's on the workspace, with this input. */
  const ctxOf = (input: ReturnType<typeof createMockActionContext>['input']) =>
    createMockActionContext({ input, workspacePath, user });

  it.each(examples.map((e, i) => [i, e.description, e] as const))(
    'runs example %i: %s',
    async (_i, _d, example) => {
      const step = yaml.parse(example.example).steps[0];
      const ctx = ctxOf(step.input);
      await action().handler(ctx as any);
      const repo = path.join(baseDir, step.input.repoName);
      expect(git(repo, 'rev-parse', '--abbrev-ref', 'HEAD')).toBe(
        step.input.defaultBranch ?? 'main',
      );
    },
  );

  it('commits the workspace authored by the user and outputs file URLs', async () => {
    const ctx = ctxOf({ repoName: 'payments-api' });
    await action().handler(ctx as any);
    const repo = path.join(baseDir, 'payments-api');
    expect(git(repo, 'log', '-1', '--format=%an <%ae>|%s')).toBe(
      'Jane Doe <jane@example.com>|Initial commit',
    );
    expect(git(repo, 'ls-files').split('\n').sort()).toEqual([
      'catalog-info.yaml',
      'chart/Chart.yaml',
    ]);
    expect(git(repo, 'status', '--porcelain')).toBe('');
    const hash = git(repo, 'rev-parse', 'HEAD');
    expect(ctx.output).toHaveBeenCalledWith('remoteUrl', `file://${repo}`);
    expect(ctx.output).toHaveBeenCalledWith(
      'repoContentsUrl',
      `file://${repo}/`,
    );
    expect(ctx.output).toHaveBeenCalledWith(
      'catalogInfoUrl',
      `file://${repo}/catalog-info.yaml`,
    );
    expect(ctx.output).toHaveBeenCalledWith('commitHash', hash);
    const catalogUrl = (ctx.output as jest.Mock).mock.calls.find(
      c => c[0] === 'catalogInfoUrl',
    )[1];
    expect(await fs.readFile(fileURLToPath(catalogUrl), 'utf8')).toBe(
      'kind: Component\n',
    );
    // the remote URL is clonable and pushable
    const clone = path.join(tmp, 'clone');
    git(tmp, 'clone', '-q', `file://${repo}`, clone);
    await fs.writeFile(path.join(clone, 'README.md'), '# hi\n');
    git(clone, 'add', '.');
    git(
      clone,
      '-c',
      'user.name=t',
      '-c',
      'user.email=t@t',
      'commit',
      '-qm',
      'readme',
    );
    git(clone, 'push', '-q', 'origin', 'main');
    expect(await fs.readFile(path.join(repo, 'README.md'), 'utf8')).toBe(
      '# hi\n',
    );
  });

  it('rejects non-empty targets unless overwrite', async () => {
    await fs.mkdir(path.join(baseDir, 'svc'), { recursive: true });
    await fs.writeFile(path.join(baseDir, 'svc', 'keep.txt'), 'x');
    const ctx = ctxOf({ repoName: 'svc' });
    await expect(action().handler(ctx as any)).rejects.toThrow(
      /Invalid repoName "svc": .* not empty .*overwrite/,
    );
    const ctx2 = ctxOf({ repoName: 'svc', overwrite: true });
    await action().handler(ctx2 as any);
    await expect(
      fs.stat(path.join(baseDir, 'svc', 'keep.txt')),
    ).rejects.toThrow();
    expect(git(path.join(baseDir, 'svc'), 'ls-files')).toContain(
      'catalog-info.yaml',
    );
  });

  it.each(['../escape', 'a/b', '..', '.hidden', '', 'x'.repeat(101), '/abs'])(
    'rejects repoName %j',
    async repoName => {
      const ctx = ctxOf({ repoName });
      await expect(action().handler(ctx as any)).rejects.toThrow(
        /Invalid repoName/,
      );
      await expect(fs.readdir(tmp)).resolves.toEqual(['workspace']);
    },
  );

  it.each([
    [{ sourcePath: '../..' }, /Invalid sourcePath/],
    [{ defaultBranch: '-x' }, /Invalid defaultBranch/],
  ])('rejects %j', async (bad, message) => {
    const ctx = ctxOf({ repoName: 'ok', ...bad });
    await expect(action().handler(ctx as any)).rejects.toThrow(message);
  });

  it.each([
    '../x.yaml',
    'a/../../x.yaml',
    '%2e%2e/%2e%2e/x.yaml',
    'a%2f..%2f..%2fx.yaml',
    '..\\x.yaml',
    'file:../x.yaml',
    'file:///etc/passwd',
    'FILE:/etc/passwd',
    'https://evil.example/catalog-info.yaml',
    '//evil.example/catalog-info.yaml',
    'C:\\catalog-info.yaml',
    'catalog-info.yaml?raw',
    'catalog-info.yaml#x',
    'catalog\ninfo.yaml',
    '',
    '/',
    'docs/',
  ])(
    'rejects catalogInfoPath %j that would leave the repository, publishing nothing',
    async catalogInfoPath => {
      const ctx = ctxOf({ repoName: 'ok', catalogInfoPath });
      await expect(action().handler(ctx as any)).rejects.toThrow(
        /^Invalid catalogInfoPath ".*": .*; give a path inside the repository/s,
      );
      await expect(fs.readdir(tmp)).resolves.toEqual(['workspace']);
      expect(ctx.output).not.toHaveBeenCalled();
    },
  );

  it.each([
    ['/catalog-info.yaml', 'catalog-info.yaml'],
    ['./catalog-info.yaml', 'catalog-info.yaml'],
    ['chart/Chart.yaml', 'chart/Chart.yaml'],
    ['/chart//./Chart.yaml', 'chart/Chart.yaml'],
  ])(
    'accepts catalogInfoPath %j inside the repository',
    async (catalogInfoPath, inRepo) => {
      const ctx = ctxOf({ repoName: 'ok', catalogInfoPath });
      await action().handler(ctx as any);
      const url = `file://${baseDir}/ok/${inRepo}`;
      expect(ctx.output).toHaveBeenCalledWith('catalogInfoUrl', url);
      await expect(fs.stat(fileURLToPath(url))).resolves.toBeTruthy();
    },
  );

  it('publishes atomically: of two tasks with the same name one wins whole, the other is refused', async () => {
    // two workspaces with different files, so a mix of both would show
    const other = path.join(tmp, 'other');
    await fs.mkdir(other);
    await fs.writeFile(path.join(other, 'catalog-info.yaml'), 'kind: Other\n');
    await fs.writeFile(path.join(other, 'only-other.txt'), 'b\n');
    // both start their publish at the same moment, past the early check
    let release!: () => void;
    const barrier = new Promise<void>(r => (release = r));
    const start = (ws: string) => {
      const ctx = createMockActionContext({
        input: { repoName: 'same' },
        workspacePath: ws,
        user,
      });
      (ctx as any).checkpoint = async (opts: { fn: () => Promise<string> }) => {
        await barrier;
        return opts.fn();
      };
      return { ctx, run: action().handler(ctx as any) };
    };
    const a = start(workspacePath);
    const b = start(other);
    release();
    const results = await Promise.allSettled([a.run, b.run]);
    const won = results.findIndex(r => r.status === 'fulfilled');
    const lost = results.find(r => r.status === 'rejected') as
      | PromiseRejectedResult
      | undefined;
    expect(results.filter(r => r.status === 'fulfilled')).toHaveLength(1);
    expect(lost?.reason.message).toMatch(
      /^Invalid repoName "same": another task published .*same while this one was building it; that repository is kept \(set overwrite: true to replace it\)$/,
    );
    // the repository is the winner's, complete and committed
    const repo = path.join(baseDir, 'same');
    const files = git(repo, 'ls-files').split('\n').sort();
    expect(files).toEqual(
      won === 0
        ? ['catalog-info.yaml', 'chart/Chart.yaml']
        : ['catalog-info.yaml', 'only-other.txt'],
    );
    expect(git(repo, 'status', '--porcelain')).toBe('');
    git(repo, 'fsck', '--strict');
    const winner = [a, b][won].ctx;
    expect(winner.output).toHaveBeenCalledWith(
      'commitHash',
      git(repo, 'rev-parse', 'HEAD'),
    );
    // no staging directory is left behind
    await expect(fs.readdir(baseDir)).resolves.toEqual(['same']);
  });

  it('leaves nothing behind when building the repository fails', async () => {
    // a FIFO cannot be copied: the build fails after it started
    execFileSync('mkfifo', [path.join(workspacePath, 'pipe')]);
    const ctx = ctxOf({ repoName: 'broken' });
    await expect(action().handler(ctx as any)).rejects.toThrow(
      /Cannot copy a FIFO pipe/,
    );
    await expect(fs.readdir(baseDir)).resolves.toEqual([]);
  });

  it('keeps the old repository when overwrite is set and the build fails', async () => {
    const first = ctxOf({ repoName: 'svc' });
    await action().handler(first as any);
    const repo = path.join(baseDir, 'svc');
    const before = git(repo, 'rev-parse', 'HEAD');
    execFileSync('mkfifo', [path.join(workspacePath, 'pipe')]);
    const again = ctxOf({ repoName: 'svc', overwrite: true });
    await expect(action().handler(again as any)).rejects.toThrow(
      /Cannot copy a FIFO pipe/,
    );
    expect(git(repo, 'rev-parse', 'HEAD')).toBe(before);
    await expect(fs.readdir(baseDir)).resolves.toEqual(['svc']);
  });

  describe('symbolic links', () => {
    /** A publish of the workspace (or `input.sourcePath`) as `links`. */
    const publish = (input: object = {}) =>
      action().handler(ctxOf({ repoName: 'links', ...input }) as any);
    /** The base directory: a refused publish creates not even that. */
    const published = () => fs.stat(baseDir);

    it('refuses an absolute link, naming it', async () => {
      await fs.symlink('/etc/passwd', path.join(workspacePath, 'chart/passwd'));
      await expect(publish()).rejects.toThrow(
        /^Invalid workspace: symbolic links that leave the published directory are not published: chart\/passwd -> \/etc\/passwd \(an absolute link\)$/,
      );
      await expect(published()).rejects.toThrow(/ENOENT/);
    });

    it('refuses an absolute link even into the workspace', async () => {
      await fs.symlink(
        path.join(workspacePath, 'catalog-info.yaml'),
        path.join(workspacePath, 'abs'),
      );
      await expect(publish()).rejects.toThrow(/abs -> .* \(an absolute link\)/);
      await expect(published()).rejects.toThrow(/ENOENT/);
    });

    it('refuses a relative link that climbs out', async () => {
      await fs.writeFile(path.join(tmp, 'secret.txt'), 'secret\n');
      await fs.symlink('../../secret.txt', path.join(workspacePath, 'chart/s'));
      await expect(publish()).rejects.toThrow(
        /chart\/s -> \.\.\/\.\.\/secret\.txt \(points outside\)/,
      );
      await expect(published()).rejects.toThrow(/ENOENT/);
    });

    it('refuses a link that leaves through another link', async () => {
      await fs.writeFile(path.join(tmp, 'secret.txt'), 'secret\n');
      await fs.symlink('.', path.join(workspacePath, 'here'));
      await fs.symlink('here/../secret.txt', path.join(workspacePath, 'x'));
      await expect(publish()).rejects.toThrow(
        /x -> here\/\.\.\/secret\.txt \(resolves outside through other links\)/,
      );
      await expect(published()).rejects.toThrow(/ENOENT/);
    });

    it('refuses a link out of sourcePath, into the rest of the workspace', async () => {
      await fs.symlink(
        '../catalog-info.yaml',
        path.join(workspacePath, 'chart/catalog-info.yaml'),
      );
      await expect(publish({ sourcePath: 'chart' })).rejects.toThrow(
        /^Invalid sourcePath: .*catalog-info\.yaml -> \.\.\/catalog-info\.yaml \(points outside\)/,
      );
      await expect(published()).rejects.toThrow(/ENOENT/);
    });

    it('publishes a relative link inside the repository as a link', async () => {
      await fs.symlink('chart/Chart.yaml', path.join(workspacePath, 'Chart'));
      const ctx = ctxOf({ repoName: 'links' });
      await action().handler(ctx as any);
      const repo = path.join(baseDir, 'links');
      expect(await fs.readlink(path.join(repo, 'Chart'))).toBe(
        'chart/Chart.yaml',
      );
      expect(git(repo, 'ls-files', '-s', 'Chart')).toMatch(/^120000 /);
    });
  });

  it('does nothing in dry run', async () => {
    // createMockActionContext drops isDryRun: set it on the context
    const ctx = {
      ...ctxOf({ repoName: 'dry' }),
      isDryRun: true,
    };
    await action().handler(ctx as any);
    expect(ctx.output).toHaveBeenCalledWith(
      'catalogInfoUrl',
      `file://${baseDir}/dry/catalog-info.yaml`,
    );
    await expect(fs.stat(baseDir)).rejects.toThrow();
  });

  it('names the config key when not configured', async () => {
    const ctx = ctxOf({ repoName: 'x' });
    await expect(
      createShipyardPublishLocalAction().handler(ctx as any),
    ).rejects.toThrow(/shipyard\.publish\.local\.baseDir/);
  });

  it('does not repeat the commit when the checkpoint has a result', async () => {
    const ctx = ctxOf({ repoName: 'again' });
    (ctx as any).checkpoint = jest.fn(async () => 'abc123');
    await action().handler(ctx as any);
    expect(ctx.output).toHaveBeenCalledWith('commitHash', 'abc123');
    await expect(fs.stat(path.join(baseDir, 'again'))).rejects.toThrow();
  });

  it('derives an author without a user entity', () => {
    expect(gitAuthorFromUser({ ref: 'user:default/guest' })).toEqual({
      name: 'guest',
      email: 'guest@users.noreply.backstage.local',
    });
    expect(gitAuthorFromUser(undefined).name).toBe('Shipyard Scaffolder');
  });
});
