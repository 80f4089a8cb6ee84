import type { z } from 'zod';
import type { ExecutorContext } from '../devkit';
import { parseReference, validateTag } from '../image/reference';
import { parsePlatformList, platformFromArch } from '../image/platform';
import { OptionsError } from '../core/errors';

type Layer = Record<string, unknown> | undefined;

/** Later layers win; undefined values never override. Order: defaults < nx.json < project.json < env < CLI. */
export function mergeLayers(...layers: Layer[]): Record<string, unknown> {
  const merged: Record<string, unknown> = {};
  for (const layer of layers) {
    for (const [key, value] of Object.entries(layer ?? {})) if (value !== undefined) merged[key] = value;
  }
  return merged;
}

/** The value an issue is about, as written in JSON, when the message does not already show it (long ones shortened). */
function shownInput(issue: z.core.$ZodIssue): string {
  if (issue.input === undefined) return '';
  const json = JSON.stringify(issue.input) ?? String(issue.input);
  const shown = json.length > 80 ? `${json.slice(0, 77)}...` : json;
  return issue.message.includes(shown) || issue.message.includes(String(issue.input)) ? '' : ` (got ${shown})`;
}

export function parseOptions<S extends z.ZodType>(schema: S, value: unknown, where: string): z.infer<S> {
  const result = schema.safeParse(value, { reportInput: true });
  if (result.success) return result.data;
  const lines = result.error.issues.map((issue) => {
    const path = issue.path.join('.');
    if (issue.code === 'unrecognized_keys')
      return `unknown option(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}: remove them or check the spelling`;
    return `${path ? `option "${path}": ` : ''}${issue.message}${shownInput(issue)}`;
  });
  throw new OptionsError(`Invalid options for ${where}:\n  - ${lines.join('\n  - ')}`);
}

/** Target options as configured (inferred from nx.json plugin options, merged with project.json), without CLI flags. */
export function configuredOptions(context: ExecutorContext): Record<string, unknown> {
  const target = context.projectsConfigurations.projects[context.projectName!]?.targets?.[context.targetName!];
  const configuration = context.configurationName ? target?.configurations?.[context.configurationName] : undefined;
  return { ...(target?.options ?? {}), ...(configuration ?? {}) };
}

/**
 * Nx hands executors one merged options object. What differs from the configured options came from the command line;
 * splitting them lets environment variables sit between project.json and the CLI in precedence.
 */
export function splitOptions(options: Record<string, unknown>, context: ExecutorContext) {
  const configured = configuredOptions(context);
  const cli: Record<string, unknown> = {};
  for (const [rawKey, value] of Object.entries(options)) {
    if (rawKey.startsWith('__')) continue;
    const key = rawKey.replace(/-([a-z])/g, (_, c: string) => c.toUpperCase());
    if (JSON.stringify(configured[key]) !== JSON.stringify(value)) cli[key] = value;
  }
  return { configured, cli };
}

/**
 * The one way every executor resolves its options. Later layers win: the executor's defaults, the configured options
 * (inferred from the nx.json plugin options, project.json merged over them), the environment variables it reads,
 * then the command line; the schema then checks the result, its errors naming project:target.
 */
export function resolveOptions<S extends z.ZodType>(
  schema: S,
  options: Record<string, unknown>,
  context: ExecutorContext,
  defaults: Layer,
  envLayers: Layer[] = [],
): z.infer<S> {
  const { configured, cli } = splitOptions(options, context);
  return parseOptions(schema, mergeLayers(defaults, configured, ...envLayers, cli), `${context.projectName}:${context.targetName}`);
}

function parseBooleanEnv(name: string, value: string): boolean {
  if (/^(true|1|yes)$/i.test(value)) return true;
  if (/^(false|0|no)$/i.test(value)) return false;
  throw new OptionsError(`Invalid ${name}="${value}": use true or false.`);
}

type Env = Record<string, string | undefined>;
const present = (value: string | undefined): value is string => value !== undefined && value !== '';

/** Makefile-convention variables, mapped onto option names (the "env" layer). */
export function buildEnvLayer(env: Env): Record<string, unknown> {
  if (present(env.PLATFORMS)) {
    try {
      parsePlatformList(env.PLATFORMS);
    } catch (error) {
      throw new OptionsError(
        `Invalid PLATFORMS="${env.PLATFORMS}": ${(error as Error).message} PLATFORMS is a comma list, e.g. PLATFORMS=linux/amd64,linux/arm64.`,
      );
    }
  }
  return {
    platforms: present(env.PLATFORMS) ? env.PLATFORMS : undefined,
    multiArch: present(env.MULTI_ARCH) ? parseBooleanEnv('MULTI_ARCH', env.MULTI_ARCH) : undefined,
  };
}

/** IMG sets the whole reference ([registry/]name[:tag]); IMAGE_TAG sets the tag. */
export function referenceEnvLayer(env: Env): Record<string, unknown> {
  const layer: Record<string, unknown> = {};
  if (present(env.IMG)) {
    let ref;
    try {
      ref = parseReference(env.IMG);
    } catch (error) {
      throw new OptionsError(`Invalid IMG="${env.IMG}": ${(error as Error).message}`);
    }
    layer.registry = ref.registry;
    layer.imageName = ref.repository;
    if (ref.tag) layer.tag = ref.tag;
  }
  if (present(env.IMAGE_TAG)) {
    try {
      layer.tag = validateTag(env.IMAGE_TAG);
    } catch (error) {
      throw new OptionsError(`Invalid IMAGE_TAG="${env.IMAGE_TAG}": ${(error as Error).message}`);
    }
  }
  return layer;
}

export function buildSingleEnvLayer(env: Env): Record<string, unknown> {
  const layer = referenceEnvLayer(env);
  if (present(env.TARGETARCH)) {
    try {
      layer.platform = platformFromArch(env.TARGETARCH);
    } catch (error) {
      throw new OptionsError(`Invalid TARGETARCH="${env.TARGETARCH}": ${(error as Error).message}`);
    }
  }
  return layer;
}
