/*
 * Applies one README step to a Backstage app directory, the way a user would:
 * shell commands run in the app root, YAML merged into config, code inserted at
 * the place the README names. Any mismatch (an anchor that the file lacks, a
 * command that fails) throws, naming what was missing.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import YAML from 'yaml';
import { ReadmeStep } from './readmeSteps';

/** The last `n` lines of a command's output. */
export const tail = (text: string, n: number) =>
  text.trimEnd().split('\n').slice(-n).join('\n');

const isObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

/** Objects merge key by key, lists are appended to, anything else is replaced. */
export function mergeConfig(target: unknown, addition: unknown): unknown {
  if (Array.isArray(target) && Array.isArray(addition)) {
    return [...target, ...addition];
  }
  if (isObject(target) && isObject(addition)) {
    const out: Record<string, unknown> = { ...target };
    for (const [key, value] of Object.entries(addition)) {
      out[key] = key in out ? mergeConfig(out[key], value) : value;
    }
    return out;
  }
  return addition;
}

/** Inserts `text` before the line with `before` (searching from the line with `after`). */
export function insertText(
  source: string,
  text: string,
  where: { before?: string; after?: string },
): string {
  const block = text.endsWith('\n') ? text : `${text}\n`;
  if (where.before === undefined) return block + source;
  const lines = source.split('\n');
  let from = 0;
  if (where.after !== undefined) {
    from = lines.findIndex(line => line.includes(where.after!));
    if (from < 0) throw new Error(`no line contains "${where.after}"`);
  }
  const at = lines.findIndex(
    (line, i) => i >= from && line.includes(where.before!),
  );
  if (at < 0) {
    throw new Error(
      `no line contains "${where.before}"${
        where.after === undefined ? '' : ` after "${where.after}"`
      }`,
    );
  }
  lines.splice(at, 0, ...block.replace(/\n$/, '').split('\n'));
  return lines.join('\n');
}

export type ApplyOptions = {
  /** Environment for `run` steps (PATH with node and yarn, registry settings). */
  env: NodeJS.ProcessEnv;
  /** Where a path of the README lands in this app, e.g. packages/app → packages/app-legacy. */
  mapPath?: (file: string) => string;
  /** The same mapping for the text of shell commands. */
  mapCommand?: (command: string) => string;
};

export function applyStep(
  appDir: string,
  step: ReadmeStep,
  opts: ApplyOptions,
) {
  const { action } = step;
  const mapPath = opts.mapPath ?? (f => f);
  if (action.kind === 'run') {
    const script = (opts.mapCommand ?? (c => c))(step.body);
    try {
      execFileSync('bash', ['-euo', 'pipefail', '-c', script], {
        cwd: appDir,
        env: opts.env,
        stdio: 'pipe',
        maxBuffer: 64 * 1024 * 1024,
      });
    } catch (error: any) {
      const output = `${error.stdout ?? ''}${error.stderr ?? ''}`;
      throw new Error(
        `\`${script.trim()}\` failed (${error.status ?? error.signal}):\n${tail(
          output,
          40,
        )}`,
      );
    }
    return;
  }
  const file = path.join(appDir, mapPath(action.file));
  if (action.kind === 'insert') {
    if (!fs.existsSync(file))
      throw new Error(`${action.file} does not exist in the app`);
    fs.writeFileSync(
      file,
      insertText(fs.readFileSync(file, 'utf8'), step.body, action),
    );
    return;
  }
  if (action.kind === 'merge') {
    const current = fs.existsSync(file)
      ? YAML.parse(fs.readFileSync(file, 'utf8'))
      : {};
    const merged = mergeConfig(current ?? {}, YAML.parse(step.body));
    fs.writeFileSync(file, YAML.stringify(merged));
    return;
  }
  // append: YAML documents (catalog entities) after what is there
  YAML.parseAllDocuments(step.body).forEach(doc => {
    if (doc.errors.length)
      throw new Error(`invalid YAML: ${doc.errors[0].message}`);
  });
  const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : '';
  fs.writeFileSync(
    file,
    `${current.replace(/\n*$/, '\n')}---\n${step.body.replace(/\n*$/, '\n')}`,
  );
}
