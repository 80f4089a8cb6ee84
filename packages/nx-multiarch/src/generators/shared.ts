/** What the generators share: finding the plugin's registration in nx.json and the target names it configures. */
import { readNxJson, type PluginConfiguration, type Tree } from '../devkit';
import { DEFAULTS } from '../config/schemas';
import { isPluginRegistration } from '../core/conventions';

export interface TargetNames {
  build: string;
  buildSingle: string;
  push: string;
  manifest: string;
}

const pluginOf = (entry: PluginConfiguration) => (typeof entry === 'string' ? entry : entry.plugin);

export const isPluginEntry = (entry: PluginConfiguration): boolean => isPluginRegistration(pluginOf(entry));

/** Options of the first nx.json registration of the plugin (there may be several, with include/exclude). */
export function registeredOptions(tree: Tree): Record<string, unknown> | undefined {
  const entry = (readNxJson(tree)?.plugins ?? []).find(isPluginEntry);
  if (entry === undefined) return undefined;
  return typeof entry === 'string' ? {} : ((entry.options as Record<string, unknown> | undefined) ?? {});
}

export function targetNames(tree: Tree): TargetNames {
  const options = registeredOptions(tree) ?? {};
  const name = (key: keyof typeof DEFAULTS) =>
    typeof options[key] === 'string' && options[key] ? (options[key] as string) : (DEFAULTS[key] as string);
  return {
    build: name('buildTargetName'),
    buildSingle: name('buildSingleTargetName'),
    push: name('pushTargetName'),
    manifest: name('manifestTargetName'),
  };
}

/** A comma list or a list, trimmed, empty entries dropped. */
export function splitList(input: string | readonly string[] | undefined): string[] {
  if (input === undefined) return [];
  return (typeof input === 'string' ? [input] : input)
    .flatMap((item) => item.split(','))
    .map((item) => item.trim())
    .filter(Boolean);
}
