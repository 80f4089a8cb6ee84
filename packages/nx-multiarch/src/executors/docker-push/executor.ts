import type { ExecutorContext } from '../../devkit';
import { logger } from '../../devkit';
import { join, relative, resolve } from 'node:path';
import { referenceEnvLayer, resolveOptions } from '../../config/resolve';
import { DEFAULTS, pushSchema } from '../../config/schemas';
import { formatReference, isLoopbackRegistry } from '../../image/reference';
import { archKey, formatPlatform, hostPlatform, parsePlatform } from '../../image/platform';
import { LAYOUT_DIR, pushRecordPath } from '../../core/conventions';
import { readRecord, summaryTable, type ImageRecord } from '../../image/record';
import { recordPush } from '../../image/push-record';
import { verifyRemote, type RemoteState } from '../../registry/verify';
import { allTags, archTag, imageReference } from '../../plan/reference';
import { inspectStep, pushSteps, rejectedManifestType, type PushMode, type PushTarget } from '../../registry/skopeo';
import type { DryRunReport } from '../../plan/dry-run-report';
import { isDryRun } from '../../run/dry-run';
import { runWithRetry } from '../../run/retry';
import { CommandFailedError, PushVerificationError } from '../../core/errors';
import type { ProjectInfo } from '../../core/project';
import { buildOutputOf, projectInfo, reportErrors, taskName } from '../context';
import { printDryRun } from '../shared';
import { mainTag } from '../sources';

export function resolvePushOptions(options: Record<string, unknown>, context: ExecutorContext, env = process.env) {
  const defaults = { imageName: DEFAULTS.imageName, latest: DEFAULTS.latest, allowSingleArchFallback: DEFAULTS.allowSingleArchFallback };
  return resolveOptions(pushSchema, options, context, defaults, [referenceEnvLayer(env)]);
}

interface Pushed {
  mode: PushMode;
  remote: RemoteState;
}

async function pushAs(mode: PushMode, layoutDir: string, target: PushTarget, record: ImageRecord, cwd: string): Promise<Pushed> {
  for (const step of pushSteps(layoutDir, target, mode)) {
    logger.info(`> ${step.argv.join(' ')}`);
    await runWithRetry(step, { cwd, onLine: (line) => process.stdout.write(`[push] ${line}\n`) });
  }
  const name = formatReference(target.reference);
  let remote: RemoteState | undefined;
  for (const tag of target.tags) {
    remote = await verifyRemote(name, tag, record, mode, target.tlsVerify, cwd);
    if (remote.problems.length > 0)
      throw new PushVerificationError(`Verification of ${name}:${tag} failed:\n  - ${remote.problems.join('\n  - ')}`);
  }
  return { mode, remote: remote! };
}

/** OCI index first; a registry that rejects its media type gets a Docker v2s2 list, and failing that the host platform alone. */
async function pushWithFallback(layoutDir: string, target: PushTarget, record: ImageRecord, cwd: string): Promise<Pushed> {
  const registry = target.reference.registry;
  try {
    return await pushAs({ kind: 'index' }, layoutDir, target, record, cwd);
  } catch (error) {
    if (!(error instanceof CommandFailedError) || !rejectedManifestType(error.output)) throw error;
  }
  logger.warn(`${registry} rejected the OCI image index; retrying as a Docker v2s2 manifest list.`);
  try {
    return await pushAs({ kind: 'v2s2' }, layoutDir, target, record, cwd);
  } catch (error) {
    if (!(error instanceof CommandFailedError) || !rejectedManifestType(error.output)) throw error;
  }
  const host = hostPlatform();
  if (!record.platforms.some((p) => p.platform === host)) {
    throw new Error(`${registry} rejects manifest lists, and the build has no ${host} image to push alone. Nothing was pushed.`);
  }
  logger.warn(`${registry} rejected the Docker manifest list too; pushing ${host} alone.`);
  return pushAs({ kind: 'single', platform: host }, layoutDir, target, record, cwd);
}

/** Per-arch runners: this platform's image as built (same digest), under <tag><suffix> for every tag. docker-manifest stitches them. */
const archTarget = (target: PushTarget, platform: string, suffix: string = DEFAULTS.archTagSuffix): PushTarget => ({
  ...target,
  tags: target.tags.map((tag) => archTag(tag, suffix, platform)),
});

async function pushOnePlatform(
  value: string,
  suffix: string | undefined,
  outputDir: string,
  target: PushTarget,
  record: ImageRecord,
  project: ProjectInfo,
) {
  const platform = formatPlatform(parsePlatform(value));
  if (!record.platforms.some((p) => p.platform === platform)) {
    const built = record.platforms.map((p) => p.platform).join(', ');
    throw new Error(
      `The build output ${outputDir} holds ${built}, not ${platform}: build it first (nx run ${project.name}:docker-build -c ${archKey(platform)}).`,
    );
  }
  const perArch = archTarget(target, platform, suffix);
  const { remote } = await pushAs(
    { kind: 'platform', platform },
    join(outputDir, record.layout.path),
    perArch,
    record,
    project.workspaceRoot,
  );
  const references = perArch.tags.map((tag) => formatReference(target.reference, tag));
  await recordPush(
    project,
    { references, mode: 'platform', arch: archKey(platform) },
    { digest: remote.digest, platforms: remote.platforms },
  );
  logger.info(
    `\nPushed and verified ${platform} ${remote.digest} as ${references.join(', ')}; stitch the list with docker-manifest once every arch is pushed.`,
  );
}

/** What a real push runs: the copies, then the read-backs; the build output is not read (its build may be a dry run too). */
function dryRunReport(
  context: ExecutorContext,
  layoutDir: string,
  target: PushTarget,
  platformOption: string | undefined,
  suffix: string | undefined,
): DryRunReport {
  const platform = platformOption ? formatPlatform(parsePlatform(platformOption)) : undefined;
  const pushed = platform ? archTarget(target, platform, suffix) : target;
  const mode: PushMode = platform ? { kind: 'platform', platform } : { kind: 'index' };
  const readBacks = pushed.tags.map((tag) => inspectStep(formatReference(pushed.reference, tag), pushed.tlsVerify));
  const notes = [
    `It pushes the build output in ${relative(context.root, layoutDir)}; a real run first reads its image.json and checks it holds ${platform ?? 'the platforms it lists'}.`,
    platform
      ? `The read-back must show ${platform} alone, by the digest it was built with.`
      : `The read-back must show the index and every platform by the digests image.json records. If ${target.reference.registry} rejects the OCI index, a real run pushes a Docker v2s2 list instead (--format v2s2), and failing that the host platform alone.`,
    `A real run then writes ${relative(context.root, pushRecordPath(context.root, context.projectsConfigurations.projects[context.projectName!].root, platform && archKey(platform)))}.`,
  ];
  return { task: taskName(context), steps: [...pushSteps(layoutDir, pushed, mode), ...readBacks], notes };
}

export default async function dockerPush(options: Record<string, unknown>, context: ExecutorContext) {
  return reportErrors(async () => {
    const resolved = resolvePushOptions(options, context);
    const dryRun = isDryRun(resolved.dryRun, context, false);
    const project = projectInfo(context);
    const reference = imageReference(project, resolved, true);
    const tags = allTags(await mainTag(project, resolved.tag), resolved.tags, resolved.latest);
    const target: PushTarget = { reference, tags, tlsVerify: resolved.tlsVerify ?? !isLoopbackRegistry(reference.registry) };
    const outputDir = resolved.inputPath ? resolve(project.workspaceRoot, resolved.inputPath) : buildOutputOf(context, project.name);
    const layoutDir = join(outputDir, LAYOUT_DIR);
    if (!target.tlsVerify && !isLoopbackRegistry(reference.registry)) {
      logger.warn(
        `TLS verification is off for ${reference.registry} (tlsVerify: false): anyone on the network path can read or change what is pushed.`,
      );
    }
    if (dryRun) return printDryRun(dryRunReport(context, layoutDir, target, resolved.platform, resolved.archTagSuffix));

    const record = await readRecord(outputDir);
    if (resolved.platform) return pushOnePlatform(resolved.platform, resolved.archTagSuffix, outputDir, target, record, project);
    const references = tags.map((tag) => formatReference(reference, tag));
    const { mode, remote } = await pushWithFallback(join(outputDir, record.layout.path), target, record, project.workspaceRoot).catch(
      async (error) => {
        // The status report (--check) reads this: a failed verification must not leave the last good record standing.
        if (error instanceof PushVerificationError) await recordPush(project, { references, mode: 'index' }, { problems: [error.message] });
        throw error;
      },
    );
    await recordPush(project, { references, mode: mode.kind }, { digest: remote.digest, platforms: remote.platforms });
    if (mode.kind === 'single') {
      const skipped = record.platforms.map((p) => p.platform).filter((p) => p !== mode.platform);
      const warning = `${reference.registry} rejects manifest lists: pushed only ${mode.platform} to ${references.join(', ')}; NOT pushed: ${skipped.join(', ')}.`;
      if (!resolved.allowSingleArchFallback) throw new Error(`${warning} Set allowSingleArchFallback: true to accept a single-arch image.`);
      logger.warn(warning);
      return;
    }
    if (mode.kind === 'v2s2') {
      const landed = remote.platforms.map((p) => `  ${p.platform.padEnd(14)} ${p.digest}`).join('\n');
      logger.info(`\nPushed and verified ${references.join(', ')} as a Docker v2s2 manifest list ${remote.digest}\n${landed}`);
      return;
    }
    logger.info(`\nPushed and verified ${references.join(', ')}\n${summaryTable(record)}`);
  });
}
