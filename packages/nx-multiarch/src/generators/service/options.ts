/** The service generator's options, checked and normalised. Every error names the rule broken and the bad value. */
import { posix } from 'node:path';
import { getProjects, type Tree } from '../../devkit';
import { InvalidPlatformError } from '../../core/errors';
import { parsePlatformList } from '../../image/platform';
import { DOCKERFILE_NAMES } from '../../core/conventions';
import { splitList } from '../shared';
import { visitNotIgnoredFiles } from '../tree-files';
import { defaultName, resolveProjectRoot } from './project-root';
import type { ServiceGeneratorSchema, ServiceLanguage } from './schema';

export const LANGUAGES: readonly ServiceLanguage[] = ['go', 'node', 'python', 'static'];
export const DEFAULT_PORT = 8080;
const MAX_LABEL = 63;

export interface ServiceOptions {
  name: string;
  language: ServiceLanguage;
  projectRoot: string;
  port: number;
  platforms?: string[];
  tags: string[];
}

const DNS_LABEL_RULE =
  "The name becomes the project, image and Kubernetes name, so it must be a DNS-1123 label: lowercase letters, digits and '-', at most 63 characters, starting with a letter and not ending with '-'.";

/** Each DNS-1123 label rule the name breaks, in words (empty when it is a valid label). */
export function dnsLabelProblems(name: string): string[] {
  if (name.length === 0) return ['it is empty'];
  const problems: string[] = [];
  if (name.length > MAX_LABEL) problems.push(`it is ${name.length} characters long, more than ${MAX_LABEL}`);
  // An uppercase first letter is reported by the character rule below.
  if (!/^[a-zA-Z]/.test(name)) problems.push(`it must start with a letter, not ${JSON.stringify(name[0])}`);
  const bad = [...new Set(name.match(/[^a-z0-9-]/g) ?? [])];
  if (bad.length > 0) {
    const upper = bad.some((c) => /[A-Z]/.test(c)) ? ' (uppercase letters are not allowed)' : '';
    problems.push(`it may contain only lowercase letters, digits and '-', not ${bad.map((c) => JSON.stringify(c)).join(', ')}${upper}`);
  }
  if (name.endsWith('-')) problems.push("it must not end with '-'");
  return problems;
}

/** A valid label close to the given name, when there is one (lowercase, other characters to '-'). */
function suggestion(name: string): string | undefined {
  const guess = name
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, '-')
    .replace(/^[^a-z]+/, '')
    .slice(0, MAX_LABEL)
    .replace(/-+$/, '');
  return guess && guess !== name && dnsLabelProblems(guess).length === 0 ? guess : undefined;
}

/** `from` says where the name came from when it was not given as --name (its folder). */
export function validateName(name: unknown, from?: string): string {
  if (typeof name !== 'string')
    throw new Error(`Invalid service name ${JSON.stringify(name)}: give it with --name, or leave --name out to use the folder's name.`);
  const problems = dnsLabelProblems(name);
  if (problems.length === 0) return name;
  const hint = suggestion(name);
  const source = from ? ` (the last segment of ${from}; --name gives another)` : '';
  throw new Error(`Invalid service name "${name}"${source}: ${problems.join('; ')}. ${DNS_LABEL_RULE}${hint ? ` Try "${hint}".` : ''}`);
}

export function validateLanguage(language: unknown = 'go'): ServiceLanguage {
  if (LANGUAGES.includes(language as ServiceLanguage)) return language as ServiceLanguage;
  throw new Error(`Unknown language ${JSON.stringify(language)}: use one of ${LANGUAGES.join(', ')}.`);
}

export function validatePort(port: unknown = DEFAULT_PORT): number {
  const value = typeof port === 'string' && /^\s*\d+\s*$/.test(port) ? Number(port) : port;
  if (typeof value === 'number' && Number.isInteger(value) && value >= 1 && value <= 65535) return value;
  throw new Error(`Invalid port ${JSON.stringify(port)}: a port is a whole number from 1 to 65535.`);
}

export function validatePlatforms(platforms: string | string[] | undefined): string[] | undefined {
  if (platforms === undefined) return undefined;
  try {
    return parsePlatformList(platforms);
  } catch (error) {
    if (error instanceof InvalidPlatformError) throw new Error(`--platforms: ${error.message}`, { cause: error });
    throw error;
  }
}

export function validateTags(tags: string | string[] | undefined, language: ServiceLanguage): string[] {
  const extra = splitList(tags);
  const bad = extra.find((tag) => /\s/.test(tag));
  if (bad !== undefined)
    throw new Error(
      `Invalid tag ${JSON.stringify(bad)}: a tag has no spaces; give several as a comma list, e.g. --tags=scope:payments,team:core.`,
    );
  return [...new Set(['type:service', `lang:${language}`, ...extra])];
}

/**
 * Refuses a name an existing project has (project.json, package.json, or a folder the plugin infers from a Dockerfile,
 * found the way the plugin finds them: ignored files left out) and an existing folder.
 */
export function assertFree(tree: Tree, name: string, projectRoot: string): void {
  const projects = getProjects(tree);
  const existing = projects.get(name);
  if (existing)
    throw new Error(`A project named "${name}" already exists (in ${existing.root || '.'}): choose another name (--name) or folder.`);
  const configured = new Set([...projects.values()].map((p) => p.root));
  let inferred: string | undefined;
  visitNotIgnoredFiles(tree, '', (file) => {
    const root = posix.dirname(file);
    if (inferred === undefined && DOCKERFILE_NAMES.includes(posix.basename(file)) && posix.basename(root) === name && !configured.has(root))
      inferred = root;
  });
  if (inferred !== undefined) {
    throw new Error(
      `A project named "${name}" already exists (the nx-multiarch plugin infers it from ${inferred}): choose another name (--name) or folder.`,
    );
  }
  if (tree.exists(projectRoot)) throw new Error(`The folder ${projectRoot} already exists: choose another folder.`);
}

export function normaliseOptions(tree: Tree, schema: ServiceGeneratorSchema): ServiceOptions {
  const language = validateLanguage(schema.language);
  const projectRoot = resolveProjectRoot(schema.directory, schema.name);
  const name = schema.name === undefined ? validateName(defaultName(projectRoot), projectRoot) : validateName(schema.name);
  const port = validatePort(schema.port);
  const platforms = validatePlatforms(schema.platforms);
  const tags = validateTags(schema.tags, language);
  assertFree(tree, name, projectRoot);
  return { name, language, projectRoot, port, platforms, tags };
}
