import type { ExecutorContext } from '../../devkit';
import { logger } from '../../devkit';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join, relative, resolve } from 'node:path';
import { mergeLayers, parseOptions } from '../../config/resolve';
import { lintSchema } from '../../config/schemas';
import { parseDockerfile, substituteArgs } from '../../dockerfile/parse';
import { describeIndex, INDEX_MEDIA_TYPES } from '../../image/oci-layout';
import { formatPlatform } from '../../image/platform';
import { isLoopbackRegistry, registryOf } from '../../image/reference';
import { readRemoteConfig, readRemoteManifest } from '../../image/verify';
import { formatJson, formatText, lintDockerfile } from '../../lint';
import { buildOutputFacts } from '../../lint/build-output-facts';
import { locateSources } from '../../plan/build';
import { defaultLintOutput } from '../../plugin/create-nodes';
import { projectInfo, reportErrors, splitOptions } from '../context';

/** Platforms of each digest-pinned base, as the registry tells; a registry that can't be reached tells nothing. */
async function pinnedBasePlatforms(text: string, tlsVerifyOption: boolean | undefined, cwd: string): Promise<Map<string, string[]>> {
  const { stages, globalArgs } = parseDockerfile(text);
  const pinned = [...new Set(stages.map((stage) => substituteArgs(stage.image, globalArgs)).filter((image) => /@sha256:[0-9a-f]+$/i.test(image)))];
  const platforms = new Map<string, string[]>();
  for (const image of pinned) {
    const tlsVerify = tlsVerifyOption ?? !isLoopbackRegistry(registryOf(image));
    try {
      const manifest = await readRemoteManifest(image, tlsVerify, cwd);
      if (!manifest) continue;
      if (INDEX_MEDIA_TYPES.includes(manifest.json.mediaType) || manifest.json.manifests) {
        platforms.set(image, describeIndex(manifest.json).map((p) => p.platform));
      } else {
        const config = await readRemoteConfig(image, tlsVerify, cwd);
        platforms.set(image, [formatPlatform({ os: config.os ?? '?', architecture: config.architecture ?? '?', variant: config.variant })]);
      }
    } catch (error) {
      logger.warn(`Could not ask the registry about ${image} (${(error as Error).message.split('\n')[0]}); its platforms were not checked.`);
    }
  }
  return platforms;
}

/** Multi-arch readiness findings for the project's Dockerfile; errors make the target fail. */
export default async function dockerLint(options: Record<string, unknown>, context: ExecutorContext) {
  return reportErrors(async () => {
    const { configured, cli } = splitOptions(options, context);
    const resolved = parseOptions(lintSchema, mergeLayers({ format: 'text', checkRegistry: true }, configured, cli), `${context.projectName}:${context.targetName}`);
    const project = projectInfo(context);
    const sources = locateSources(project, resolved);
    const text = readFileSync(sources.dockerfile, 'utf8');
    const platforms = resolved.checkRegistry ? await pinnedBasePlatforms(text, resolved.tlsVerify, project.workspaceRoot) : new Map<string, string[]>();
    const findings = lintDockerfile({
      text,
      path: relative(project.workspaceRoot, sources.dockerfile),
      contextIsWorkspaceRoot: resolve(sources.context) === resolve(project.workspaceRoot),
      hasDockerignore: existsSync(join(sources.context, '.dockerignore')) || existsSync(`${sources.dockerfile}.dockerignore`),
      baseImagePlatforms: (image) => platforms.get(image),
      ...(context.projectGraph ? buildOutputFacts(context.projectGraph, project.name, project.workspaceRoot, relative(project.workspaceRoot, sources.context)) : {}),
    });
    const output = resolve(project.workspaceRoot, resolved.outputPath ?? defaultLintOutput(project.root));
    await mkdir(dirname(output), { recursive: true });
    await writeFile(output, `${formatJson(findings)}\n`);
    if (resolved.format === 'json') process.stdout.write(`${formatJson(findings)}\n`);
    else if (findings.length > 0) logger.info(formatText(findings));
    const errors = findings.filter((finding) => finding.level === 'error').length;
    const warnings = findings.length - errors;
    if (errors > 0) throw new Error(`${project.name}: ${errors} error(s) and ${warnings} warning(s) make the Dockerfile not multi-arch ready (see above).`);
    logger.info(`${project.name}: multi-arch ready (${warnings} warning(s)).`);
  });
}
