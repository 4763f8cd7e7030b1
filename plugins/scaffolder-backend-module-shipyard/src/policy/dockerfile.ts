import { DockerfileParser, Instruction } from 'dockerfile-ast';
import { Finding, Severity } from './types';

/** Options for {@link checkDockerfile}. @public */
export interface DockerfileCheckOptions {
  /**
   * Severity of a missing HEALTHCHECK. Default `error` (the Compose file of a
   * generated repository relies on it through `depends_on: service_healthy`).
   */
  healthcheckSeverity?: Severity;
}

function substituteArgs(text: string, args: Record<string, string>): string {
  return text.replace(
    /\$\{([A-Za-z_][A-Za-z0-9_]*)(?::?[-+][^}]*)?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g,
    (m, a, b) => args[a ?? b] ?? m,
  );
}

function splitImage(image: string): {
  name: string;
  tag?: string;
  digest?: string;
} {
  const [rest, digest] = image.split('@');
  const slash = rest.lastIndexOf('/');
  const colon = rest.lastIndexOf(':');
  if (colon > slash) {
    return { name: rest.slice(0, colon), tag: rest.slice(colon + 1), digest };
  }
  return { name: rest, digest };
}

const ROOT_USERS = new Set(['root', '0', '0:0', 'root:root']);

/**
 * Checks a Dockerfile against the Shipyard (hadolint-style) baseline: pinned
 * base image tags, multi-stage build, last USER not root, exec-form CMD /
 * ENTRYPOINT, no ADD for local files, package manager caches cleaned (or
 * cache mounts), HEALTHCHECK. Pure function: no I/O.
 *
 * @param content - the Dockerfile text
 * @param file - path reported in findings
 * @public
 */
export function checkDockerfile(
  content: string,
  file: string,
  options: DockerfileCheckOptions = {},
): Finding[] {
  const findings: Finding[] = [];
  const add = (
    rule: string,
    message: string,
    line?: number,
    severity: Severity = 'error',
  ) => findings.push({ rule, file, line, message, severity });
  const lineOf = (i: Instruction) => i.getRange().start.line + 1;

  const df = DockerfileParser.parse(content);
  const args: Record<string, string> = {};
  for (const a of df.getInitialARGs()) {
    const p = a.getProperty();
    const value = p?.getValue();
    if (p && value !== null && value !== undefined) args[p.getName()] = value;
  }

  const froms = df.getFROMs();
  if (froms.length === 0) {
    add('dockerfile.from', 'no FROM instruction');
    return findings;
  }
  const stageNames = new Set<string>();
  for (const from of froms) {
    const raw = from.getImage() ?? '';
    const image = substituteArgs(raw, args);
    const stage = from.getBuildStage();
    if (image === 'scratch' || stageNames.has(image.toLowerCase())) {
      // scratch or an earlier stage
    } else {
      const { tag, digest } = splitImage(image);
      if (image.includes('$')) {
        add(
          'dockerfile.pinned-base-image',
          `base image "${raw}" uses a build argument without a default value`,
          lineOf(from),
        );
      } else if (!digest && (!tag || tag === 'latest')) {
        add(
          'dockerfile.pinned-base-image',
          `base image "${image}" must be pinned to a version tag (not latest) or digest`,
          lineOf(from),
        );
      }
    }
    if (stage) stageNames.add(stage.toLowerCase());
  }
  if (froms.length < 2) {
    add(
      'dockerfile.multi-stage',
      'use a multi-stage build (build stage + minimal runtime stage)',
      lineOf(froms[0]),
    );
  }

  const instructions = df.getInstructions();
  const lastFromLine = lineOf(froms[froms.length - 1]);
  const finalStage = instructions.filter(i => lineOf(i) >= lastFromLine);

  // USER in the final stage
  const users = finalStage.filter(i => i.getKeyword() === 'USER');
  const lastUser = users[users.length - 1];
  if (!lastUser) {
    add(
      'dockerfile.user',
      'the final stage has no USER instruction: the container would run as root',
      lastFromLine,
    );
  } else {
    const u = substituteArgs(lastUser.getArgumentsContent() ?? '', args).trim();
    if (ROOT_USERS.has(u) || u.startsWith('0:') || u.startsWith('root:')) {
      add(
        'dockerfile.user',
        `the last USER is "${u}" (root)`,
        lineOf(lastUser),
      );
    }
  }

  // CMD / ENTRYPOINT exec form
  for (const i of instructions) {
    const kw = i.getKeyword();
    if (kw === 'CMD' || kw === 'ENTRYPOINT') {
      const args0 = (i.getRawArgumentsContent() ?? '').trim();
      if (!args0.startsWith('[')) {
        add(
          'dockerfile.exec-form',
          `${kw} must use the exec (JSON array) form so signals reach the process`,
          lineOf(i),
        );
      }
    }
    if (kw === 'ADD') {
      const parts = i
        .getArguments()
        .map(a => a.getValue())
        .filter(v => !v.startsWith('--'));
      const sources = parts.slice(0, -1);
      if (sources.some(s => !/^(https?:\/\/|git@|[a-z]+:\/\/)/.test(s))) {
        add(
          'dockerfile.no-add',
          'use COPY instead of ADD for local files',
          lineOf(i),
        );
      }
    }
    if (kw === 'RUN') {
      const text = i.getRawArgumentsContent() ?? '';
      const flags: { getName(): string; getValue(): string | null }[] =
        (i as any).getFlags?.() ?? [];
      const hasCacheMount =
        /--mount=[^\s]*type=cache/.test(text) ||
        flags.some(
          f => f.getName() === 'mount' && /type=cache/.test(f.getValue() ?? ''),
        );
      if (/\bapt-get\b[^&;|]*\binstall\b/.test(text) && !hasCacheMount) {
        if (!/rm\s+-rf?\s+\/var\/lib\/apt\/lists/.test(text)) {
          add(
            'dockerfile.cache-cleaned',
            'apt-get install without `rm -rf /var/lib/apt/lists/*` (or a cache mount) in the same RUN',
            lineOf(i),
          );
        }
        if (!/--no-install-recommends/.test(text)) {
          add(
            'dockerfile.apt-no-install-recommends',
            'apt-get install without --no-install-recommends',
            lineOf(i),
            'warning',
          );
        }
      }
      if (
        /\bapk\s+add\b/.test(text) &&
        !/--no-cache/.test(text) &&
        !hasCacheMount
      ) {
        add(
          'dockerfile.cache-cleaned',
          'apk add without --no-cache (or a cache mount)',
          lineOf(i),
        );
      }
      if (
        /\bpip3?\s+install\b/.test(text) &&
        !/--no-cache-dir/.test(text) &&
        !hasCacheMount
      ) {
        add(
          'dockerfile.cache-cleaned',
          'pip install without --no-cache-dir (or a cache mount)',
          lineOf(i),
        );
      }
      if (
        /\b(npm\s+(ci|install)|yarn\s+install)\b/.test(text) &&
        !hasCacheMount &&
        !/cache clean/.test(text)
      ) {
        add(
          'dockerfile.cache-cleaned',
          'package install without a cache mount (`--mount=type=cache,...`) or cache clean',
          lineOf(i),
          'warning',
        );
      }
    }
  }

  // HEALTHCHECK (in the final stage)
  if (!finalStage.some(i => i.getKeyword() === 'HEALTHCHECK')) {
    add(
      'dockerfile.healthcheck',
      'no HEALTHCHECK in the final stage (needed for compose `service_healthy`)',
      lastFromLine,
      options.healthcheckSeverity ?? 'error',
    );
  }

  // docker init style syntax directive (informational)
  const directive = df.getDirective();
  if (!directive || directive.getName() !== 'syntax') {
    add(
      'dockerfile.syntax-directive',
      'add `# syntax=docker/dockerfile:1` to get BuildKit features (cache mounts)',
      1,
      'info',
    );
  }

  return findings;
}
