import fs from 'node:fs';
import path from 'node:path';
import { DockerfileParser } from 'dockerfile-ast';
import ignore from 'ignore';
import {
  checkDockerfile,
  formatFindings,
} from '@shipyard-platform/backstage-plugin-scaffolder-backend-module-shipyard';
import os from 'node:os';
import { IMAGE_CMD, readRepoFile, REPO_ROOT, run } from './lib/repo';

const DOCKERFILE = 'deploy/Dockerfile';
const content = readRepoFile(DOCKERFILE);
const df = DockerfileParser.parse(content);
const instructions = df.getInstructions();
const froms = df.getFROMs();
const line = (i: { getRange(): { start: { line: number } } }) =>
  i.getRange().start.line;
const finalFrom = froms[froms.length - 1];
const finalStage = instructions.filter(i => line(i) >= line(finalFrom));
const args = (i: { getArguments(): { getValue(): string }[] }) =>
  i.getArguments().map(a => a.getValue());

describe('deploy/Dockerfile', () => {
  it('passes the Shipyard Dockerfile policy (hadolint-style rules) with no finding at all', () => {
    const findings = checkDockerfile(content, DOCKERFILE);
    expect(formatFindings(findings)).toBe('');
  });

  it('has no parse problems and starts with the BuildKit syntax directive', () => {
    expect(df.getDirective()?.getName()).toBe('syntax');
    expect(df.getDirective()?.getValue()).toBe('docker/dockerfile:1');
    expect(froms.length).toBeGreaterThanOrEqual(3);
    for (const i of instructions) {
      expect(i.getKeyword()).toMatch(
        /^(FROM|ARG|ENV|RUN|COPY|USER|WORKDIR|EXPOSE|HEALTHCHECK|CMD|ENTRYPOINT|LABEL)$/,
      );
    }
  });

  it('builds on Node 22 with a pinned version, final stage on the slim variant', () => {
    const initialArgs = Object.fromEntries(
      df
        .getInitialARGs()
        .map(a => [a.getProperty()!.getName(), a.getProperty()!.getValue()]),
    );
    expect(initialArgs.NODE_VERSION).toMatch(/^22\.\d+\.\d+$/);
    // every stage is the slim Node image itself or built on an earlier stage that is
    const slim = 'node:${NODE_VERSION}-${DEBIAN_RELEASE}-slim';
    const onSlim = new Set<string>();
    for (const f of froms) {
      expect({
        from: f.getImage(),
        onSlim: f.getImage() === slim || onSlim.has(f.getImage()!),
      }).toEqual({ from: f.getImage(), onSlim: true });
      onSlim.add(f.getBuildStage()!);
    }
    // the runtime stage starts from the slim image itself, not from a stage with compilers
    expect(finalFrom.getImage()).toBe(slim);
    expect(finalFrom.getBuildStage()).toBe('runtime');
  });

  it('installs with Yarn 4 (immutable lockfile), builds the backend bundle with the app, installs production deps only', () => {
    const runs = instructions
      .filter(i => i.getKeyword() === 'RUN')
      .map(i => i.getRawArgumentsContent() ?? '');
    expect(runs.some(r => /yarn install --immutable/.test(r))).toBe(true);
    expect(runs.some(r => /yarn --cwd packages\/backend build/.test(r))).toBe(
      true,
    );
    expect(
      runs.some(r => /yarn workspaces focus --all --production/.test(r)),
    ).toBe(true);
    // packages/backend depends on `app` (link:../app): its build bundles the frontend
    const backendPkg = JSON.parse(
      readRepoFile('packages/backend/package.json'),
    );
    expect(backendPkg.dependencies.app).toBe('link:../app');
    // the yarn release the Dockerfile copies is the one .yarnrc.yml points at
    const yarnPath = /yarnPath:\s*(\S+)/.exec(readRepoFile('.yarnrc.yml'))![1];
    expect(fs.existsSync(path.join(REPO_ROOT, yarnPath))).toBe(true);
    expect(content).toContain('COPY .yarn/releases ./.yarn/releases');
  });

  it('runtime stage: no compilers, non-root numeric USER, exec-form CMD with the production config, readiness HEALTHCHECK', () => {
    const finalText = finalStage.map(i => i.getTextContent()).join('\n');
    expect(finalText).not.toMatch(/\b(g\+\+|build-essential|make|python3)\b/);
    const users = finalStage.filter(i => i.getKeyword() === 'USER');
    expect(users.length).toBeGreaterThan(0);
    expect(users[users.length - 1].getArgumentsContent()).toBe('10001:10001');
    const cmd = finalStage.find(i => i.getKeyword() === 'CMD')!;
    expect(JSON.parse(cmd.getRawArgumentsContent()!)).toEqual(IMAGE_CMD);
    const wd = finalStage
      .filter(i => i.getKeyword() === 'WORKDIR')
      .map(i => i.getArgumentsContent());
    expect(wd[wd.length - 1]).toBe('/app/packages/backend');
    const hc = finalStage.find(i => i.getKeyword() === 'HEALTHCHECK')!;
    const hcText = hc.getRawArgumentsContent()!;
    expect(hcText).toContain('/.backstage/health/v1/readiness');
    expect(hcText).toMatch(/CMD \[/);
    expect(
      finalStage.find(i => i.getKeyword() === 'EXPOSE')?.getArgumentsContent(),
    ).toBe('7007');
    const env = finalStage
      .filter(i => i.getKeyword() === 'ENV')
      .map(i => i.getRawArgumentsContent())
      .join(' ');
    expect(env).toContain('NODE_ENV=production');
  });

  it('every COPY --from names an earlier stage, every local COPY source exists and survives the ignore file', () => {
    const stages: string[] = [];
    const fromRefs: { from: string; known: boolean }[] = [];
    const ig = ignore().add(readRepoFile('deploy/Dockerfile.dockerignore'));
    for (const i of instructions) {
      if (i.getKeyword() === 'FROM') {
        const stage = df
          .getFROMs()
          .find(f => line(f) === line(i))!
          .getBuildStage();
        if (stage) stages.push(stage);
        continue;
      }
      if (i.getKeyword() !== 'COPY') continue;
      const flags: { getName(): string; getValue(): string | null }[] = (
        i as any
      ).getFlags();
      const from = flags.find(f => f.getName() === 'from')?.getValue();
      const paths = args(i).filter(a => !a.startsWith('--'));
      const sources = paths.slice(0, -1);
      if (from) {
        fromRefs.push({ from, known: stages.includes(from) });
        continue;
      }
      for (const src of sources) {
        const rel = src.replace(/^\.\//, '').replace(/\/$/, '');
        if (rel === '.' || rel === '') continue; // the whole (filtered) context
        expect({
          src,
          exists: fs.existsSync(path.join(REPO_ROOT, rel)),
        }).toEqual({ src, exists: true });
        expect({ src, ignored: ig.ignores(rel) }).toEqual({
          src,
          ignored: false,
        });
      }
    }
    expect(stages).toEqual([
      'skeleton',
      'toolchain',
      'build',
      'deps',
      'runtime',
    ]);
    expect(fromRefs.length).toBeGreaterThan(3);
    expect(fromRefs.filter(r => !r.known)).toEqual([]);
  });

  it('the ignore file keeps secrets, VCS data, node_modules and local state out of the build context', () => {
    const ig = ignore().add(readRepoFile('deploy/Dockerfile.dockerignore'));
    for (const p of [
      '.git/config',
      'node_modules/react/index.js',
      'packages/app/node_modules/x',
      'packages/backend/dist/bundle.tar.gz',
      '.env',
      'deploy/.env',
      '.shipyard/services/postgres/data/PG_VERSION',
      'artifacts/x.log',
      'app-config.local.yaml',
      'github-credentials.yaml',
      '.toolchain/bin/yarn',
      '.yarn/cache/x.zip',
    ]) {
      expect({ p, ignored: ig.ignores(p) }).toEqual({ p, ignored: true });
    }
    for (const p of [
      'package.json',
      'yarn.lock',
      '.yarnrc.yml',
      '.yarn/releases/x.cjs',
      'backstage.json',
      'tsconfig.json',
      'packages/backend/src/index.ts',
      'packages/app/src/App.tsx',
      'plugins/deployment-health/src/index.ts',
      'app-config.yaml',
      'app-config.production.yaml',
      'examples/org.yaml',
      'templates/x/template.yaml',
    ]) {
      expect({ p, ignored: ig.ignores(p) }).toEqual({ p, ignored: false });
    }
  });

  it('copies the catalog files app-config.yaml points at (relative to packages/backend, the WORKDIR)', () => {
    const appConfig = readRepoFile('app-config.yaml');
    const targets = [...appConfig.matchAll(/target:\s*(\.\.\/\.\.\/\S+)/g)].map(
      m => m[1],
    );
    expect(targets.length).toBeGreaterThan(0);
    for (const t of targets) {
      const top = t.replace('../../', '').split('/')[0];
      expect({
        t,
        copied: new RegExp(`COPY [^\\n]*\\b${top.replace('.', '\\.')}\\b`).test(
          content,
        ),
      }).toEqual({ t, copied: true });
    }
  });

  it('the skeleton stage (package.json files only) is a complete Yarn project: the lockfile needs no change', async () => {
    // what the `COPY`s of the workspace folders and the `find ... ! -name package.json` leave
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'shipyard-skeleton-'));
    for (const f of [
      'package.json',
      'yarn.lock',
      'backstage.json',
      '.yarnrc.yml',
    ]) {
      fs.copyFileSync(path.join(REPO_ROOT, f), path.join(dir, f));
    }
    fs.cpSync(
      path.join(REPO_ROOT, '.yarn/releases'),
      path.join(dir, '.yarn/releases'),
      { recursive: true },
    );
    // the workspace folders the Dockerfile's skeleton stage keeps
    const kept = /RUN find ((?:\w+ )+)-mindepth/.exec(
      readRepoFile('deploy/Dockerfile'),
    )![1];
    for (const top of kept.trim().split(' ')) {
      for (const ws of fs.readdirSync(path.join(REPO_ROOT, top))) {
        const pkg = path.join(REPO_ROOT, top, ws, 'package.json');
        if (!fs.existsSync(pkg)) continue;
        fs.mkdirSync(path.join(dir, top, ws), { recursive: true });
        fs.copyFileSync(pkg, path.join(dir, top, ws, 'package.json'));
      }
    }
    const yarnPath = /yarnPath:\s*(\S+)/.exec(readRepoFile('.yarnrc.yml'))![1];
    const r = await run(
      process.execPath,
      [yarnPath, 'install', '--mode=update-lockfile'],
      {
        cwd: dir,
        env: {
          ...process.env,
          YARN_ENABLE_TELEMETRY: '0',
          YARN_ENABLE_GLOBAL_CACHE: 'true',
        },
        timeout: 120_000,
      },
    );
    expect({ code: r.code, out: r.code ? r.stdout.slice(-2000) : '' }).toEqual({
      code: 0,
      out: '',
    });
    // `yarn install --immutable` in the build stage would fail on any difference
    expect(fs.readFileSync(path.join(dir, 'yarn.lock'), 'utf8')).toBe(
      readRepoFile('yarn.lock'),
    );
    fs.rmSync(dir, { recursive: true, force: true });
  }, 120_000);
});
