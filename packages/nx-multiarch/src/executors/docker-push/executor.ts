import type { ExecutorContext } from '@nx/devkit';
import { logger } from '@nx/devkit';
import { join, resolve } from 'node:path';
import { mergeLayers, parseOptions, referenceEnvLayer } from '../../config/resolve';
import { DEFAULTS, pushSchema } from '../../config/schemas';
import { formatReference, isLoopbackRegistry } from '../../image/reference';
import { hostPlatform } from '../../image/platform';
import { readRecord, summaryTable, type ImageRecord } from '../../image/record';
import { verifyRemote } from '../../image/verify';
import { allTags, imageReference, mainTag } from '../../plan/reference';
import { pushSteps, rejectedManifestType, type PushMode, type PushTarget } from '../../plan/push';
import { run } from '../../run/exec';
import { CommandFailedError } from '../../run/errors';
import { projectInfo, reportErrors, splitOptions } from '../context';
import { outputDirFor } from '../docker-build/executor';
import { printDryRun } from '../shared';

export function resolvePushOptions(options: Record<string, unknown>, context: ExecutorContext, env = process.env) {
  const { configured, cli } = splitOptions(options, context);
  const defaults = { imageName: DEFAULTS.imageName, latest: DEFAULTS.latest, allowSingleArchFallback: DEFAULTS.allowSingleArchFallback };
  return parseOptions(pushSchema, mergeLayers(defaults, configured, referenceEnvLayer(env), cli), `${context.projectName}:${context.targetName}`);
}

class PushVerificationError extends Error {}

async function pushAs(mode: PushMode, layoutDir: string, target: PushTarget, record: ImageRecord, cwd: string): Promise<void> {
  for (const step of pushSteps(layoutDir, target, mode)) {
    logger.info(`> ${step.argv.join(' ')}`);
    await run(step, { cwd, onLine: (line) => process.stdout.write(`[push] ${line}\n`) });
  }
  const name = formatReference(target.reference);
  for (const tag of target.tags) {
    const problems = await verifyRemote(name, tag, record, mode, target.tlsVerify, cwd);
    if (problems.length > 0) throw new PushVerificationError(`Verification of ${name}:${tag} failed:\n  - ${problems.join('\n  - ')}`);
  }
}

export default async function dockerPush(options: Record<string, unknown>, context: ExecutorContext) {
  return reportErrors(async () => {
    const resolved = resolvePushOptions(options, context);
    const project = projectInfo(context);
    const reference = imageReference(project, resolved, true);
    const tags = allTags(await mainTag(project, resolved.tag), resolved.tags, resolved.latest);
    const target: PushTarget = { reference, tags, tlsVerify: resolved.tlsVerify ?? !isLoopbackRegistry(reference.registry) };
    const outputDir = resolved.inputPath ? resolve(project.workspaceRoot, resolved.inputPath) : outputDirFor(project, undefined);
    const layoutDir = join(outputDir, 'oci');
    if (resolved.dryRun) return printDryRun(pushSteps(layoutDir, target, { kind: 'index' }));
    if (!target.tlsVerify && !isLoopbackRegistry(reference.registry)) logger.warn(`TLS verification is off for ${reference.registry} (tlsVerify: false).`);

    const record = await readRecord(outputDir);
    try {
      await pushAs({ kind: 'index' }, join(outputDir, record.layout.path), target, record, project.workspaceRoot);
    } catch (error) {
      if (!(error instanceof CommandFailedError) || !rejectedManifestType(error.output)) throw error;
      logger.warn(`${reference.registry} rejected the OCI image index; retrying as a Docker v2s2 manifest list.`);
      try {
        await pushAs({ kind: 'v2s2' }, join(outputDir, record.layout.path), target, record, project.workspaceRoot);
      } catch (second) {
        if (!(second instanceof CommandFailedError) || !rejectedManifestType(second.output)) throw second;
        const host = hostPlatform();
        const skipped = record.platforms.map((p) => p.platform).filter((p) => p !== host);
        await pushAs({ kind: 'single', platform: host }, join(outputDir, record.layout.path), target, record, project.workspaceRoot);
        const warning = `${reference.registry} rejects manifest lists: pushed only ${host} to ${tags.join(', ')}; NOT pushed: ${skipped.join(', ')}.`;
        if (!resolved.allowSingleArchFallback) throw new Error(`${warning} Set allowSingleArchFallback: true to accept a single-arch image.`);
        logger.warn(warning);
        return;
      }
    }
    logger.info(`\nPushed and verified ${tags.map((tag) => formatReference(reference, tag)).join(', ')}\n${summaryTable(record)}`);
  });
}
