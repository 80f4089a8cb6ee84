import type { ExecutorContext } from '../../devkit';
import { logger } from '../../devkit';
import { randomBytes } from 'node:crypto';
import { buildEnvLayer, mergeLayers, parseOptions, referenceEnvLayer } from '../../config/resolve';
import { DEFAULTS, manifestSchema } from '../../config/schemas';
import { selectEngine } from '../../engines/detect';
import { describeIndex, INDEX_MEDIA_TYPES } from '../../image/oci-layout';
import { parsePlatformList } from '../../image/platform';
import { formatReference, isLoopbackRegistry } from '../../image/reference';
import { pushRecordPath, writePushRecord } from '../../image/push-record';
import { readRemoteManifest } from '../../image/verify';
import { remoteBuilderOf } from '../../plan/build';
import { allTags, archTag, imageReference, mainTag } from '../../plan/reference';
import { inspectArchImage, listFormatFor, stitchProblems, type ArchImage } from '../../plan/stitch';
import { projectInfo, reportErrors, splitOptions } from '../context';
import { printDryRun, runPlan } from '../shared';

export function resolveManifestOptions(options: Record<string, unknown>, context: ExecutorContext, env = process.env) {
  const { configured, cli } = splitOptions(options, context);
  const defaults = { imageName: DEFAULTS.imageName, latest: DEFAULTS.latest, archTagSuffix: DEFAULTS.archTagSuffix, engine: DEFAULTS.engine };
  const layers = mergeLayers(defaults, configured, { platforms: buildEnvLayer(env).platforms }, referenceEnvLayer(env), cli);
  const resolved = parseOptions(manifestSchema, layers, `${context.projectName}:${context.targetName}`);
  return { ...resolved, platforms: parsePlatformList(resolved.platforms ?? DEFAULTS.platforms) };
}

type Found = Extract<ArchImage, { state: 'ok' }>;

/** Reads every tag back: a list of exactly the per-arch images, digest for digest. */
async function verifyStitched(name: string, tags: string[], images: Found[], tlsVerify: boolean, cwd: string): Promise<string> {
  let digest = '';
  for (const tag of tags) {
    const remote = await readRemoteManifest(`${name}:${tag}`, tlsVerify, cwd);
    const problems: string[] = [];
    if (!remote) problems.push('the tag is missing');
    else if (!INDEX_MEDIA_TYPES.includes(remote.json.mediaType)) problems.push(`it is not a manifest list (${remote.json.mediaType})`);
    else {
      const listed = describeIndex(remote.json);
      for (const image of images) {
        const entry = listed.find((p) => p.platform === image.platform);
        if (entry?.digest !== image.digest) problems.push(`${image.platform} is ${entry?.digest ?? 'absent'}, expected ${image.digest}`);
      }
      if (listed.length !== images.length) problems.push(`it lists ${listed.length} images, expected ${images.length}`);
      digest = remote.digest;
    }
    if (problems.length > 0) throw new Error(`Verification of ${name}:${tag} failed:\n  - ${problems.join('\n  - ')}`);
  }
  return digest;
}

/**
 * Stitches <tag> from the per-arch tags (<tag>-amd64, <tag>-arm64, ...) that per-arch runners pushed with docker-push -c <arch>:
 * checks each exists and is the platform it claims, then pushes the list last, so the tag never points to a partial list.
 */
export default async function dockerManifest(options: Record<string, unknown>, context: ExecutorContext) {
  return reportErrors(async () => {
    const resolved = resolveManifestOptions(options, context);
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
    if (resolved.dryRun) {
      const sources = resolved.platforms.map((platform) => `${name}:${archTagOf(platform)}`);
      return printDryRun(engine.planStitch({ ...request, sources, format: 'oci' }).steps);
    }

    const cwd = project.workspaceRoot;
    const images = await Promise.all(resolved.platforms.map((platform) => inspectArchImage(name, archTagOf(platform), platform, tlsVerify, cwd)));
    const problems = stitchProblems(project.name, `${name}:${tags[0]}`, images);
    if (problems) throw new Error(problems);
    const found = images as Found[];
    for (const image of found) logger.info(`${image.platform.padEnd(14)} ${image.reference} ${image.digest}`);

    const plan = engine.planStitch({ ...request, sources: found.map((image) => `${name}@${image.digest}`), format: listFormatFor(found) });
    await runPlan(plan, cwd, (line) => process.stdout.write(`[stitch] ${line}\n`));
    const digest = await verifyStitched(name, tags, found, tlsVerify, cwd);
    await writePushRecord(pushRecordPath(cwd, project.root), {
      project: project.name,
      references: request.destinations,
      mode: 'stitched',
      digest,
      platforms: found.map((image) => ({ platform: image.platform, digest: image.digest })),
      verifiedAt: new Date().toISOString(),
    });
    logger.info(`\nStitched and verified ${request.destinations.join(', ')} ${digest} from ${found.map((image) => image.reference).join(', ')}`);
  });
}
