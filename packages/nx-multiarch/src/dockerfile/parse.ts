import type { Instruction } from 'dockerfile-ast';
import { textDigest } from '../core/digest';

export interface Stage {
  /** FROM image as written, e.g. ${BASE_IMAGE} */
  image: string;
  name?: string;
  platform?: string;
  /** 1-based line of the FROM */
  line: number;
}

export interface ParsedDockerfile {
  stages: Stage[];
  /** ARGs declared before the first FROM, with their defaults */
  globalArgs: Record<string, string | undefined>;
  /** context-relative sources of COPY/ADD without --from (remote ADD URLs left out), in order */
  copySources: string[];
}

/** COPY/ADD arguments in shell form or JSON form; the last one is the destination. */
export function sourcesOf(instruction: Instruction): string[] {
  const args = instruction.getArguments().map((a) => a.getValue());
  const joined = args.join(' ');
  let values = args;
  if (joined.startsWith('[')) {
    try {
      values = JSON.parse(joined) as string[];
    } catch {
      values = args; // not valid JSON: Docker treats it as shell form too
    }
  }
  return values.slice(0, -1).filter((source) => !/^[a-z][a-z0-9+.-]*:\/\//i.test(source) && !source.startsWith('git@'));
}

function parseUncached(text: string): ParsedDockerfile {
  // loaded on first use: a project graph served from the inference cache parses nothing, and loading costs ~10 ms
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { DockerfileParser } = require('dockerfile-ast') as typeof import('dockerfile-ast');
  const dockerfile = DockerfileParser.parse(text);
  const globalArgs: Record<string, string | undefined> = {};
  for (const arg of dockerfile.getInitialARGs()) {
    const property = arg.getProperty();
    if (property) globalArgs[property.getName()] = property.getValue() ?? undefined;
  }
  const stages = dockerfile.getFROMs().map((from) => ({
    image: from.getImage() ?? '',
    name: from.getBuildStage() ?? undefined,
    platform: from.getPlatformFlag()?.getValue() ?? undefined,
    line: from.getRange().start.line + 1,
  }));
  const copySources = dockerfile
    .getInstructions()
    .filter((i) => ['COPY', 'ADD'].includes(i.getKeyword().toUpperCase()))
    .filter((i) => !('getFromFlag' in i) || !(i as unknown as { getFromFlag(): unknown }).getFromFlag())
    .filter((i) => !(i.getKeyword().toUpperCase() === 'ADD' && /--from=/.test(i.getRawArgumentsContent() ?? '')))
    .flatMap(sourcesOf);
  return { stages, globalArgs, copySources };
}

const cache = new Map<string, ParsedDockerfile>();

/** A parse the inference cache kept, for the text whose textDigest this is: createDependencies parses the same files. */
export function rememberParsed(digest: string, parsed: ParsedDockerfile): void {
  if (!cache.has(digest)) cache.set(digest, parsed);
}

/** Parses once per distinct content: the project graph asks for the same Dockerfiles again and again. */
export function parseDockerfile(text: string): ParsedDockerfile {
  const key = textDigest(text);
  let parsed = cache.get(key);
  if (!parsed) {
    parsed = parseUncached(text);
    cache.set(key, parsed);
  }
  return parsed;
}

/** ${NAME}, ${NAME:-default} and $NAME, from build args first, then the Dockerfile's global ARG defaults. */
export function substituteArgs(
  value: string,
  globalArgs: Record<string, string | undefined>,
  buildArgs: Record<string, string> = {},
): string {
  return value.replace(/\$\{([A-Za-z_][A-Za-z0-9_]*)(?::-([^}]*))?\}|\$([A-Za-z_][A-Za-z0-9_]*)/g, (_, braced, fallback, bare) => {
    const name = braced ?? bare;
    return buildArgs[name] ?? globalArgs[name] ?? fallback ?? '';
  });
}

/** The base images of the final image and every stage it copies from, resolved, without stage names and scratch. */
export function baseImages(parsed: ParsedDockerfile, buildArgs: Record<string, string> = {}): string[] {
  const stageNames = new Set(parsed.stages.map((s) => s.name?.toLowerCase()).filter(Boolean));
  const images = parsed.stages
    .map((stage) => substituteArgs(stage.image, parsed.globalArgs, buildArgs))
    .filter((image) => image && image !== 'scratch' && !stageNames.has(image.toLowerCase()));
  return [...new Set(images)];
}
