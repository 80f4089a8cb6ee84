import type { PreTasksExecution } from '../devkit';
import { DEFAULTS } from '../config/defaults';
import { DRY_RUN_ENV, dryRunFlag, namesTarget } from '../run/dry-run';

const TARGET_NAME_OPTIONS = ['buildTargetName', 'buildSingleTargetName', 'pushTargetName', 'manifestTargetName', 'lintTargetName'] as const;

/** This registration's target names; the hook must never throw, so a bad option falls back to the default name. */
export function targetNames(options: unknown): string[] {
  const given = (options ?? {}) as Record<string, unknown>;
  return TARGET_NAME_OPTIONS.map((key) => (typeof given[key] === 'string' && given[key] ? (given[key] as string) : DEFAULTS[key]));
}

/**
 * Nx hashes every task before it runs any, and hands --dry-run only to the task it was given to: a dependency (the
 * docker-build of a docker-push, a base image's build) would build for real, and a dry run's result would be cached.
 * No executor result keeps Nx from caching a success, and `dependsOn` with `params: "forward"` would hand the build
 * every push flag too (--tag in its hash: no more cache hits from a build run without it). So before Nx hashes, this
 * marks the whole command a dry run for the plugin's executors and turns Nx's cache off for it. Nx 20-24
 * (tasks-runner/run-command.js) call this hook, apply the env it sets (through a Proxy when it runs in a plugin worker
 * or the daemon: loaded-nx-plugin.js), and only then read NX_SKIP_NX_CACHE into skipNxCache, which stops cache reads
 * and writes (task-orchestrator.js, postRunSteps). Only for a command line that names one of this plugin's targets:
 * another plugin's --dry-run keeps its cache. `context.argv` is there from Nx 21; Nx 20 runs this hook in nx's own
 * process, where process.argv is nx's, only without the daemon and plugin isolation.
 */
export const preTasksExecution: PreTasksExecution = (options, context) => {
  const args = ((context as { argv?: string[] } | undefined)?.argv ?? process.argv).slice(2);
  if (dryRunFlag(args) !== true || !namesTarget(args, targetNames(options))) return;
  process.env[DRY_RUN_ENV] = 'true';
  process.env.NX_SKIP_NX_CACHE = 'true';
};
