/*
 * Template versions against templates/golden-path/versions.lock.json (see
 * src/lib/versions.ts). `yarn workspace @shipyard-platform/template-tests
 * lock-versions` (SHIPYARD_UPDATE_VERSION_LOCK=1) rewrites the lock, and refuses
 * while a changed template keeps its version.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { TEMPLATES } from './lib/matrix';
import { loadTemplates, REPO_ROOT, TEMPLATES_ROOT } from './lib/scaffolder';
import {
  lockFile,
  lockProblems,
  readLock,
  refreshedLock,
  templateHash,
  templateVersion,
  VERSION_ANNOTATION,
  VersionLock,
} from './lib/versions';

/** {version, sha256} of every template under `root`, and their one catalog file. */
function currentVersions(root = TEMPLATES_ROOT) {
  const current: VersionLock = {};
  let file = '';
  for (const [name, t] of loadTemplates(root)) {
    current[name] = {
      version: templateVersion(t.entity, t.file),
      sha256: templateHash(t.entity, t.file),
    };
    file = t.file;
  }
  return { current, file };
}

const update = process.env.SHIPYARD_UPDATE_VERSION_LOCK === '1';

describe('template versions', () => {
  it('every template carries a version and matches versions.lock.json', () => {
    const { current, file } = currentVersions();
    expect(Object.keys(current).sort()).toEqual([...TEMPLATES].sort());
    const lockPath = lockFile(file);
    const lock = readLock(lockPath);
    const shown = path.relative(REPO_ROOT, file);
    if (update) {
      const next = refreshedLock(current, lock, shown);
      fs.writeFileSync(lockPath, `${JSON.stringify(next, null, 2)}\n`);
      return;
    }
    expect(lockProblems(current, lock, shown)).toEqual([]);
  });

  describe('on a copy of the templates', () => {
    let root = '';
    let lock: VersionLock;
    const templateFile = () => path.join(root, 'golden-path', 'template.yaml');
    const setVersion = (name: string, version: string) => {
      // the annotation of `name`: the first one after its metadata.name
      const text = fs.readFileSync(templateFile(), 'utf8');
      const start = text.indexOf(`  name: ${name}\n`);
      const at = text.indexOf(`${VERSION_ANNOTATION}: `, start);
      const end = text.indexOf('\n', at);
      fs.writeFileSync(
        templateFile(),
        `${text.slice(0, at)}${VERSION_ANNOTATION}: ${version}${text.slice(
          end,
        )}`,
      );
    };

    beforeEach(() => {
      root = fs.mkdtempSync(path.join(os.tmpdir(), 'shipyard-versions-'));
      fs.cpSync(
        path.join(TEMPLATES_ROOT, 'golden-path'),
        path.join(root, 'golden-path'),
        { recursive: true },
      );
      // the messages below name versions: start the copy from a known one
      for (const name of TEMPLATES) setVersion(name, '1.0.0');
      lock = currentVersions(root).current;
    });
    afterEach(() => fs.rmSync(root, { recursive: true, force: true }));

    it('a changed language skeleton without a bump names that template, the annotation and the refresh command', () => {
      fs.appendFileSync(
        path.join(root, 'golden-path/node-service/skeleton/Dockerfile.njk'),
        '# changed\n',
      );
      const problems = lockProblems(
        currentVersions(root).current,
        lock,
        'template.yaml',
      );
      expect(problems).toEqual([
        `node-service: its skeleton or steps changed but its version is still 1.0.0 (locked 1.0.0): bump metadata.annotations['shipyard.dev/template-version'] in template.yaml, then refresh the lock with \`yarn workspace @shipyard-platform/template-tests lock-versions\``,
      ]);
    });

    it('a changed shared fragment needs a bump of every template that fetches it', () => {
      fs.appendFileSync(
        path.join(root, 'golden-path/_shared/chart/values.yaml.njk'),
        '# changed\n',
      );
      const problems = lockProblems(
        currentVersions(root).current,
        lock,
        'template.yaml',
      );
      expect(problems.map(p => p.split(':')[0]).sort()).toEqual(
        [...TEMPLATES].sort(),
      );
    });

    it('a new file, a lost executable bit and a changed step count as changes', () => {
      const dev = path.join(root, 'golden-path/_shared/base/dev.njk');
      fs.chmodSync(dev, 0o644);
      const afterChmod = currentVersions(root).current;
      for (const name of TEMPLATES)
        expect(afterChmod[name].sha256).not.toBe(lock[name].sha256);

      fs.chmodSync(dev, 0o755);
      fs.writeFileSync(
        path.join(root, 'golden-path/python-service/skeleton/new.txt'),
        'x',
      );
      const afterNew = currentVersions(root).current;
      expect(afterNew['python-service'].sha256).not.toBe(
        lock['python-service'].sha256,
      );
      expect(afterNew['node-service'].sha256).toBe(lock['node-service'].sha256);

      const text = fs.readFileSync(templateFile(), 'utf8');
      fs.writeFileSync(
        templateFile(),
        text.replace('testCommand: npm test', 'testCommand: npm run test'),
      );
      expect(currentVersions(root).current['node-service'].sha256).not.toBe(
        lock['node-service'].sha256,
      );
    });

    it('the form texts and YAML comments are not part of the hash', () => {
      const text = fs.readFileSync(templateFile(), 'utf8');
      fs.writeFileSync(
        templateFile(),
        `# a comment\n${text.replace(
          'One sentence shown in the catalog, the README and the docs.',
          'One sentence for the catalog.',
        )}`,
      );
      expect(currentVersions(root).current).toEqual(lock);
    });

    it('a bump with the change is accepted once the lock is refreshed; the refresh refuses without the bump', () => {
      fs.appendFileSync(
        path.join(root, 'golden-path/node-service/skeleton/Dockerfile.njk'),
        '# changed\n',
      );
      expect(() =>
        refreshedLock(currentVersions(root).current, lock, 'template.yaml'),
      ).toThrow(
        "not refreshing the lock: node-service changed but is still 1.0.0; bump metadata.annotations['shipyard.dev/template-version'] in template.yaml first",
      );
      setVersion('node-service', '1.1.0');
      const bumped = currentVersions(root).current;
      expect(lockProblems(bumped, lock, 'template.yaml')).toEqual([
        'node-service: version 1.1.0 is not in the lock file yet (locked 1.0.0); refresh it with `yarn workspace @shipyard-platform/template-tests lock-versions`',
      ]);
      const next = refreshedLock(bumped, lock, 'template.yaml');
      expect(lockProblems(bumped, next, 'template.yaml')).toEqual([]);
      expect(next['node-service'].version).toBe('1.1.0');
    });

    it('a version that is no MAJOR.MINOR.PATCH is refused, naming the file and the annotation', () => {
      setVersion('python-service', 'v2');
      expect(() => currentVersions(root)).toThrow(
        `${templateFile()}: template python-service: metadata.annotations['shipyard.dev/template-version'] must be a version MAJOR.MINOR.PATCH such as 1.0.0, got "v2"`,
      );
    });
  });
});
