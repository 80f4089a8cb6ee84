import type { ExecutorContext } from '../../devkit';
import { logger } from '../../devkit';
import { randomBytes } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { rmSync } from 'node:fs';
import { mkdir, readdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, join, relative } from 'node:path';
import { buildEnvLayer, resolveOptions } from '../../config/resolve';
import { buildSchema, DEFAULTS, type BuildOptions } from '../../config/schemas';
import { selectEngine } from '../../engines/detect';
import { validateDockerfileFile } from '../../dockerfile/validate';
import { normaliseRemoteUrl } from '../../git/source-url';
import { readLayout, sortIndexByPlatform } from '../../image/oci-layout';
import { dropStoreTraces } from '../../image/store-traces';
import { assembleLayout } from '../../image/assemble-layout';
import { formatPlatform, hostPlatform, parsePlatform, parsePlatformList } from '../../image/platform';
import { LAYOUT_DIR, RECORD_FILE } from '../../core/conventions';
import { summaryTable, type ImageRecord } from '../../image/record';
import { BuildInputError } from '../../core/errors';
import { buildRequest } from '../../plan/build';
import { onInterrupt } from '../../run/interrupt';
import { PlatformProgress } from '../../run/progress';
import { outputDirFor, projectInfo, reportErrors, taskName } from '../context';
import { useWorkspaceBases } from '../workspace-bases';
import { engineNote, engineVersion, printDryRun, runPlan, warnAbout } from '../shared';
import { locateSources, secretFiles, sourceRevision } from '../sources';
import type { Engine, MultiArchRequest } from '../../engines/types';
import type { DryRunReport } from '../../plan/dry-run-report';
import { isDryRun } from '../../run/dry-run';
import { outputInContextWarning } from '../output-in-context';
import { knownBaseNames } from '../known-base-names';

export function resolveBuildOptions(options: Record<string, unknown>, context: ExecutorContext, env = process.env) {
  const resolved = resolveOptions(buildSchema, options, context, DEFAULTS_FOR_BUILD, [buildEnvLayer(env)]);
  const platforms = resolved.platform
    ? [formatPlatform(parsePlatform(resolved.platform))]
    : resolved.multiArch === false
      ? [hostPlatform()]
      : parsePlatformList(resolved.platforms ?? DEFAULTS.platforms);
  return { ...resolved, platforms, jobs: resolved.jobs ?? Math.min(platforms.length, availableParallelism()) };
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
  await warnAbout(engine, root, request.dockerfile, '(version not asked)');
  const rewriteBases = (text: string) => useWorkspaceBases(context, text, request.buildArgs, true);
  const prepared = await engine.prepare(request, { project: context.projectName!, workspaceRoot: root, rewriteBases });
  notes.push(...prepared.notes);
  if (prepared.request.baseSlots?.length)
    notes.push(
      "The base images are pulled before the build, one platform at a time, by the digest each platform's image has when a real run starts (read with podman manifest inspect, or from a workspace base's layout): <...> marks what a real run reads then.",
    );
  const plan = engine.planMultiArch(prepared.request);
  notes.push(
    `${request.workName} and ${relative(root, dirname(request.layoutDir))} are named after this process and a random part: a real run names its own, ` +
      `then writes image.json there and renames the folder to ${relative(root, outputDir)}.`,
  );
  return {
    task: taskName(context),
    steps: plan.steps,
    cleanup: plan.cleanup,
    cleanupAfterFailureOnly: plan.cleanupAfterFailureOnly,
    files: prepared.files,
    notes,
  };
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
    // Two independent processes (git log, the engine's version): ask both at once. Awaited below, after the request is
    // checked, so a bad option is still the error shown; the catch only keeps an early failure from going unhandled.
    const versionAsked = dryRun ? undefined : engineVersion(engine, project.workspaceRoot, sources.dockerfile);
    versionAsked?.catch(() => undefined);
    const revision = await sourceRevision(project.workspaceRoot, sources);
    const request = {
      ...buildRequest(
        project,
        resolved,
        { ...sources, secrets: secretFiles(project.workspaceRoot, resolved.secrets) },
        revision,
        normaliseRemoteUrl(resolved.sourceUrl),
      ),
      platforms: resolved.platforms,
      jobs: resolved.jobs,
      provenance: resolved.provenance,
      layoutDir: join(workDir, LAYOUT_DIR),
      workName: `localhost/nx-multiarch-work/${project.name}:${process.pid}-${randomBytes(4).toString('hex')}`,
    };
    if (dryRun) return printDryRun(await dryRunReport(context, engine, request, outputDir));

    const version = await versionAsked!;
    await removeAbandonedPartials(outputDir);
    try {
      await mkdir(dirname(workDir), { recursive: true });
      await mkdir(workDir);
    } catch (error) {
      throw new BuildInputError(
        `Cannot write the build output under ${dirname(workDir)}: ${(error as Error).message}. Make the folder writable or set outputPath.`,
      );
    }
    const forgetPartial = onInterrupt(() => rmSync(workDir, { recursive: true, force: true }));
    try {
      const rewriteBases = (text: string) => useWorkspaceBases(context, text, request.buildArgs);
      const prepared = await engine.prepare(request, { project: project.name, workspaceRoot: project.workspaceRoot, rewriteBases });
      if (prepared.bases.length > 0)
        logger.info(`Using the fresh build output of ${prepared.bases.join(', ')} as base image (not a registry copy).`);
      const plan = engine.planMultiArch(
        engine.resolveBases
          ? await engine.resolveBases(prepared.request, project.workspaceRoot, knownBaseNames(project.workspaceRoot))
          : prepared.request,
      );
      if (plan.archives) await mkdir(dirname(plan.archives[0].path), { recursive: true });
      const started = Date.now();
      const write = (line: string) => process.stdout.write(`${line}\n`);
      const progress = new PlatformProgress(
        write,
        Date.now,
        plan.steps.some((step) => step.argv.includes('--jobs')),
      );
      // Local podman: base pulls (prefixed), then one step builds (podman names the platforms), the next exports.
      // Remote: each build step names its platform.
      const buildStep = plan.steps.findIndex((step) => !step.prefix);
      await runPlan(plan, project.workspaceRoot, (line, index) => {
        const { platform, prefix } = plan.steps[index];
        if (prefix) write(`[${prefix}] ${line}`);
        else if (platform) progress.line(`[${platform}] ${line}`);
        else if (index === buildStep) progress.line(line);
        else write(`[export] ${line}`);
      });
      if (plan.archives) {
        await assembleLayout(plan.archives, request.layoutDir, project.workspaceRoot);
        await rm(dirname(plan.archives[0].path), { recursive: true, force: true });
      }
      await dropStoreTraces(request.layoutDir);
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
