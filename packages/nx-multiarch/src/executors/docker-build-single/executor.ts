import type { ExecutorContext } from '../../devkit';
import { logger } from '../../devkit';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSingleEnvLayer, resolveOptions } from '../../config/resolve';
import { buildSingleSchema, DEFAULTS } from '../../config/schemas';
import { selectEngine } from '../../engines/detect';
import { validateDockerfileFile } from '../../dockerfile/validate';
import type { Engine, RemoteBuilder, SingleRequest } from '../../engines/types';
import type { DryRunReport } from '../../plan/dry-run-report';
import { isDryRun } from '../../run/dry-run';
import { kindLoadStep, kindTarget, type KindTarget } from '../../kind/kind-load';
import { run } from '../../run/exec';
import { normaliseRemoteUrl } from '../../git/source-url';
import { formatPlatform, hostPlatform, parsePlatform } from '../../image/platform';
import { formatReference } from '../../image/reference';
import { buildRequest } from '../../plan/build';
import { imageReference } from '../../plan/reference';
import { projectInfo, reportErrors, taskName } from '../context';
import { engineNote, engineVersion, printDryRun, runPlan } from '../shared';
import { locateSources, mainTag, secretFiles, sourceRevision } from '../sources';

export function resolveBuildSingleOptions(options: Record<string, unknown>, context: ExecutorContext, env = process.env) {
  const defaults = { engine: DEFAULTS.engine, imageName: DEFAULTS.imageName };
  const resolved = resolveOptions(buildSingleSchema, options, context, defaults, [buildSingleEnvLayer(env)]);
  return { ...resolved, platform: formatPlatform(parsePlatform(resolved.platform ?? hostPlatform())) };
}

const KIND_VERSION = { argv: ['kind', 'version'], description: 'is kind installed (checked before building)' };

/** What a real run would run; the same Dockerfile copy docker-build gives podman, so both share layer cache keys. */
async function dryRunReport(
  context: ExecutorContext,
  engine: Engine,
  request: SingleRequest,
  kind: KindTarget | undefined,
): Promise<DryRunReport> {
  const notes = [engineNote(engine)];
  const prepared = await engine.prepare(request, { project: context.projectName!, workspaceRoot: context.root });
  const plan = engine.planSingle(prepared.request);
  const archive = join(tmpdir(), 'nx-multiarch-kind-<random>', 'image.tar');
  if (kind)
    notes.push(`KIND cluster ${kind.cluster} (${kind.reason}); the archive is saved into a temporary folder of the real run's own.`);
  const steps = kind
    ? [KIND_VERSION, ...plan.steps, engine.saveArchive(request.reference, archive, request.remote), kindLoadStep(archive, kind.cluster)]
    : plan.steps;
  return { task: taskName(context), steps, files: prepared.files, notes };
}

/** One platform, loaded into the engine's local store: for running and debugging, so never cached. */
export default async function dockerBuildSingle(options: Record<string, unknown>, context: ExecutorContext) {
  return reportErrors(async () => {
    const resolved = resolveBuildSingleOptions(options, context);
    const dryRun = isDryRun(resolved.dryRun, context, false);
    const project = projectInfo(context);
    const engine = selectEngine(resolved.engine ?? 'auto');
    const reference = formatReference(imageReference(project, resolved, false), await mainTag(project, resolved.tag));
    const sources = locateSources(project, resolved);
    validateDockerfileFile(sources.dockerfile, project.workspaceRoot, resolved.target);
    const revision = await sourceRevision(project.workspaceRoot, sources);
    const secrets = secretFiles(project.workspaceRoot, resolved.secrets);
    const request = {
      ...buildRequest(project, resolved, { ...sources, secrets }, revision, normaliseRemoteUrl(resolved.sourceUrl)),
      platform: resolved.platform,
      reference,
    };
    const kind = kindTarget(resolved.kind);
    if (dryRun) return printDryRun(await dryRunReport(context, engine, request, kind));
    // Before building: kind missing must not cost a build.
    if (kind) await run(KIND_VERSION, { cwd: project.workspaceRoot });
    await engineVersion(engine, project.workspaceRoot, request.dockerfile);
    const prepared = await engine.prepare(request, { project: project.name, workspaceRoot: project.workspaceRoot });
    await runPlan(engine.planSingle(prepared.request), project.workspaceRoot, (line) =>
      process.stdout.write(`[${resolved.platform}] ${line}\n`),
    );
    logger.info(`\n${project.name}: ${resolved.platform} image loaded as ${reference} (run it: ${engine.name} run --rm ${reference})`);
    if (kind) await loadIntoKind(engine, reference, resolved.platform, kind, request.remote, project.workspaceRoot);
  });
}

/** KIND can't load manifest lists (kind#3795): a single-platform docker-archive goes in instead. */
async function loadIntoKind(
  engine: Engine,
  reference: string,
  platform: string,
  kind: KindTarget,
  remote: RemoteBuilder | undefined,
  cwd: string,
) {
  logger.info(`KIND cluster ${kind.cluster} (${kind.reason}): loading the ${platform} image alone, as KIND cannot load manifest lists.`);
  const scratch = await mkdtemp(join(tmpdir(), 'nx-multiarch-kind-'));
  try {
    const archive = join(scratch, 'image.tar');
    await runPlan(
      { steps: [engine.saveArchive(reference, archive, remote), kindLoadStep(archive, kind.cluster)], cleanup: [] },
      cwd,
      (line) => process.stdout.write(`[kind] ${line}\n`),
    );
    logger.info(`${reference} is in KIND cluster ${kind.cluster}.`);
  } finally {
    await rm(scratch, { recursive: true, force: true });
  }
}
