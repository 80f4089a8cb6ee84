import type { ExecutorContext } from '../../devkit';
import { logger } from '../../devkit';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { resolveOptions } from '../../config/resolve';
import { lintSchema } from '../../config/schemas';
import { parseDockerfile, substituteArgs } from '../../dockerfile/parse';
import { describeIndex, INDEX_MEDIA_TYPES } from '../../image/oci-layout';
import { formatPlatform } from '../../image/platform';
import { isLoopbackRegistry, registryOf } from '../../image/reference';
import { readRemoteConfig, readRemoteManifest } from '../../registry/verify';
import { formatJson, formatText, lintDockerfile } from '../../lint';
import { buildOutputFacts } from '../../plugin/build-output-facts';
import { defaultLintOutput } from '../../core/conventions';
import { projectInfo, reportErrors, taskName } from '../context';
import { printDryRun } from '../shared';
import { locateSources } from '../sources';
import { inspectStep } from '../../registry/skopeo';
import type { DryRunReport } from '../../plan/dry-run-report';
import { isDryRun } from '../../run/dry-run';

/** The digest-pinned base images of a Dockerfile: the ones the single-platform-base rule asks the registry about. */
function pinnedBases(text: string): string[] {
  const { stages, globalArgs } = parseDockerfile(text);
  return [...new Set(stages.map((stage) => substituteArgs(stage.image, globalArgs)).filter((image) => /@sha256:[0-9a-f]+$/i.test(image)))];
}

const tlsVerifyFor = (image: string, option: boolean | undefined) => option ?? !isLoopbackRegistry(registryOf(image));

/** Platforms of each digest-pinned base, as the registry tells; a registry that can't be reached tells nothing. */
async function pinnedBasePlatforms(text: string, tlsVerifyOption: boolean | undefined, cwd: string): Promise<Map<string, string[]>> {
  const platforms = new Map<string, string[]>();
  for (const image of pinnedBases(text)) {
    const tlsVerify = tlsVerifyFor(image, tlsVerifyOption);
    try {
      const manifest = await readRemoteManifest(image, tlsVerify, cwd);
      if (!manifest) continue;
      if (INDEX_MEDIA_TYPES.includes(manifest.json.mediaType) || manifest.json.manifests) {
        platforms.set(
          image,
          describeIndex(manifest.json).map((p) => p.platform),
        );
      } else {
        const config = await readRemoteConfig(image, tlsVerify, cwd);
        platforms.set(image, [formatPlatform({ os: config.os ?? '?', architecture: config.architecture ?? '?', variant: config.variant })]);
      }
    } catch (error) {
      logger.warn(
        `Could not ask the registry about ${image} (${(error as Error).message.split('\n')[0]}); its platforms were not checked.`,
      );
    }
  }
  return platforms;
}

/** A dry run lints what needs no command and shows what a real run would ask the registry. */
function dryRunReport(
  context: ExecutorContext,
  text: string,
  checkRegistry: boolean | undefined,
  tlsVerify: boolean | undefined,
  output: string,
): DryRunReport {
  const steps = checkRegistry ? pinnedBases(text).map((image) => inspectStep(image, tlsVerifyFor(image, tlsVerify))) : [];
  const notes = [
    steps.length > 0
      ? "The findings below leave out single-platform-base, which needs the registry's answer for each pinned base (and, for a single image, its config: skopeo inspect --config)."
      : 'No digest-pinned base to ask the registry about: the findings below are what a real run finds.',
    `A real run writes the findings to ${relative(context.root, output)}; this one writes nothing.`,
  ];
  return { task: taskName(context), steps, notes };
}

/** Multi-arch readiness findings for the project's Dockerfile; errors make the target fail. */
export default async function dockerLint(options: Record<string, unknown>, context: ExecutorContext) {
  return reportErrors(async () => {
    const resolved = resolveOptions(lintSchema, options, context, { format: 'text', checkRegistry: true });
    const dryRun = isDryRun(resolved.dryRun, context, true);
    const project = projectInfo(context);
    const sources = locateSources(project, resolved);
    const text = readFileSync(sources.dockerfile, 'utf8');
    const output = resolve(project.workspaceRoot, resolved.outputPath ?? defaultLintOutput(project.root));
    if (dryRun) printDryRun(dryRunReport(context, text, resolved.checkRegistry, resolved.tlsVerify, output));
    const platforms =
      resolved.checkRegistry && !dryRun
        ? await pinnedBasePlatforms(text, resolved.tlsVerify, project.workspaceRoot)
        : new Map<string, string[]>();
    const findings = lintDockerfile({
      text,
      path: relative(project.workspaceRoot, sources.dockerfile),
      contextIsWorkspaceRoot: resolve(sources.context) === resolve(project.workspaceRoot),
      hasDockerignore: existsSync(join(sources.context, '.dockerignore')) || existsSync(`${sources.dockerfile}.dockerignore`),
      baseImagePlatforms: (image) => platforms.get(image),
      ...(context.projectGraph
        ? buildOutputFacts(context.projectGraph, project.name, project.workspaceRoot, relative(project.workspaceRoot, sources.context))
        : {}),
    });
    if (!dryRun) {
      await mkdir(dirname(output), { recursive: true });
      await writeFile(output, `${formatJson(findings)}\n`);
    }
    if (resolved.format === 'json') process.stdout.write(`${formatJson(findings)}\n`);
    else if (findings.length > 0) logger.info(formatText(findings));
    const errors = findings.filter((finding) => finding.level === 'error').length;
    const warnings = findings.length - errors;
    if (errors > 0)
      throw new Error(
        `${project.name}: ${errors} error(s) and ${warnings} warning(s) make the Dockerfile not multi-arch ready (see above).`,
      );
    logger.info(`${project.name}: multi-arch ready (${warnings} warning(s)).`);
  });
}
