/*
 * Kubernetes label selectors, parsed as the API server parses them
 * (k8s.io/apimachinery/pkg/labels, selector.go), so a selector is judged
 * before it is sent. Written here because no maintained JavaScript parser
 * exists: @kubernetes/client-node passes selectors through as strings, and
 * the npm registry has none that follows the apimachinery grammar.
 *
 *   selector    ::= [ requirement ( "," requirement )* ]
 *   requirement ::= "!" KEY | KEY [ op VALUE | ("in" | "notin") "(" VALUE ("," VALUE)* ")" ]
 *   op          ::= "=" | "==" | "!=" | ">" | "<"
 */

/** One requirement of a label selector. @public */
export interface LabelRequirement {
  /** The label key. */
  key: string;
  /** How the label is compared. */
  operator:
    | 'exists'
    | 'doesNotExist'
    | 'equals'
    | 'notEquals'
    | 'in'
    | 'notIn'
    | 'greaterThan'
    | 'lessThan';
  /** The values compared with (none for exists / doesNotExist). */
  values: string[];
}

/** A parsed selector, or why it is not one. @public */
export type ParsedLabelSelector =
  | { requirements: LabelRequirement[] }
  | { error: string };

const NAME = /^[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$/;
const DNS_SUBDOMAIN =
  /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const INTEGER = /^-?[0-9]+$/;

function keyError(key: string): string | undefined {
  const slash = key.lastIndexOf('/');
  const name = slash >= 0 ? key.slice(slash + 1) : key;
  const prefix = slash >= 0 ? key.slice(0, slash) : undefined;
  if (
    prefix !== undefined &&
    (prefix.length > 253 || !DNS_SUBDOMAIN.test(prefix))
  )
    return `label key "${key}" has an invalid prefix`;
  if (name.length > 63 || !NAME.test(name)) return `invalid label key "${key}"`;
  return undefined;
}

function valueError(value: string): string | undefined {
  if (value === '') return undefined;
  return value.length > 63 || !NAME.test(value)
    ? `invalid label value "${value}"`
    : undefined;
}

/** Splits on commas outside parentheses (the separators of requirements). */
function splitRequirements(selector: string): string[] | undefined {
  const parts: string[] = [];
  let depth = 0;
  let start = 0;
  for (let i = 0; i < selector.length; i++) {
    const c = selector[i];
    if (c === '(') depth++;
    else if (c === ')') depth--;
    if (depth < 0 || depth > 1) return undefined;
    if (c === ',' && depth === 0) {
      parts.push(selector.slice(start, i));
      start = i + 1;
    }
  }
  if (depth !== 0) return undefined;
  parts.push(selector.slice(start));
  return parts.map(p => p.trim());
}

function parseRequirement(text: string): LabelRequirement | string {
  if (text === '') return 'empty requirement';
  if (text.startsWith('!')) {
    const key = text.slice(1).trim();
    return keyError(key) ?? { key, operator: 'doesNotExist', values: [] };
  }
  const set = text.match(/^(\S+)\s+(in|notin)\s*\((.*)\)$/);
  if (set) {
    const [, key, op, list] = set;
    if (list.trim() === '') return `"${text}": ${op} needs at least one value`;
    const values = list.split(',').map(v => v.trim());
    const bad = keyError(key) ?? values.map(valueError).find(Boolean);
    if (bad) return bad;
    return { key, operator: op === 'in' ? 'in' : 'notIn', values };
  }
  const exact = text.match(/^([^=!<>\s]+)\s*(==|=|!=|>|<)\s*([^=!<>\s]*)$/);
  if (exact) {
    const [, key, op, value] = exact;
    const bad = keyError(key);
    if (bad) return bad;
    if (op === '>' || op === '<') {
      if (!INTEGER.test(value))
        return `"${text}": ${op} needs an integer value`;
      return {
        key,
        operator: op === '>' ? 'greaterThan' : 'lessThan',
        values: [value],
      };
    }
    const badValue = valueError(value);
    if (badValue) return badValue;
    return {
      key,
      operator: op === '!=' ? 'notEquals' : 'equals',
      values: [value],
    };
  }
  return keyError(text) ?? { key: text, operator: 'exists', values: [] };
}

/**
 * Parses a label selector as the API server would; an error names the part
 * that is wrong.
 *
 * @public
 */
export function parseLabelSelector(selector: string): ParsedLabelSelector {
  if (selector.length > 1024) return { error: 'longer than 1024 characters' };
  const parts = splitRequirements(selector.trim());
  if (!parts) return { error: 'unbalanced parentheses' };
  const requirements: LabelRequirement[] = [];
  for (const part of parts) {
    const r = parseRequirement(part);
    if (typeof r === 'string') return { error: r };
    requirements.push(r);
  }
  return { requirements };
}

/**
 * Requirements that select only objects that carry a given label: a
 * selector needs one of them, else (`!x`, `x!=y`, `x notin (y)`) it selects
 * almost every object.
 *
 * @public
 */
export function isSelectingRequirement(r: LabelRequirement): boolean {
  return !['doesNotExist', 'notEquals', 'notIn'].includes(r.operator);
}
