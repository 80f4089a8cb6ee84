import type { ExecutorContext } from '../devkit';
import { logger } from '../devkit';
import { DryRunNotReachedError } from '../core/errors';

/**
 * Set (with NX_SKIP_NX_CACHE) by the plugin's preTasksExecution hook when the nx command line asks for a dry run of one
 * of the plugin's targets: every task of that command, dependencies included, then plans and runs nothing.
 */
export const DRY_RUN_ENV = 'NX_MULTIARCH_DRY_RUN';

type Env = Record<string, string | undefined>;

/** What the command line says about --dry-run / --dryRun, read as Nx reads a boolean flag; undefined when it says nothing. */
export function dryRunFlag(args: readonly string[]): boolean | undefined {
  let value: boolean | undefined;
  for (const [index, arg] of args.entries()) {
    if (/^--no-dry-?run$/i.test(arg)) value = false;
    const match = /^--dry-?run(?:=(.*))?$/i.exec(arg);
    if (!match) continue;
    const given = match[1] ?? (/^(true|false)$/i.test(args[index + 1] ?? '') ? args[index + 1] : 'true');
    value = !/^false$/i.test(given);
  }
  return value;
}

/** Whether the command line names one of these targets (`run p:t[:c]`, `-t a,b`, `--targets=a`, `nx t p`). */
export function namesTarget(args: readonly string[], targets: readonly string[]): boolean {
  return args.some((arg) => arg.split(/[=,:]/).some((piece) => targets.includes(piece)));
}

/** A dry run of the whole nx command: every task's env says so, and Nx neither reads nor writes its cache. */
export function commandIsDryRun(env: Env = process.env): boolean {
  return env[DRY_RUN_ENV] === 'true' && env.NX_SKIP_NX_CACHE === 'true';
}

type TaskContext = Pick<ExecutorContext, 'projectName' | 'targetName' | 'configurationName' | 'taskGraph'>;
/** As Nx names tasks: project:target[:configuration]. */
const taskIdOf = (context: TaskContext) => [context.projectName, context.targetName, context.configurationName].filter(Boolean).join(':');
const edgeId = (edge: string | { id: string }) => (typeof edge === 'string' ? edge : edge.id);
const asksDryRun = (overrides: Record<string, unknown> | undefined) =>
  [overrides?.dryRun, overrides?.['dry-run']].some((value) => value === true || value === 'true');

/** Tasks of this nx command that depend on this task (directly or not) and were given --dry-run. */
export function dryRunDependents(context: TaskContext): string[] {
  const graph = context.taskGraph;
  if (!graph) return [];
  const dependents = new Map<string, string[]>();
  for (const [id, edges] of Object.entries(graph.dependencies ?? {})) {
    for (const edge of edges as Array<string | { id: string }>) dependents.set(edgeId(edge), [...(dependents.get(edgeId(edge)) ?? []), id]);
  }
  const seen = new Set<string>();
  const queue = [...(dependents.get(taskIdOf(context)) ?? [])];
  while (queue.length > 0) {
    const id = queue.shift()!;
    if (seen.has(id)) continue;
    seen.add(id);
    queue.push(...(dependents.get(id) ?? []));
  }
  return [...seen].filter((id) => asksDryRun(graph.tasks[id]?.overrides));
}

/** Why a task another dry run depends on was not told so. */
function notReached(self: string, dependents: string[]): string {
  const many = dependents.length > 1;
  return (
    `${dependents.join(', ')} ${many ? 'are dry runs that depend' : 'is a dry run that depends'} on ${self}, but this nx command did not tell the plugin ` +
    `it is one before Nx hashed its tasks, so ${self} would run and be cached for real`
  );
}

/**
 * Whether this task plans instead of running: its own --dry-run, or a dry run of the whole command. A task another dry
 * run depends on that was not told so is refused rather than run for real (which would also be cached under the real
 * hash). With NX_CACHE_FAILURES=true a refusal of a cached target would be replayed to real runs, so it runs instead.
 */
export function isDryRun(own: boolean | undefined, context: TaskContext, cacheable: boolean, env: Env = process.env): boolean {
  if (own || commandIsDryRun(env)) return true;
  const dependents = dryRunDependents(context);
  if (dependents.length === 0) return false;
  const self = taskIdOf(context);
  if (cacheable && env.NX_CACHE_FAILURES === 'true') {
    logger.warn(
      `${notReached(self, dependents)}. It runs for real: with NX_CACHE_FAILURES=true a refusal would be replayed to later real runs.`,
    );
    return false;
  }
  throw new DryRunNotReachedError(notReached(self, dependents), dependents[0]);
}
