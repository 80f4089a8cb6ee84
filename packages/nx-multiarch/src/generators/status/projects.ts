/**
 * Which projects the status page covers: every project of the project graph with a target whose executor is
 * nx-multiarch:docker-build (target names are configurable, so the executor decides), with its targets as the graph
 * has them: the plugin's inferred targets with project.json merged over them by Nx, bare Dockerfile folders, and
 * whatever other plugins add. The page never infers or merges targets itself; its unit tests mock the graph.
 */
import {
  createProjectGraphAsync,
  readProjectsConfigurationFromProjectGraph,
  type ProjectGraph,
  type TargetConfiguration,
} from '../../devkit';
import { DEPRECATED_TAG, isPluginExecutor } from '../../core/conventions';
import { normalisePath } from '../../core/paths';

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

/** Every project of the workspace's project graph (the workspace Nx runs in: under `nx g`, the tree's). */
export async function graphProjects(): Promise<StatusProject[]> {
  let graph: ProjectGraph;
  try {
    graph = await createProjectGraphAsync({ exitOnError: false });
  } catch (error) {
    throw new Error(`The status page lists the projects of the project graph, and it could not be created: ${(error as Error).message}`, {
      cause: error,
    });
  }
  return Object.entries(readProjectsConfigurationFromProjectGraph(graph).projects).map(([name, config]) => ({
    name,
    root: config.root,
    tags: config.tags ?? [],
    targets: config.targets ?? {},
  }));
}

/** The projects the page covers (those with a docker-build target), by name. */
export const withBuildTarget = (projects: StatusProject[]): StatusProject[] =>
  projects.filter((project) => buildTargetOf(project) !== undefined).sort((a, b) => a.name.localeCompare(b.name));

export function joinPath(...parts: string[]): string {
  return normalisePath(parts.filter((part) => part !== '' && part !== '.').join('/'));
}
