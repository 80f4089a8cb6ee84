/**
 * The ExecutorContext Nx hands an executor, for the executor specs that call executors directly on a throwaway
 * workspace. Specs only: not built into dist (tsconfig.lib.json excludes it).
 */
import type { ExecutorContext } from '../devkit';

/** A function that makes the context of `project:target[:configurationName]` in the workspace at `root`. */
export function executorContextsIn(root: string, projects: Record<string, unknown>) {
  return (project: string, target: string, configurationName?: string, taskGraph?: unknown): ExecutorContext =>
    ({
      root,
      cwd: root,
      projectName: project,
      targetName: target,
      configurationName,
      isVerbose: false,
      taskGraph,
      projectsConfigurations: { version: 2, projects },
      nxJsonConfiguration: {},
      projectGraph: { nodes: {}, dependencies: {} },
    }) as unknown as ExecutorContext;
}
