/*
 * The install steps of a package README, as data.
 *
 * A README marks each snippet that a user applies with an HTML comment (invisible
 * on GitHub and npm) on the line before the fenced block:
 *
 *   <!-- drop-in: run -->                          shell commands, run in the app root
 *   <!-- drop-in: merge app-config.yaml -->        YAML merged into the file (lists appended)
 *   <!-- drop-in: append examples/entities.yaml --> YAML documents added to the file
 *   <!-- drop-in: insert FILE at top -->           text added at the top of FILE
 *   <!-- drop-in: insert FILE before 'ANCHOR' -->  text added before the first line with ANCHOR
 *   <!-- drop-in: insert FILE before 'ANCHOR' after 'START' -->
 *                                                  ... the first such line after the line with START
 *
 * Anchors are quoted with ' or " (whichever the anchor does not contain).
 *
 * `drop-in legacy:` and `drop-in new:` limit a step to an app on that frontend
 * system. The drop-in test applies exactly these blocks, so what a README shows
 * is what is tested.
 */
import { marked, Tokens } from 'marked';

export type FrontendSystem = 'new' | 'legacy';

export type ReadmeStep = {
  /** e.g. `deployment-health-backend README › Install › 2. insert packages/backend/src/index.ts` */
  name: string;
  /** Both systems when absent. */
  system?: FrontendSystem;
  action:
    | { kind: 'run' }
    | { kind: 'merge'; file: string }
    | { kind: 'append'; file: string }
    | { kind: 'insert'; file: string; before?: string; after?: string };
  /** The fenced block's text, exactly as the README shows it. */
  body: string;
};

const MARKER = /^<!--\s*drop-in(?:\s+(new|legacy))?:\s*(.*?)\s*-->\s*$/;
const QUOTED = `(?:"([^"]*)"|'([^']*)')`;
const INSERT = new RegExp(
  `^(\\S+)\\s+(?:at top|before ${QUOTED}(?:\\s+after ${QUOTED})?)$`,
);

/** Parses one marker's words; throws with the README position on a bad one. */
function parseAction(words: string, where: string): ReadmeStep['action'] {
  const [verb, ...rest] = words.split(/\s+/);
  const args = rest.join(' ');
  if (verb === 'run' && !args) return { kind: 'run' };
  if ((verb === 'merge' || verb === 'append') && /^\S+$/.test(args)) {
    return { kind: verb, file: args };
  }
  if (verb === 'insert') {
    const m = INSERT.exec(args);
    if (m) {
      return {
        kind: 'insert',
        file: m[1],
        before: m[2] ?? m[3],
        after: m[4] ?? m[5],
      };
    }
  }
  throw new Error(`${where}: unreadable drop-in marker "${words}"`);
}

/** Every marked step of a README, in document order. */
export function readmeSteps(
  markdown: string,
  readmeName: string,
): ReadmeStep[] {
  const steps: ReadmeStep[] = [];
  let heading = '(top)';
  let pending: { system?: FrontendSystem; words: string } | undefined;
  let counter = 0;
  for (const token of marked.lexer(markdown)) {
    if (token.type === 'heading') {
      heading = (token as Tokens.Heading).text;
      counter = 0;
    }
    if (token.type === 'html') {
      const m = MARKER.exec((token as Tokens.HTML).text.trim());
      if (m) {
        pending = { system: m[1] as FrontendSystem | undefined, words: m[2] };
        continue;
      }
    }
    if (pending && token.type === 'space') continue;
    if (pending) {
      const where = `${readmeName} › ${heading}`;
      if (token.type !== 'code') {
        throw new Error(
          `${where}: a drop-in marker must stand right before a fenced block`,
        );
      }
      const action = parseAction(pending.words, where);
      counter += 1;
      const label =
        action.kind === 'run' ? 'run' : `${action.kind} ${action.file}`;
      steps.push({
        name: `${where} › ${counter}. ${label}${
          pending.system ? ` (${pending.system} frontend)` : ''
        }`,
        system: pending.system,
        action,
        body: (token as Tokens.Code).text,
      });
      pending = undefined;
    }
  }
  return steps;
}
