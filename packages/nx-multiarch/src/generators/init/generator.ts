/**
 * `nx g nx-multiarch:init` (and `nx add nx-multiarch`): registers the plugin in nx.json with its defaults and keeps
 * the plugin's outputs out of git. Idempotent: an existing registration and its options are kept; a second run
 * changes nothing.
 */
import {
  logger,
  readNxJson,
  updateNxJson,
  writeJson,
  type ExpandedPluginConfiguration,
  type GeneratorCallback,
  type NxJsonConfiguration,
  type Tree,
} from '../../devkit';
import { DEFAULTS } from '../../config/schemas';
import { PLUGIN_NAME } from '../../core/conventions';
import { isPluginEntry, registeredOptions, targetNames } from '../shared';
import { formatFiles } from '../tree-files';
import { ignoreOutputFolders } from './gitignore';
import { validateRegistry } from './registry';
import type { InitGeneratorSchema } from './schema';

export function defaultPluginOptions(registry?: string): Record<string, unknown> {
  return {
    platforms: [...DEFAULTS.platforms],
    ...(registry ? { registry } : {}),
    buildTargetName: DEFAULTS.buildTargetName,
    buildSingleTargetName: DEFAULTS.buildSingleTargetName,
    pushTargetName: DEFAULTS.pushTargetName,
  };
}

/** updateNxJson only updates an existing nx.json. */
function writeNxJson(tree: Tree, nxJson: NxJsonConfiguration): void {
  if (tree.exists('nx.json')) updateNxJson(tree, nxJson);
  else writeJson(tree, 'nx.json', { $schema: './node_modules/nx/schemas/nx-schema.json', ...nxJson });
}

/** Adds the registration, or the registry to registrations that have none. Returns whether nx.json changed. */
function registerPlugin(tree: Tree, registry: string | undefined): boolean {
  const nxJson = readNxJson(tree) ?? {};
  const plugins = nxJson.plugins ?? [];
  const ours = plugins.filter(isPluginEntry);
  if (ours.length === 0) {
    nxJson.plugins = [...plugins, { plugin: PLUGIN_NAME, options: defaultPluginOptions(registry) }];
    writeNxJson(tree, nxJson);
    return true;
  }
  if (registry === undefined) return false;
  let changed = false;
  nxJson.plugins = plugins.map((entry) => {
    if (!isPluginEntry(entry)) return entry;
    const expanded: ExpandedPluginConfiguration = typeof entry === 'string' ? { plugin: entry } : entry;
    const options = (expanded.options ?? {}) as Record<string, unknown>;
    if (options.registry === undefined) {
      changed = true;
      return { ...expanded, options: { ...options, registry } };
    }
    if (options.registry !== registry) {
      logger.warn(
        `${PLUGIN_NAME} is already registered with registry "${options.registry}"; kept it (not "${registry}"). Edit nx.json to change it.`,
      );
    }
    return entry;
  });
  if (changed) writeNxJson(tree, nxJson);
  return changed;
}

/** What to run next, with the target names nx.json configures; the registry line only while none is set. */
export function nextSteps(tree: Tree): string[] {
  const names = targetNames(tree);
  const commands: Array<[string, string]> = [
    [`nx g ${PLUGIN_NAME}:service apps/my-api`, 'a service in apps/my-api whose Dockerfile builds every platform'],
    [`nx run <project>:${names.build}`, "build a project's multi-arch image into dist/images/<projectRoot>/"],
    [`nx affected -t ${names.push}`, 'build and push the images of the projects a change affects'],
    [`nx g ${PLUGIN_NAME}:ci`, 'a GitHub Actions workflow that does that on every push'],
  ];
  const width = Math.max(...commands.map(([command]) => command.length));
  const lines = [`${PLUGIN_NAME} is set up. Next:`, ...commands.map(([command, what]) => `  ${command.padEnd(width)}  # ${what}`)];
  if (!registeredOptions(tree)?.registry) {
    lines.push(
      `No registry is set, so ${names.push} has nowhere to push: nx g ${PLUGIN_NAME}:init --registry=<host[:port]> (e.g. ghcr.io),` +
        ' and "imageName": "<namespace>/{projectName}" in the nx-multiarch options in nx.json if the registry needs a namespace.',
    );
  }
  return lines;
}

export async function initGenerator(tree: Tree, options: InitGeneratorSchema = {}): Promise<GeneratorCallback> {
  const registry = validateRegistry(options.registry);
  const registered = registerPlugin(tree, registry);
  const ignored = ignoreOutputFolders(tree);
  if (!registered && ignored.length === 0) logger.info(`${PLUGIN_NAME} is already set up: nothing to change.`);
  if (!options.skipFormat) await formatFiles(tree);
  const steps = nextSteps(tree);
  return () => steps.forEach((line) => logger.info(line));
}

export default initGenerator;
