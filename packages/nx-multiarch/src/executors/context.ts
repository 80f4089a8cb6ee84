import type { ExecutorContext } from '../devkit';
import { logger } from '../devkit';
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { defaultOutputPath, isPluginExecutor } from '../core/conventions';
import type { ProjectInfo } from '../core/project';
import { InterruptedError } from '../core/errors';
import { handleInterrupts, interruptedBy, throwIfInterrupted } from '../run/interrupt';

export function projectInfo(context: ExecutorContext): ProjectInfo {
  const name = context.projectName;
  if (!name) throw new Error('This executor must run on a project (nx run <project>:<target>).');
  const config = context.projectsConfigurations.projects[name];
  const packageJson = join(context.root, config.root, 'package.json');
  const version = existsSync(packageJson) ? (JSON.parse(readFileSync(packageJson, 'utf8')).version as string | undefined) : undefined;
  return { name, root: config.root, workspaceRoot: context.root, tags: config.tags ?? [], version };
}

/** The task as Nx names it: project:target[:configuration]. */
export const taskName = (context: ExecutorContext) =>
  [context.projectName, context.targetName, context.configurationName].filter(Boolean).join(':');

/** Turns any error into a readable message and { success: false }, so Nx exits non-zero. */
export async function reportErrors(work: () => Promise<void>): Promise<{ success: boolean }> {
  const releaseInterrupts = handleInterrupts();
  try {
    await work();
    throwIfInterrupted();
    return { success: true };
  } catch (error) {
    const signal = interruptedBy();
    logger.error(`\n${signal ? new InterruptedError(signal).message : ((error as Error).message ?? String(error))}`);
    if (process.env.NX_VERBOSE_LOGGING === 'true' && error instanceof Error) logger.error(error.stack ?? '');
    return { success: false };
  } finally {
    releaseInterrupts();
  }
}

export function outputDirFor(project: ProjectInfo, outputPath: string | undefined): string {
  return resolve(project.workspaceRoot, outputPath ?? defaultOutputPath(project.root));
}

/**
 * Where a project's docker-build target writes: its outputPath option (from the configuration this run uses, such as
 * a per-arch one, when the build target has it), else the default. Push and base images read it.
 */
export function buildOutputOf(context: ExecutorContext, projectName: string): string {
  const config = context.projectsConfigurations.projects[projectName];
  const build = Object.values(config.targets ?? {}).find((t) => isPluginExecutor(t.executor, 'docker-build'));
  const configured = context.configurationName ? build?.configurations?.[context.configurationName]?.outputPath : undefined;
  return resolve(context.root, (configured ?? build?.options?.outputPath ?? defaultOutputPath(config.root)) as string);
}
