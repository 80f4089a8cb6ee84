/**
 * `nx g nx-multiarch:init` (and `nx add nx-multiarch`): registers the plugin in nx.json with its defaults and keeps
 * dist/images out of git. Idempotent: an existing registration and its options are kept; a second run changes nothing.
 */
import { formatFiles, logger, readNxJson, updateNxJson, writeJson, type ExpandedPluginConfiguration, type NxJsonConfiguration, type Tree } from '@nx/devkit';
import { DEFAULTS } from '../../config/schemas';
import { isPluginEntry, PLUGIN_NAME } from '../shared';
import type { InitGeneratorSchema } from './schema';

export const IMAGES_FOLDER = 'dist/images';

export function defaultPluginOptions(registry?: string): Record<string, unknown> {
  return {
    platforms: [...DEFAULTS.platforms],
    ...(registry ? { registry } : {}),
    buildTargetName: DEFAULTS.buildTargetName,
    buildSingleTargetName: DEFAULTS.buildSingleTargetName,
    pushTargetName: DEFAULTS.pushTargetName,
  };
}

function validateRegistry(registry: string | undefined): string | undefined {
  if (registry === undefined) return undefined;
  const value = registry.trim();
  if (!value || /\s|\/$|^[a-z]+:\/\//i.test(value)) {
    throw new Error(`Invalid registry "${registry}": give a host[:port] (optionally with a path), e.g. quay.io or 127.0.0.1:5000, without a scheme or trailing "/".`);
  }
  return value;
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
      logger.warn(`${PLUGIN_NAME} is already registered with registry "${options.registry}"; kept it (not "${registry}"). Edit nx.json to change it.`);
    }
    return entry;
  });
  if (changed) writeNxJson(tree, nxJson);
  return changed;
}

/** True when a .gitignore line already ignores dist/images (or all of dist). */
function ignoresImages(gitignore: string): boolean {
  const covering = new Set(['dist', 'dist/images']);
  return gitignore.split(/\r?\n/).some((line) => covering.has(line.trim().replace(/^\//, '').replace(/\/(\*\*)?$/, '')));
}

function ignoreImages(tree: Tree): boolean {
  const current = tree.exists('.gitignore') ? tree.read('.gitignore', 'utf-8') ?? '' : '';
  if (ignoresImages(current)) return false;
  const block = `# nx-multiarch build output (OCI layouts, image.json)\n/${IMAGES_FOLDER}\n`;
  const separator = current === '' ? '' : current.endsWith('\n') ? '\n' : '\n\n';
  tree.write('.gitignore', `${current}${separator}${block}`);
  return true;
}

export async function initGenerator(tree: Tree, options: InitGeneratorSchema = {}): Promise<void> {
  const registry = validateRegistry(options.registry);
  const registered = registerPlugin(tree, registry);
  const ignored = ignoreImages(tree);
  if (!registered && !ignored) logger.info(`${PLUGIN_NAME} is already set up: nothing to change.`);
  if (!options.skipFormat) await formatFiles(tree);
}

export default initGenerator;
