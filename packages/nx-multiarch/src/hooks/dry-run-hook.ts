import type { PreTasksExecution } from '../devkit';
import { DEFAULTS } from '../config/schemas';
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
 * Before Nx hashes, this marks the whole command a dry run for the plugin's executors, and has Nx neither read nor
 * write its cache for it (NX_SKIP_NX_CACHE, which Nx reads right after this hook). Only a command line that names one
 * of this plugin's targets: another plugin's --dry-run keeps its cache. `context.argv` is there from Nx 21; Nx 20 runs
 * this hook in nx's own process only without the daemon and plugin isolation, where process.argv is nx's.
 */
export const preTasksExecution: PreTasksExecution = (options, context) => {
  const args = ((context as { argv?: string[] } | undefined)?.argv ?? process.argv).slice(2);
  if (dryRunFlag(args) !== true || !namesTarget(args, targetNames(options))) return;
  process.env[DRY_RUN_ENV] = 'true';
  process.env.NX_SKIP_NX_CACHE = 'true';
};
