/**
 * `nx g nx-multiarch:ci`: a GitHub Actions workflow that pushes the multi-arch images of affected projects, in one job
 * (QEMU for foreign RUN steps) or, with `--split-by-arch`, one job per arch on native runners and a stitching job.
 */
import { logger, readNxJson, type GeneratorCallback, type NxJsonConfiguration, type Tree } from '@nx/devkit';
import { DEFAULTS } from '../../config/schemas';
import { archKey, parsePlatform } from '../../image/platform';
import { registeredOptions, splitList, targetNames } from '../shared';
import type { CiGeneratorSchema } from './schema';
import { renderWorkflow, runnerFor, WORKFLOW_PATH, type ArchJob, type WorkflowSettings } from './workflow';

export const PROVIDERS = ['github'] as const;

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

export function workflowSettings(tree: Tree, options: CiGeneratorSchema): WorkflowSettings {
  const plugin = registeredOptions(tree) ?? {};
  const configured = typeof plugin.registry === 'string' && plugin.registry ? plugin.registry : undefined;
  const registry = options.registry?.trim() || configured;
  return {
    mainBranch: options.mainBranch?.trim() || defaultBase(tree),
    nodeVersion: options.nodeVersion?.trim() || '20',
    registry: registry ?? '${{ vars.REGISTRY }}',
    passRegistry: configured === undefined || registry !== configured,
    pushTarget: targetNames(tree).push,
    manifestTarget: targetNames(tree).manifest,
    qemuPlatforms: qemuPlatforms(plugin.platforms),
    archJobs: options.splitByArch ? archJobs(plugin.platforms) : undefined,
  };
}

export async function ciGenerator(tree: Tree, options: CiGeneratorSchema = {}): Promise<GeneratorCallback> {
  const provider = options.provider ?? 'github';
  if (!(PROVIDERS as readonly string[]).includes(provider)) {
    throw new Error(`Unknown CI provider "${provider}": supported providers are ${PROVIDERS.join(', ')} (GitHub Actions).`);
  }
  if (registeredOptions(tree) === undefined) {
    logger.warn('nx-multiarch is not registered in nx.json, so no project has docker-push yet: run nx g nx-multiarch:init.');
  }
  const settings = workflowSettings(tree, options);
  if (!options.registry && settings.passRegistry) {
    logger.warn('No registry in the nx-multiarch options nor --registry: the workflow reads the repository variable REGISTRY and passes it to docker-push.');
  }
  tree.write(WORKFLOW_PATH, renderWorkflow(settings));
  return () => logger.info(`Wrote ${WORKFLOW_PATH}. Add the repository secrets REGISTRY_USERNAME and REGISTRY_PASSWORD (GitHub: Settings > Secrets and variables > Actions).`);
}

export default ciGenerator;
