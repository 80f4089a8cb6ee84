/**
 * Which projects the status page covers: every project with a target whose executor is nx-multiarch:docker-build
 * (target names are configurable, so the executor decides), with its merged target configuration.
 *
 * In a real workspace (`nx g` runs on a tree rooted at the workspace) the project graph is the truth: it holds the
 * inferred targets with project.json merged over them, bare Dockerfile folders, and whatever other plugins add.
 * On any other tree (the virtual trees of unit tests, where the graph would describe the real disk instead of the
 * tree) the same inference is applied to the tree: project.json projects, the plugin's Dockerfile lookup and its
 * targetsFor(), with project.json targets merged over the inferred ones as Nx merges them.
 */
import {
  createProjectGraphAsync,
  getProjects,
  logger,
  readProjectsConfigurationFromProjectGraph,
  workspaceRoot,
  type ProjectConfiguration,
  type TargetConfiguration,
  type Tree,
} from '../../devkit';
import { resolve } from 'node:path';
import { parseOptions } from '../../config/resolve';
import { DEFAULTS, pluginSchema, type PluginOptions } from '../../config/schemas';
import { DEPRECATED_TAG, isPluginExecutor, PLUGIN_NAME } from '../../core/conventions';
import { normalisePath } from '../../core/paths';
import { targetsFor } from '../../plugin/create-nodes';
import { dockerfileCandidates } from '../../plugin/project-facts';
import { registeredOptions } from '../shared';

export interface StatusProject {
  name: string;
  root: string;
  tags: string[];
  targets: Record<string, TargetConfiguration>;
}

export const buildTargetOf = (project: StatusProject): [string, TargetConfiguration] | undefined =>
  Object.entries(project.targets)
    .sort(([a], [b]) => a.localeCompare(b))
    .find(([, target]) => isPluginExecutor(target.executor, 'docker-build'));

export const isDeprecated = (project: StatusProject): boolean => project.tags.includes(DEPRECATED_TAG);

const toStatusProject = (name: string, config: ProjectConfiguration): StatusProject => ({
  name,
  root: config.root,
  tags: config.tags ?? [],
  targets: config.targets ?? {},
});

/** Nx's merge of a project.json target over an inferred one: options and each configuration merged shallowly. */
export function mergeTarget(inferred: TargetConfiguration | undefined, explicit: TargetConfiguration): TargetConfiguration {
  if (!inferred) return explicit;
  if (explicit.executor && inferred.executor && explicit.executor !== inferred.executor) return explicit;
  const configurations: Record<string, Record<string, unknown>> = { ...(inferred.configurations ?? {}) };
  for (const [name, options] of Object.entries(explicit.configurations ?? {})) configurations[name] = { ...(configurations[name] ?? {}), ...options };
  return {
    ...inferred,
    ...explicit,
    options: { ...(inferred.options ?? {}), ...(explicit.options ?? {}) },
    configurations,
  };
}

function pluginOptions(tree: Tree): PluginOptions | undefined {
  const raw = registeredOptions(tree);
  if (raw === undefined) return undefined;
  try {
    return parseOptions(pluginSchema, raw, `the ${PLUGIN_NAME} plugin options in nx.json`);
  } catch (error) {
    logger.warn(`${(error as Error).message}\nThe status page infers no targets until they are fixed.`);
    return undefined;
  }
}

/** The plugin's inference applied to the tree's project.json projects (no bare Dockerfile folders: those need the graph). */
export function projectsFromTree(tree: Tree): StatusProject[] {
  const options = pluginOptions(tree);
  const projects: StatusProject[] = [];
  for (const [name, config] of getProjects(tree)) {
    const tags = config.tags ?? [];
    let inferred: Record<string, TargetConfiguration> = {};
    if (options) {
      const named = config.targets?.[options.buildTargetName ?? DEFAULTS.buildTargetName]?.options?.dockerfile;
      const candidates = typeof named === 'string' ? [named] : dockerfileCandidates(config.root, name, options.dockerfile);
      const dockerfile = candidates.find((path) => tree.exists(path));
      if (dockerfile) inferred = targetsFor(config.root, { name, tags }, dockerfile, options);
    }
    const targets = { ...inferred };
    for (const [targetName, target] of Object.entries(config.targets ?? {})) targets[targetName] = mergeTarget(inferred[targetName], target);
    projects.push({ name, root: config.root, tags, targets });
  }
  return projects;
}

/** Every project as the project graph has it (inference and project.json merged). */
export async function projectsFromGraph(): Promise<StatusProject[]> {
  const graph = await createProjectGraphAsync({ exitOnError: false });
  return Object.entries(readProjectsConfigurationFromProjectGraph(graph).projects).map(([name, config]) => toStatusProject(name, config));
}

export type ProjectLoader = (tree: Tree) => Promise<StatusProject[]>;

/** The graph when the tree is the workspace on disk, else (or when the graph fails to build) inference on the tree. */
export const loadProjects: ProjectLoader = async (tree) => {
  if (resolve(tree.root) === resolve(workspaceRoot)) {
    try {
      return await projectsFromGraph();
    } catch (error) {
      logger.warn(`Could not create the project graph (${(error as Error).message}): reading project.json files and inferring targets instead.`);
    }
  }
  return projectsFromTree(tree);
};

/** The projects the page covers (those with a docker-build target), by name. */
export const withBuildTarget = (projects: StatusProject[]): StatusProject[] =>
  projects.filter((project) => buildTargetOf(project) !== undefined).sort((a, b) => a.name.localeCompare(b.name));

export function joinPath(...parts: string[]): string {
  return normalisePath(parts.filter((part) => part !== '' && part !== '.').join('/'));
}
