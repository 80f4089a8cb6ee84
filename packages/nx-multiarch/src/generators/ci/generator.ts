/**
 * `nx g nx-multiarch:ci`: a GitHub Actions workflow that pushes the multi-arch images of affected projects, in one job
 * (QEMU for foreign RUN steps) or, with `--split-by-arch`, one job per arch on native runners and a stitching job.
 */
import { logger, readNxJson, type GeneratorCallback, type NxJsonConfiguration, type Tree } from '../../devkit';
import { DEFAULTS } from '../../config/schemas';
import { archKey, parsePlatform } from '../../image/platform';
import { validateRegistry } from '../init/registry';
import { registeredOptions, splitList, targetNames } from '../shared';
import { packageManagerSetup } from './package-manager';
import type { CiGeneratorSchema } from './schema';
import { renderWorkflow, runnerFor, WORKFLOW_PATH, type ArchJob, type WorkflowSettings } from './workflow';

export const PROVIDERS = ['github'] as const;
const GITHUB_REGISTRY = 'ghcr.io';

/** Architectures QEMU must provide on an amd64 runner for the configured platforms. */
function qemuPlatforms(platforms: unknown): string {
  const list = splitList(Array.isArray(platforms) || typeof platforms === 'string' ? platforms : [...DEFAULTS.platforms]);
  const foreign = [...new Set(list.map((p) => parsePlatform(p).architecture).filter((arch) => arch !== 'amd64'))];
  return foreign.length > 0 ? foreign.join(',') : 'arm64';
}

/** The per-arch configurations the plugin infers (one per configured platform), each on a runner of that arch. */
function archJobs(platforms: unknown): ArchJob[] {
  const list = splitList(Array.isArray(platforms) || typeof platforms === 'string' ? platforms : [...DEFAULTS.platforms]);
  return list.map((platform) => ({ arch: archKey(platform), platform, runsOn: runnerFor(archKey(platform)) }));
}

/** nx.json defaultBase (or the older affected.defaultBase), else main. */
function defaultBase(tree: Tree): string {
  const nxJson = readNxJson(tree) as (NxJsonConfiguration & { affected?: { defaultBase?: string } }) | null;
  return nxJson?.defaultBase ?? nxJson?.affected?.defaultBase ?? 'main';
}

/** The host of a registry value (nx.json may hold an older host/namespace form). */
const hostOf = (registry: string) => registry.split('/')[0];

export function workflowSettings(tree: Tree, options: CiGeneratorSchema): WorkflowSettings {
  const plugin = registeredOptions(tree) ?? {};
  const configured = typeof plugin.registry === 'string' && plugin.registry ? plugin.registry : undefined;
  const registry = validateRegistry(options.registry) || configured;
  return {
    mainBranch: options.mainBranch?.trim() || defaultBase(tree),
    nodeVersion: options.nodeVersion?.trim() || '20',
    registry: registry ?? '${{ vars.REGISTRY }}',
    passRegistry: configured === undefined || registry !== configured,
    pushTarget: targetNames(tree).push,
    manifestTarget: targetNames(tree).manifest,
    qemuPlatforms: qemuPlatforms(plugin.platforms),
    archJobs: options.splitByArch ? archJobs(plugin.platforms) : undefined,
    packageManager: packageManagerSetup(tree),
    githubPackages: registry !== undefined && hostOf(registry) === GITHUB_REGISTRY,
  };
}

function warnings(tree: Tree, options: CiGeneratorSchema, settings: WorkflowSettings): string[] {
  const plugin = registeredOptions(tree);
  const found: string[] = [];
  if (plugin === undefined)
    found.push('nx-multiarch is not registered in nx.json, so no project has docker-push yet: run nx g nx-multiarch:init.');
  if (!options.registry && settings.passRegistry) {
    found.push(
      'No registry in the nx-multiarch options nor --registry: the workflow reads the repository variable REGISTRY and passes it to docker-push.',
    );
  }
  const imageName = typeof plugin?.imageName === 'string' ? plugin.imageName : DEFAULTS.imageName;
  if (settings.githubPackages && hostOf(settings.registry) === settings.registry && !imageName.includes('/')) {
    found.push(
      `ghcr.io keeps images under a user or organisation: set "imageName": "<owner>/{projectName}" in the nx-multiarch options in nx.json (it is "${imageName}").`,
    );
  }
  return found;
}

function nextSteps(settings: WorkflowSettings): string {
  const credentials = settings.githubPackages
    ? "It logs in to ghcr.io with the workflow's GITHUB_TOKEN (permissions: packages: write): no secret to add. A package first pushed from another repository must grant this one write access (package settings > Manage Actions access)."
    : 'Add the repository secrets REGISTRY_USERNAME and REGISTRY_PASSWORD (GitHub: Settings > Secrets and variables > Actions).';
  return `Wrote ${WORKFLOW_PATH} (${settings.packageManager.name}: ${settings.packageManager.install}, ${settings.packageManager.nx}). ${credentials}`;
}

export async function ciGenerator(tree: Tree, options: CiGeneratorSchema = {}): Promise<GeneratorCallback> {
  const provider = options.provider ?? 'github';
  if (!(PROVIDERS as readonly string[]).includes(provider)) {
    throw new Error(`Unknown CI provider "${provider}": supported providers are ${PROVIDERS.join(', ')} (GitHub Actions).`);
  }
  const settings = workflowSettings(tree, options);
  warnings(tree, options, settings).forEach((warning) => logger.warn(warning));
  tree.write(WORKFLOW_PATH, renderWorkflow(settings));
  return () => logger.info(nextSteps(settings));
}

export default ciGenerator;
