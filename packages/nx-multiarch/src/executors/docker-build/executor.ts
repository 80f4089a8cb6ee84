import type { ExecutorContext } from '../../devkit';
import { logger } from '../../devkit';
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import { buildEnvLayer, mergeLayers, parseOptions } from '../../config/resolve';
import { buildSchema, DEFAULTS, type BuildOptions } from '../../config/schemas';
import { selectEngine } from '../../engines/detect';
import { validateDockerfileFile } from '../../dockerfile/validate';
import { normaliseRemoteUrl } from '../../git/source-url';
import { readLayout, sortIndexByPlatform } from '../../image/oci-layout';
import { dropParentComments } from '../../image/history-comments';
import { assembleLayout } from '../../image/assemble-layout';
import { formatPlatform, hostPlatform, parsePlatform, parsePlatformList } from '../../image/platform';
import { LAYOUT_DIR, RECORD_FILE, summaryTable, type ImageRecord } from '../../image/record';
import { buildRequest, BuildInputError, locateSources } from '../../plan/build';
import { onInterrupt } from '../../run/interrupt';
import { PlatformProgress } from '../../run/progress';
import { outputDirFor, projectInfo, reportErrors, splitOptions, taskName } from '../context';
import { useWorkspaceBases } from '../workspace-bases';
import { podmanBuildFile } from '../podman-build-file';
import { engineNote, engineVersion, printDryRun, runPlan, sourceRevision, warnPlatformLeaks } from '../shared';
import type { Engine, MultiArchRequest } from '../../engines/types';
import type { DryRunFile, DryRunReport } from '../../plan/dry-run-report';
import { isDryRun } from '../../run/dry-run';
import { outputInContextWarning } from '../output-in-context';

export function resolveBuildOptions(options: Record<string, unknown>, context: ExecutorContext, env = process.env) {
  const { configured, cli } = splitOptions(options, context);
  const resolved = parseOptions(buildSchema, mergeLayers(DEFAULTS_FOR_BUILD, configured, buildEnvLayer(env), cli), `${context.projectName}:${context.targetName}`);
  const platforms = resolved.platform
    ? [formatPlatform(parsePlatform(resolved.platform))]
    : resolved.multiArch === false
      ? [hostPlatform()]
      : parsePlatformList(resolved.platforms ?? DEFAULTS.platforms);
  return { ...resolved, platforms };
}

const DEFAULTS_FOR_BUILD: BuildOptions = { engine: DEFAULTS.engine, platforms: [...DEFAULTS.platforms], multiArch: DEFAULTS.multiArch };

/** Partial folders of builds whose process is gone (killed with SIGKILL, say): never an output, only litter. */
async function removeAbandonedPartials(outputDir: string): Promise<void> {
  const prefix = `${basename(outputDir)}.partial-`;
  const names = await readdir(dirname(outputDir)).catch(() => [] as string[]);
  for (const name of names.filter((entry) => entry.startsWith(prefix))) {
    const pid = Number(name.slice(prefix.length).split('-')[0]);
    if (pid && !processAlive(pid)) await rm(join(dirname(outputDir), name), { recursive: true, force: true });
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** What a real run of this build would run, planned without asking the engine anything. */
async function dryRunReport(context: ExecutorContext, engine: Engine, request: MultiArchRequest, outputDir: string): Promise<DryRunReport> {
  const root = context.root;
  const notes = [engineNote(engine)];
  const files: DryRunFile[] = [];
  let engineRequest = request;
  if (engine.name === 'podman') {
    await warnPlatformLeaks(engine, root, request.dockerfile, '(version not asked)');
    const built = await podmanBuildFile(context.projectName!, root, request, (text) => useWorkspaceBases(context, text, request.buildArgs, true));
    engineRequest = { ...request, dockerfile: built.dockerfile, labels: built.labels };
    files.push(built.file);
    notes.push(...built.notes);
  }
  const plan = engine.planMultiArch(engineRequest);
  notes.push(
    `${request.workName} and ${relative(root, dirname(request.layoutDir))} are named after this process and a random part: a real run names its own, ` +
      `then writes image.json there and renames the folder to ${relative(root, outputDir)}.`,
  );
  return { task: taskName(context), steps: plan.steps, cleanup: plan.cleanup, files, notes };
}

export default async function dockerBuild(options: Record<string, unknown>, context: ExecutorContext) {
  return reportErrors(async () => {
    const resolved = resolveBuildOptions(options, context);
    const dryRun = isDryRun(resolved.dryRun, context, true);
    const project = projectInfo(context);
    const engine = selectEngine(resolved.engine ?? 'auto');
    const outputDir = outputDirFor(project, resolved.outputPath);
    // Build into a sibling folder and rename at the end: a failed or interrupted build never leaves an output that looks complete.
    const workDir = `${outputDir}.partial-${process.pid}-${randomBytes(3).toString('hex')}`;
    const sources = locateSources(project, resolved);
    validateDockerfileFile(sources.dockerfile, project.workspaceRoot, resolved.target);
    const outputWarning = outputInContextWarning(project.name, project.workspaceRoot, sources.dockerfile, sources.context, outputDir);
    if (outputWarning) logger.warn(outputWarning);
    const revision = await sourceRevision(project.workspaceRoot, sources);
    const request = {
      ...buildRequest(project, resolved, sources, revision, normaliseRemoteUrl(resolved.sourceUrl)),
      platforms: resolved.platforms,
      provenance: resolved.provenance,
      layoutDir: join(workDir, LAYOUT_DIR),
      workName: `localhost/nx-multiarch-work/${project.name}:${process.pid}-${randomBytes(4).toString('hex')}`,
    };
    if (dryRun) return printDryRun(await dryRunReport(context, engine, request, outputDir));

    const version = await engineVersion(engine, project.workspaceRoot, request.dockerfile);
    await removeAbandonedPartials(outputDir);
    try {
      await mkdir(dirname(workDir), { recursive: true });
      await mkdir(workDir);
    } catch (error) {
      throw new BuildInputError(`Cannot write the build output under ${dirname(workDir)}: ${(error as Error).message}. Make the folder writable or set outputPath.`);
    }
    const forgetPartial = onInterrupt(() => rmSync(workDir, { recursive: true, force: true }));
    try {
      let engineRequest = request;
      if (engine.name === 'podman') {
        const built = await podmanBuildFile(project.name, project.workspaceRoot, request, (text) => useWorkspaceBases(context, text, request.buildArgs));
        if (built.bases.length > 0) logger.info(`Using the fresh build output of ${built.bases.join(', ')} as base image (not a registry copy).`);
        engineRequest = { ...request, dockerfile: built.dockerfile, labels: built.labels };
      }
      const plan = engine.planMultiArch(engineRequest);
      if (plan.archives) await mkdir(dirname(plan.archives[0].path), { recursive: true });
      const started = Date.now();
      const write = (line: string) => process.stdout.write(`${line}\n`);
      const progress = new PlatformProgress(write);
      // Local podman: the first step builds (and names platforms), the next exports. Remote: each build step names its platform.
      await runPlan(plan, project.workspaceRoot, (line, step) => {
        const platform = plan.steps[step].platform;
        if (platform) progress.line(`[${platform}] ${line}`);
        else if (step === 0) progress.line(line);
        else write(`[export] ${line}`);
      });
      if (plan.archives) {
        await assembleLayout(plan.archives, request.layoutDir, project.workspaceRoot);
        await rm(dirname(plan.archives[0].path), { recursive: true, force: true });
      }
      await dropParentComments(request.layoutDir);
      await sortIndexByPlatform(request.layoutDir);
      const layout = await readLayout(request.layoutDir);
      const built = layout.images.map((image) => image.platform);
      const missing = request.platforms.filter((platform) => !built.includes(platform));
      if (missing.length > 0) {
        throw new BuildInputError(
          `The engine's manifest list lacks ${missing.join(', ')} (it holds ${built.join(', ') || 'nothing'}). ` +
            'With podman 4.x this happens when two platforms resolve to the same cached image (e.g. FROM scratch without per-arch content): add --no-cache via extraArgs.',
        );
      }
      const record: ImageRecord = {
        schemaVersion: 1,
        project: project.name,
        layout: { path: LAYOUT_DIR, tag: 'latest' },
        index: layout.index,
        platforms: layout.images.map((image) => ({ ...image, seconds: progress.seconds(image.platform) })),
        engine: { name: engine.name, version },
        buildSeconds: Math.round((Date.now() - started) / 100) / 10,
        revision: revision?.sha,
        created: request.labels['org.opencontainers.image.created'],
      };
      await writeFile(join(workDir, RECORD_FILE), `${JSON.stringify(record, null, 2)}\n`);
      await rm(outputDir, { recursive: true, force: true });
      await rename(workDir, outputDir);
      logger.info(`\n${project.name}: ${record.index.digest} -> ${outputDir}\n${summaryTable(record)}`);
    } finally {
      forgetPartial();
      await rm(workDir, { recursive: true, force: true });
    }
  });
}
