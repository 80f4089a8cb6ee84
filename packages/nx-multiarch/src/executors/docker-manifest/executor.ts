import type { ExecutorContext } from '../../devkit';
import { logger } from '../../devkit';
import { randomBytes } from 'node:crypto';
import { buildEnvLayer, referenceEnvLayer, resolveOptions } from '../../config/resolve';
import { DEFAULTS, manifestSchema } from '../../config/schemas';
import { selectEngine } from '../../engines/detect';
import { parsePlatformList } from '../../image/platform';
import { formatReference, isLoopbackRegistry } from '../../image/reference';
import { pushRecordPath } from '../../core/conventions';
import { recordPush } from '../../image/push-record';
import { remoteBuilderOf } from '../../plan/build';
import { allTags, archTag, imageReference } from '../../plan/reference';
import { PushVerificationError } from '../../core/errors';
import { inspectArchImage, listFormatFor, stitchProblems, verifyStitched, type ArchImage } from '../../registry/stitch';
import { projectInfo, reportErrors, taskName } from '../context';
import { engineNote, printDryRun, runPlan } from '../shared';
import { mainTag } from '../sources';
import type { Engine, StitchRequest } from '../../engines/types';
import { configStep, inspectStep } from '../../registry/skopeo';
import type { DryRunReport } from '../../plan/dry-run-report';
import { isDryRun } from '../../run/dry-run';
import { relative } from 'node:path';

export function resolveManifestOptions(options: Record<string, unknown>, context: ExecutorContext, env = process.env) {
  const defaults = {
    imageName: DEFAULTS.imageName,
    latest: DEFAULTS.latest,
    archTagSuffix: DEFAULTS.archTagSuffix,
    engine: DEFAULTS.engine,
  };
  const resolved = resolveOptions(manifestSchema, options, context, defaults, [
    { platforms: buildEnvLayer(env).platforms },
    referenceEnvLayer(env),
  ]);
  return { ...resolved, platforms: parsePlatformList(resolved.platforms ?? DEFAULTS.platforms) };
}

type Found = Extract<ArchImage, { state: 'ok' }>;

/** What a real stitch runs; the per-arch digests are the registry's answers to its first commands, which a dry run does not ask. */
function dryRunReport(
  context: ExecutorContext,
  engine: Engine,
  request: Omit<StitchRequest, 'sources' | 'format'>,
  perArch: string[],
): DryRunReport {
  const digestOf = (reference: string) => `${reference.slice(0, reference.lastIndexOf(':'))}@<digest of ${reference}>`;
  const reads = perArch.flatMap((reference) => [
    inspectStep(reference, request.tlsVerify),
    configStep(digestOf(reference), request.tlsVerify),
  ]);
  const plan = engine.planStitch({ ...request, sources: perArch.map(digestOf), format: 'oci' });
  const readBacks = request.destinations.map((destination) => inspectStep(destination, request.tlsVerify));
  const notes = [
    engineNote(engine),
    'Each <digest of ...> is what the registry answers to the first commands: a real run checks every per-arch tag is one image of its platform, and stops before pushing anything if one is missing or wrong.',
    'The list format is oci, or v2s2 when the per-arch images are Docker v2s2 manifests (so no image is converted).',
    `${request.workName} is named after this process and a random part: a real run names its own. It then writes ${relative(context.root, pushRecordPath(context.root, context.projectsConfigurations.projects[context.projectName!].root))}.`,
  ];
  const cleanup = plan.cleanup.map((step) => ({ ...step, description: `${step.description} (after a failure too)` }));
  return { task: taskName(context), steps: [...reads, ...plan.steps, ...cleanup, ...readBacks], notes };
}

/**
 * Stitches <tag> from the per-arch tags (<tag>-amd64, <tag>-arm64, ...) that per-arch runners pushed with docker-push -c <arch>:
 * checks each exists and is the platform it claims, then pushes the list last, so the tag never points to a partial list.
 */
export default async function dockerManifest(options: Record<string, unknown>, context: ExecutorContext) {
  return reportErrors(async () => {
    const resolved = resolveManifestOptions(options, context);
    const dryRun = isDryRun(resolved.dryRun, context, false);
    const project = projectInfo(context);
    const engine = selectEngine(resolved.engine ?? 'auto');
    const reference = imageReference(project, resolved, true);
    const name = formatReference(reference);
    const tags = allTags(await mainTag(project, resolved.tag), resolved.tags, resolved.latest);
    const tlsVerify = resolved.tlsVerify ?? !isLoopbackRegistry(reference.registry);
    const archTagOf = (platform: string) => archTag(tags[0], resolved.archTagSuffix ?? DEFAULTS.archTagSuffix, platform);
    const request = {
      destinations: tags.map((tag) => formatReference(reference, tag)),
      tlsVerify,
      workName: `localhost/nx-multiarch-stitch/${project.name}:${process.pid}-${randomBytes(4).toString('hex')}`,
      remote: remoteBuilderOf(resolved),
    };
    // Options the engine cannot honour fail here, before the registry is read or anything is pushed (a dry run too).
    engine.assertStitchable?.(request);
    if (dryRun) {
      const perArch = resolved.platforms.map((platform) => `${name}:${archTagOf(platform)}`);
      return printDryRun(dryRunReport(context, engine, request, perArch));
    }

    const cwd = project.workspaceRoot;
    const images = await Promise.all(
      resolved.platforms.map((platform) => inspectArchImage(name, archTagOf(platform), platform, tlsVerify, cwd)),
    );
    const problems = stitchProblems(project.name, `${name}:${tags[0]}`, images);
    if (problems) throw new Error(problems);
    const found = images as Found[];
    for (const image of found) logger.info(`${image.platform.padEnd(14)} ${image.reference} ${image.digest}`);

    const plan = engine.planStitch({ ...request, sources: found.map((image) => `${name}@${image.digest}`), format: listFormatFor(found) });
    await runPlan(plan, cwd, (line) => process.stdout.write(`[stitch] ${line}\n`));
    const digest = await verifyStitched(name, tags, found, tlsVerify, cwd).catch(async (error) => {
      // As docker-push does: the status report (--check) reads this, so a failed verification must not leave the last good record standing.
      if (error instanceof PushVerificationError)
        await recordPush(project, { references: request.destinations, mode: 'stitched' }, { problems: [error.message] });
      throw error;
    });
    const platforms = found.map((image) => ({ platform: image.platform, digest: image.digest }));
    await recordPush(project, { references: request.destinations, mode: 'stitched' }, { digest, platforms });
    logger.info(
      `\nStitched and verified ${request.destinations.join(', ')} ${digest} from ${found.map((image) => image.reference).join(', ')}`,
    );
  });
}
