import type { ExecutorContext } from '@nx/devkit';
import { logger } from '@nx/devkit';
import { buildSingleEnvLayer, mergeLayers, parseOptions } from '../../config/resolve';
import { buildSingleSchema, DEFAULTS } from '../../config/schemas';
import { selectEngine } from '../../engines/detect';
import { originUrl } from '../../git/info';
import { formatPlatform, hostPlatform, parsePlatform } from '../../image/platform';
import { formatReference } from '../../image/reference';
import { buildRequest, locateSources } from '../../plan/build';
import { imageReference, mainTag } from '../../plan/reference';
import { projectInfo, reportErrors, splitOptions } from '../context';
import { engineVersion, printDryRun, runPlan, sourceRevision } from '../shared';

export function resolveBuildSingleOptions(options: Record<string, unknown>, context: ExecutorContext, env = process.env) {
  const { configured, cli } = splitOptions(options, context);
  const defaults = { engine: DEFAULTS.engine, imageName: DEFAULTS.imageName };
  const resolved = parseOptions(buildSingleSchema, mergeLayers(defaults, configured, buildSingleEnvLayer(env), cli), `${context.projectName}:${context.targetName}`);
  return { ...resolved, platform: formatPlatform(parsePlatform(resolved.platform ?? hostPlatform())) };
}

/** One platform, loaded into the engine's local store: for running and debugging, so never cached. */
export default async function dockerBuildSingle(options: Record<string, unknown>, context: ExecutorContext) {
  return reportErrors(async () => {
    const resolved = resolveBuildSingleOptions(options, context);
    const project = projectInfo(context);
    const engine = selectEngine(resolved.engine ?? 'auto');
    const reference = formatReference(imageReference(project, resolved, false), await mainTag(project, resolved.tag));
    const sources = locateSources(project, resolved);
    const revision = await sourceRevision(project.workspaceRoot, sources);
    const request = { ...buildRequest(project, resolved, sources, revision, await originUrl(project.workspaceRoot)), platform: resolved.platform, reference };
    const plan = engine.planSingle(request);
    if (resolved.dryRun) return printDryRun(plan.steps);
    await engineVersion(engine, project.workspaceRoot, request.dockerfile);
    await runPlan(plan, project.workspaceRoot, (line) => process.stdout.write(`[${resolved.platform}] ${line}\n`));
    logger.info(`\n${project.name}: ${resolved.platform} image loaded as ${reference} (run it: ${engine.name} run --rm ${reference})`);
  });
}
