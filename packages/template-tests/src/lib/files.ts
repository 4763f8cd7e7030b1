/*
 * What the golden-path templates promise beyond Shipyard's policy rules.
 * The policy itself (Compose schema and rules, Dockerfile rules) runs on every
 * generated repository through validateDirectory in templates.test.ts.
 */
import { DockerfileParser } from 'dockerfile-ast';

const isPinned = (image: string) =>
  /:[^/:]+$/.test(image) && !/:latest$/.test(image);

/** Pinned images, and dependencies that `dev up` can start (not profile-only). */
export function composeTemplateViolations(compose: any): string[] {
  const v: string[] = [];
  const services: Record<string, any> = compose.services ?? {};
  for (const [name, s] of Object.entries(services)) {
    if (s.image && !s.build && !isPinned(s.image))
      v.push(`${name}: image ${s.image} not pinned`);
    for (const dep of Object.keys(s.depends_on ?? {})) {
      if (!services[dep]) v.push(`${name}: depends_on unknown service ${dep}`);
      else if (services[dep].profiles && !s.profiles)
        v.push(`${name}: depends on ${dep} which is only in a profile`);
    }
  }
  return v;
}

/** Slim bases, the service's port exposed, BuildKit cache mounts. */
export function dockerfileTemplateViolations(
  content: string,
  opts: { port: number },
): string[] {
  const v: string[] = [];
  const df = DockerfileParser.parse(content);
  const stages = new Set<string>();
  for (const f of df.getFROMs()) {
    const image = f.getImage() ?? '';
    if (!stages.has(image) && !/(alpine|slim)/.test(image))
      v.push(`FROM ${image}: not a slim/alpine base`);
    const stage = f.getBuildStage();
    if (stage) stages.add(stage);
  }
  // the last stage is the shipped image
  const froms = df.getFROMs();
  const lastLine = froms[froms.length - 1].getRange().start.line;
  const all = df.getInstructions();
  const expose = all
    .filter(i => i.getRange().start.line >= lastLine)
    .filter(i => i.getKeyword() === 'EXPOSE')
    .map(i => i.getArgumentsContent() ?? '')
    .join(' ');
  if (!expose.split(/\s+/).includes(String(opts.port)))
    v.push(`final stage does not EXPOSE ${opts.port}`);
  if (
    !all.some(
      i =>
        i.getKeyword() === 'RUN' &&
        /--mount=type=cache/.test(i.getTextContent()),
    )
  )
    v.push('no BuildKit cache mounts');
  return v;
}
