/**
 * `nx g nx-multiarch:service <directory>`: a small runnable service whose Dockerfile builds every platform without
 * emulation where it can. The project gets its targets from the plugin's inference: project.json holds only the
 * name, tags and (with --platforms) a docker-build platforms override.
 */
import { join } from 'node:path';
import { addProjectConfiguration, logger, readJson, type GeneratorCallback, type ProjectConfiguration, type Tree } from '../../devkit';
import { initGenerator } from '../init/generator';
import { registeredOptions, targetNames, type TargetNames } from '../shared';
import { formatFiles, generateFiles } from '../tree-files';
import { normaliseOptions, type ServiceOptions } from './options';
import type { ServiceGeneratorSchema } from './schema';

export function projectConfiguration(options: ServiceOptions, names: TargetNames): ProjectConfiguration {
  return {
    root: options.projectRoot,
    projectType: 'application',
    sourceRoot: options.projectRoot,
    tags: options.tags,
    ...(options.platforms ? { targets: { [names.build]: { options: { platforms: options.platforms } } } } : {}),
  };
}

export function nextCommands(name: string, names: TargetNames): string[] {
  return [`nx run ${name}:${names.build}`, `nx run ${name}:${names.buildSingle}`, `nx run ${name}:${names.push}`];
}

const WHAT = [
  'build every platform into an OCI layout',
  'build the host platform into the local engine',
  'build (or restore from cache) and push every platform',
];

function report(options: ServiceOptions, names: TargetNames, notes: string[]): GeneratorCallback {
  return () => {
    for (const note of notes) logger.warn(note);
    const commands = nextCommands(options.name, names);
    const width = Math.max(...commands.map((c) => c.length));
    logger.info(`Created the ${options.language} service ${options.name} in ${options.projectRoot}. Next:`);
    commands.forEach((command, i) => logger.info(`  ${command.padEnd(width)}  # ${WHAT[i]}`));
  };
}

/** True when the root package.json declares workspaces (npm, yarn) or a pnpm workspace file exists. */
function hasPackageWorkspaces(tree: Tree): boolean {
  if (tree.exists('pnpm-workspace.yaml')) return true;
  return tree.exists('package.json') && readJson(tree, 'package.json').workspaces !== undefined;
}

export async function serviceGenerator(tree: Tree, schema: ServiceGeneratorSchema): Promise<GeneratorCallback> {
  const options = normaliseOptions(tree, schema);
  const notes: string[] = [];

  // Without the plugin registered the service would get no targets; init keeps an existing registration as it is.
  if (registeredOptions(tree) === undefined) {
    await initGenerator(tree, { skipFormat: true });
    notes.push('nx-multiarch was not registered in nx.json: registered it with its defaults (nx g nx-multiarch:init).');
  }
  const names = targetNames(tree);

  generateFiles(tree, join(__dirname, 'files', options.language), options.projectRoot, {
    name: options.name,
    port: options.port,
    projectRoot: options.projectRoot,
  });
  addProjectConfiguration(tree, options.name, projectConfiguration(options, names));

  if (options.port < 1024) {
    notes.push(
      `Port ${options.port} is below 1024: the image runs as a non-root user, which may not bind it without extra privileges (CAP_NET_BIND_SERVICE).`,
    );
  }
  if (options.language === 'node' && hasPackageWorkspaces(tree)) {
    notes.push(
      `If ${options.projectRoot} matches your package manager's workspaces, run its install (e.g. npm install) so the root lock file lists the new package; npm ci fails until it does.`,
    );
  }
  if (!schema.skipFormat) await formatFiles(tree);
  return report(options, names, notes);
}

export default serviceGenerator;
