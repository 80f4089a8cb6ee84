/** Keeping the plugin's outputs out of git: every folder its targets write under the workspace root by default. */
import type { Tree } from '../../devkit';
import { archOutputPath, defaultLintOutput, defaultOutputPath, pushRecordPath } from '../../core/conventions';

const PROJECT = 'project-root';
const ARCH = 'arch';

/** The part of a per-project path before the project's own part, e.g. dist/images of dist/images/<root>. */
const folderBefore = (path: string, part: string) => {
  const posix = path.replace(/\\/g, '/');
  return posix.slice(0, posix.indexOf(`/${part}`));
};

/**
 * The folders the targets write into, read off the functions that name their default paths (so the list follows
 * them): docker-build, per-arch docker-build, docker-lint, docker-push.
 */
export const PLUGIN_OUTPUT_FOLDERS: readonly string[] = [
  folderBefore(defaultOutputPath(PROJECT), PROJECT),
  folderBefore(archOutputPath(PROJECT, ARCH), ARCH),
  folderBefore(defaultLintOutput(PROJECT), PROJECT),
  folderBefore(pushRecordPath('', PROJECT), PROJECT),
];

const GITIGNORE = '.gitignore';
const HEADER = '# nx-multiarch outputs (images, per-arch images, lint findings, push records)';

/**
 * The root-relative folder a .gitignore line ignores with everything in it (`dist`, `/dist/`, `dist/*`, `dist/**`, also
 * after a leading globstar), or undefined for comments, negations and patterns with other wildcards, which are not read.
 */
export function ignoredFolder(line: string): string | undefined {
  const pattern = line.trim();
  if (pattern === '' || pattern.startsWith('#') || pattern.startsWith('!')) return undefined;
  const path = pattern
    .replace(/^\*\*\//, '')
    .replace(/^\//, '')
    .replace(/\/(\*\*?)?$/, '');
  return path === '' || /[*?[\]\\]/.test(path) ? undefined : path;
}

/** The output folders no line of the .gitignore text covers (a line naming the folder or one of its parents). */
export function missingFolders(gitignore: string): string[] {
  const ignored = gitignore
    .split(/\r?\n/)
    .map(ignoredFolder)
    .filter((path): path is string => path !== undefined);
  return PLUGIN_OUTPUT_FOLDERS.filter((folder) => !ignored.some((path) => folder === path || folder.startsWith(`${path}/`)));
}

/** Appends the output folders .gitignore does not cover yet (creating it if needed). Returns the folders added. */
export function ignoreOutputFolders(tree: Tree): string[] {
  const current = tree.exists(GITIGNORE) ? (tree.read(GITIGNORE, 'utf-8') ?? '') : '';
  const missing = missingFolders(current);
  if (missing.length === 0) return [];
  const separator = current === '' ? '' : current.endsWith('\n') ? '\n' : '\n\n';
  tree.write(GITIGNORE, `${current}${separator}${[HEADER, ...missing.map((folder) => `/${folder}`)].join('\n')}\n`);
  return missing;
}
