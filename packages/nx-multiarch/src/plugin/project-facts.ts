import { basename, join } from 'node:path';
import { DEFAULTS } from '../config/defaults';
import type { PluginOptions } from '../config/schemas';
import { DOCKERFILE_NAMES, isPluginExecutor, PROJECT_FILE } from '../core/conventions';
import { fillPattern, normalisePath } from '../core/paths';
import type { WorkspaceFiles } from './workspace-files';

/** What the plugin needs to know about a project before inferring its targets: read from its project.json, cheaply. */
export interface ProjectFacts {
  root: string;
  name: string;
  tags: string[];
  /** workspace-relative path of its project.json, when it has one */
  projectJson?: string;
  /** Options project.json gives its docker-build target (only when that target is this plugin's or names no executor). */
  build: { dockerfile?: string; context?: string; buildArgs?: Record<string, string> };
  /** The imageName project.json gives its docker-build-single target: the image other Dockerfiles build FROM. */
  imageName?: string;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a project.json or package.json, read as it is
function readJson(files: WorkspaceFiles, path: string): Record<string, any> | undefined {
  const text = files.read(path);
  if (text === undefined) return undefined;
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new Error(`${path} is not valid JSON: ${(error as Error).message}`, { cause: error });
  }
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a target of that project.json
const isOurs = (target: Record<string, any> | undefined) => !target?.executor || isPluginExecutor(String(target.executor));

export function readProjectFacts(files: WorkspaceFiles, root: string, options: PluginOptions): ProjectFacts {
  const projectJsonPath = normalisePath(join(root, PROJECT_FILE));
  const projectJson = readJson(files, projectJsonPath);
  const packageJson = projectJson?.name ? undefined : readJson(files, normalisePath(join(root, 'package.json')));
  const name: string = projectJson?.name ?? packageJson?.name ?? basename(root);
  const targets = projectJson?.targets ?? {};
  const build = targets[options.buildTargetName ?? DEFAULTS.buildTargetName];
  const buildOptions = isOurs(build) ? (build?.options ?? {}) : {};
  const single = targets[options.buildSingleTargetName ?? DEFAULTS.buildSingleTargetName];
  const path = (value: unknown) => (typeof value === 'string' && value.length > 0 ? fillPattern(value, name, root) : undefined);
  const dockerfile = path(buildOptions.dockerfile);
  return {
    root,
    name,
    tags: projectJson?.tags ?? [],
    projectJson: projectJson ? projectJsonPath : undefined,
    build: {
      dockerfile: dockerfile && normalisePath(dockerfile),
      context: path(buildOptions.context),
      buildArgs: buildOptions.buildArgs,
    },
    imageName: isOurs(single) && typeof single?.options?.imageName === 'string' ? single.options.imageName : undefined,
  };
}

/** Where the plugin looks for a project's Dockerfile, in order: its dockerfile patterns, then the project root. */
export function dockerfileCandidates(root: string, name: string, patterns: string | string[] | undefined): string[] {
  return [
    ...[patterns ?? []].flat().map((pattern) => normalisePath(fillPattern(pattern, name, root))),
    ...DOCKERFILE_NAMES.map((file) => normalisePath(`${root}/${file}`)),
  ];
}

export interface ImageSource {
  dockerfile: string;
  context: string;
}

/**
 * The Dockerfile and context of a project: what its project.json names, else the first existing candidate; undefined
 * when it has none (no image). A Dockerfile or context that project.json names and that does not exist is an error:
 * the user asked for that file, and a project silently losing its targets would hide the typo.
 */
export function locateImageSource(files: WorkspaceFiles, facts: ProjectFacts, options: PluginOptions): ImageSource | undefined {
  const named = facts.build.dockerfile;
  const exists = (path: string) => files.exists(normalisePath(path));
  const buildTarget = options.buildTargetName ?? DEFAULTS.buildTargetName;
  const missing = (option: string, path: string, fix: string) =>
    new Error(`${facts.projectJson}: targets["${buildTarget}"].options.${option} names "${path}", which does not exist. ${fix}`);
  if (named && !exists(named)) {
    const inRoot = `a Dockerfile or Containerfile in ${facts.root}`;
    const fallback = options.dockerfile
      ? `the plugin's dockerfile option (${[options.dockerfile].flat().join(', ')}), else ${inRoot}`
      : inRoot;
    throw missing(
      'dockerfile',
      named,
      `Give the Dockerfile's path relative to the workspace root, or remove the option to use ${fallback}.`,
    );
  }
  const dockerfile = named ?? dockerfileCandidates(facts.root, facts.name, options.dockerfile).find(exists);
  if (!dockerfile) return undefined;
  if (facts.build.context !== undefined && !exists(facts.build.context)) {
    throw missing(
      'context',
      facts.build.context,
      'Give an existing folder relative to the workspace root ("." is the workspace root), or remove the option.',
    );
  }
  const context = facts.build.context ?? (options.context ? fillPattern(options.context, facts.name, facts.root) : facts.root);
  return { dockerfile, context };
}
