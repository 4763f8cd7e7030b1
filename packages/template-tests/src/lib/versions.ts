/*
 * Template versions: every golden-path template carries a version in its
 * `shipyard.dev/template-version` annotation, and templates/golden-path/versions.lock.json
 * records, per template, that version and a sha256 of what renders a service (the
 * skeleton directories its fetch:template steps read, and its steps). A change to
 * either without a version bump fails the tests: a generated service records the
 * version it was made from, and an update can only tell what changed between two
 * versions when the same version always means the same files.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import {
  ANNOTATION_TEMPLATE_VERSION,
  compareTemplateVersions as compareVersions,
  parseTemplateVersion,
} from '@shipyard-platform/backstage-plugin-scaffolder-backend-module-shipyard';
import { TemplateEntity } from './scaffolder';

export const VERSION_ANNOTATION = ANNOTATION_TEMPLATE_VERSION;

export const LOCK_REFRESH_COMMAND =
  'yarn workspace @shipyard-platform/template-tests lock-versions';

export type VersionLock = Record<string, { version: string; sha256: string }>;

/** The template's version annotation; throws naming the template and the rule. */
export function templateVersion(entity: TemplateEntity, file: string): string {
  const annotations = (entity.metadata.annotations ?? {}) as Record<
    string,
    unknown
  >;
  const version = annotations[VERSION_ANNOTATION];
  if (typeof version !== 'string' || !parseTemplateVersion(version)) {
    throw new Error(
      `${file}: template ${
        entity.metadata.name
      }: metadata.annotations['${VERSION_ANNOTATION}'] must be a version MAJOR.MINOR.PATCH such as 1.0.0, got ${JSON.stringify(
        version,
      )}`,
    );
  }
  return version;
}

/** JSON with sorted keys: the hash of the steps must not depend on key order. */
function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value)
      .sort()
      .map(
        k =>
          `${JSON.stringify(k)}:${canonicalJson(
            (value as Record<string, unknown>)[k],
          )}`,
      )
      .join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * sha256 over what renders a service from this template: every file below the
 * directories its fetch:template steps read (path, executable bit, content) and its
 * steps. The form's texts are left out: they change no generated file.
 */
export function templateHash(entity: TemplateEntity, file: string): string {
  const root = path.dirname(file);
  const dirs = entity.spec.steps
    .filter(s => s.action === 'fetch:template')
    .map(s => path.posix.normalize(String(s.input?.url)));
  const lines: string[] = [];
  const walk = (rel: string) => {
    for (const ent of fs.readdirSync(path.join(root, rel), {
      withFileTypes: true,
    })) {
      const p = path.posix.join(rel, ent.name);
      if (ent.isDirectory()) walk(p);
      else if (ent.isFile()) {
        const abs = path.join(root, p);
        const exec = fs.statSync(abs).mode & 0o111 ? 'x' : '-';
        const sha = crypto
          .createHash('sha256')
          .update(fs.readFileSync(abs))
          .digest('hex');
        lines.push(`${p}\0${exec}\0${sha}`);
      }
    }
  };
  for (const dir of [...new Set(dirs)].sort()) walk(dir);
  lines.sort();
  lines.push(`steps\0${canonicalJson(entity.spec.steps)}`);
  return crypto.createHash('sha256').update(lines.join('\n')).digest('hex');
}

export function lockFile(templateFile: string): string {
  return path.join(path.dirname(templateFile), 'versions.lock.json');
}

export function readLock(file: string): VersionLock {
  if (!fs.existsSync(file)) return {};
  return JSON.parse(fs.readFileSync(file, 'utf8'));
}

/**
 * What is wrong with the lock for these templates (empty when it matches). A
 * changed hash needs a newer version; a newer version needs a refreshed lock.
 */
export function lockProblems(
  current: VersionLock,
  lock: VersionLock,
  templateFile: string,
): string[] {
  const problems: string[] = [];
  const where = `metadata.annotations['${VERSION_ANNOTATION}'] in ${templateFile}`;
  for (const [name, now] of Object.entries(current)) {
    const locked = lock[name];
    if (!locked) {
      problems.push(
        `${name}: not in the lock file; record it with \`${LOCK_REFRESH_COMMAND}\``,
      );
    } else if (now.sha256 !== locked.sha256) {
      if (compareVersions(now.version, locked.version) <= 0) {
        problems.push(
          `${name}: its skeleton or steps changed but its version is still ${now.version} (locked ${locked.version}): bump ${where}, then refresh the lock with \`${LOCK_REFRESH_COMMAND}\``,
        );
      } else {
        problems.push(
          `${name}: version ${now.version} is not in the lock file yet (locked ${locked.version}); refresh it with \`${LOCK_REFRESH_COMMAND}\``,
        );
      }
    } else if (now.version !== locked.version) {
      problems.push(
        `${name}: version ${now.version} but the lock says ${locked.version} for the same files; a version names one set of files: set ${where} back to ${locked.version}, or refresh the lock with \`${LOCK_REFRESH_COMMAND}\` if the release is meant`,
      );
    }
  }
  for (const name of Object.keys(lock)) {
    if (!current[name])
      problems.push(
        `${name}: in the lock file but no such template; refresh it with \`${LOCK_REFRESH_COMMAND}\``,
      );
  }
  return problems;
}

/**
 * The lock to write on a refresh: refuses (throws) while a template changed without
 * a newer version, so that a refresh cannot stand in for the bump.
 */
export function refreshedLock(
  current: VersionLock,
  lock: VersionLock,
  templateFile: string,
): VersionLock {
  const unbumped = Object.entries(current).filter(
    ([name, now]) =>
      lock[name] &&
      now.sha256 !== lock[name].sha256 &&
      compareVersions(now.version, lock[name].version) <= 0,
  );
  if (unbumped.length) {
    throw new Error(
      `not refreshing the lock: ${unbumped
        .map(([name, now]) => `${name} changed but is still ${now.version}`)
        .join(
          '; ',
        )}; bump metadata.annotations['${VERSION_ANNOTATION}'] in ${templateFile} first`,
    );
  }
  return Object.fromEntries(
    Object.keys(current)
      .sort()
      .map(name => [name, current[name]]),
  );
}
