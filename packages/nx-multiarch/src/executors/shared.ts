import { logger } from '../devkit';
import type { Engine, Plan } from '../engines/types';
import { pathOf } from '../run/path';
import { formatDryRun, type DryRunReport } from '../plan/dry-run-report';
import { commandIsDryRun } from '../run/dry-run';
import { formatArgv, run, type RunResult } from '../run/exec';
import { CommandFailedError } from '../core/errors';
import { interruptedBy, throwIfInterrupted } from '../run/interrupt';

/** Asks the engine its version, refuses unsupported ones, and warns about known engine quirks the Dockerfile would hit. */
export async function engineVersion(engine: Engine, cwd: string, dockerfile: string): Promise<string> {
  const answer = await run(engine.versionStep, { cwd, allowFailure: engine.versionMayFail });
  const version = answer.exitCode === 0 ? engine.parseVersion(answer.all) : 'unknown';
  engine.assertSupported(version);
  await warnAbout(engine, cwd, dockerfile, version);
  return version;
}

/** The engine's warnings about this Dockerfile (a dry run passes a version it did not ask). */
export async function warnAbout(engine: Engine, cwd: string, dockerfile: string, version: string): Promise<void> {
  for (const warning of await engine.preflight(dockerfile, cwd, version)) logger.warn(warning);
}

export function printDryRun(report: DryRunReport): void {
  logger.info(formatDryRun({ ...report, notes: [...report.notes, cacheNote()] }));
}

/** How Nx's cache treats this dry run (see hooks/dry-run-hook.ts). */
function cacheNote(): string {
  if (commandIsDryRun())
    return 'Nx neither reads nor writes its cache in this command (the plugin turned it off for the dry run): a real run may restore a task from the cache instead of running its commands.';
  return 'Only this task is a dry run (Nx did not tell the plugin before hashing: Nx 20 with the daemon or isolated plugins), so Nx may cache its result under its --dry-run options; that entry never stands in for a real run and holds no image.';
}

/** A dry run asks the engine nothing: what it knows comes from PATH alone. */
export function engineNote(engine: Engine): string {
  return `${engine.name} is ${pathOf(engine.name) ?? engine.name} (found on PATH); its version was not asked (an engine command): the plan is the same for every version the plugin supports (${engine.supported}), and a real run refuses others.`;
}

const ATTEMPTS = 3;

/**
 * An interrupted task is stopped by nx too: its killProcessTreeGraceful sends SIGTERM to the processes of a snapshot
 * of the task's tree, leaves first, and nx takes more than one snapshot, so a clean-up command the interrupt started
 * (`podman manifest rm`) can be one of them and die before it removed anything (seen here, with the list left behind).
 * podman 4.3 stopped that way exits 0 and prints nothing, so "did nothing" is what is checked: every clean-up step
 * prints what it removed, or an error when there was nothing. After an interrupt a step that ended by a signal, or
 * exited 0 silently, runs again, three attempts in all: within nx's grace period (NX_PROCESS_KILL_GRACE_PERIOD, 5 s by
 * default) before it kills what is left with SIGKILL.
 */
async function runCleanup(plan: Plan, cwd: string): Promise<void> {
  for (const step of plan.cleanup) {
    for (let attempt = 1; attempt <= ATTEMPTS; attempt++) {
      const result = await run(step, { cwd, allowFailure: true }).catch(() => undefined);
      if (!interruptedBy() || !stoppedBeforeItsWork(result)) break;
    }
  }
}

const stoppedBeforeItsWork = (result: RunResult | undefined) =>
  result !== undefined && (result.signal !== undefined || (result.exitCode === 0 && result.all.trim() === ''));

/**
 * Runs the plan's steps in order, then its cleanup steps (whatever happened, or only after a failure when the plan says
 * its steps clean up themselves); a known transient engine failure (plan.retry) restarts the plan.
 */
export async function runPlan(plan: Plan, cwd: string, onLine: (line: string, stepIndex: number) => void): Promise<void> {
  for (let attempt = 1; ; attempt++) {
    let succeeded = false;
    try {
      for (const [index, step] of plan.steps.entries()) {
        if (step.onlyOnRetry && attempt === 1) continue;
        throwIfInterrupted();
        logger.info(`> ${formatArgv(step.argv)}`);
        await run(step, { cwd, onLine: (line) => onLine(line, index) });
      }
      // podman stopped by the interrupt's SIGTERM exits 0, so the last step "succeeding" is no proof it did its work
      throwIfInterrupted();
      succeeded = true;
      return;
    } catch (error) {
      throwIfInterrupted();
      if (!(error instanceof CommandFailedError) || !plan.retry?.on.test(error.output) || attempt === ATTEMPTS) throw error;
      logger.warn(`${plan.retry.reason}; starting again (attempt ${attempt + 1} of ${ATTEMPTS}).`);
    } finally {
      if (!succeeded || !plan.cleanupAfterFailureOnly) await runCleanup(plan, cwd);
    }
  }
}
