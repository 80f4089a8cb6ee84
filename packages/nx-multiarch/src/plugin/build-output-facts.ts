/** What the uncovered/undepended-build-output rules need to know, read off the project graph docker-lint runs in. */
import { getOutputsForTargetAndConfiguration, type ProjectGraph, type TargetConfiguration } from '../devkit';
import { covers, gitIgnoreOf, ignoredCopies } from './build-outputs';
import { diskFiles } from './workspace-files';
import { isPluginExecutor } from '../core/conventions';
import { normalisePath } from '../core/paths';
import type { LintInput } from '../lint/meta';

type DependsOn = NonNullable<TargetConfiguration['dependsOn']>;

/** Every `project:target` (not ours) whose declared outputs hold or lie inside `path`. */
function producersOf(graph: ProjectGraph, path: string): string[] {
  const producers: string[] = [];
  for (const node of Object.values(graph.nodes)) {
    for (const [target, config] of Object.entries(node.data.targets ?? {})) {
      if (isPluginExecutor(config.executor)) continue;
      let outputs: string[];
      try {
        outputs = getOutputsForTargetAndConfiguration({ project: node.name, target }, {}, node);
      } catch {
        continue; // outputs Nx itself can't resolve say nothing about this path
      }
      if (outputs.some((output) => !output.startsWith('!') && covers(normalisePath(output), path)))
        producers.push(`${node.name}:${target}`);
    }
  }
  return producers.sort();
}

/** Whether a dependsOn list (Nx's forms: "t", "^t", { target, projects, dependencies }) reaches `project:target`. */
export function dependsOnTask(dependsOn: DependsOn, self: string, task: string): boolean {
  const [project, target] = task.split(':');
  return dependsOn.some((entry) => {
    if (typeof entry === 'string')
      return entry.startsWith('^') ? project !== self && entry.slice(1) === target : project === self && entry === target;
    if (entry.target !== target) return false;
    if (entry.projects !== undefined) return ([] as string[]).concat(entry.projects).includes(project);
    return entry.dependencies ? project !== self : project === self;
  });
}

export function buildOutputFacts(
  graph: ProjectGraph,
  projectName: string,
  workspaceRoot: string,
  context: string,
): Pick<LintInput, 'copiedBuildOutput' | 'buildTarget'> {
  const targets = graph.nodes[projectName]?.data.targets ?? {};
  const [buildTarget, build] = Object.entries(targets).find(([, config]) => isPluginExecutor(config.executor, 'docker-build')) ?? [];
  const isIgnored = gitIgnoreOf(diskFiles(workspaceRoot));
  return {
    buildTarget,
    copiedBuildOutput: (source) => {
      const [path] = ignoredCopies([source], context, isIgnored);
      if (!path) return undefined;
      const producers = producersOf(graph, path);
      return { path, producers, dependedOn: producers.some((task) => dependsOnTask(build?.dependsOn ?? [], projectName, task)) };
    },
  };
}
