/**
 * The three generator helpers that @nx/devkit has and `nx` itself does not export (see ../devkit.ts): templates,
 * a walk over the files git would keep, and formatting.
 */
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, posix } from 'node:path';
import ignore from 'ignore';
import type { Tree } from '../devkit';

const TEMPLATE_SUFFIX = '__tmpl__';

/**
 * Copies the template folder `source` to `target` in the tree: `__tmpl__` is dropped from file names and every
 * `<%= key %>` is replaced by `values[key]`. A key without a value is an error (a template bug, not user input).
 */
export function generateFiles(tree: Tree, source: string, target: string, values: Record<string, unknown>): void {
  for (const file of filesUnder(source)) {
    const content = readFileSync(join(source, file), 'utf8').replace(/<%=\s*(\w+)\s*%>/g, (_, key: string) => {
      if (values[key] === undefined) throw new Error(`template ${file} uses <%= ${key} %>, which has no value`);
      return String(values[key]);
    });
    tree.write(posix.join(target, file.replace(TEMPLATE_SUFFIX, '')), content);
  }
}

function filesUnder(dir: string, prefix = ''): string[] {
  return readdirSync(join(dir, prefix)).flatMap((entry) => {
    const path = prefix ? `${prefix}/${entry}` : entry;
    return statSync(join(dir, path)).isDirectory() ? filesUnder(dir, path) : [path];
  });
}

/** Calls `visit` with every file under `dir` that the root .gitignore and .nxignore keep (node_modules never). */
export function visitNotIgnoredFiles(tree: Tree, dir: string, visit: (path: string) => void): void {
  const ignored = ignore().add(['node_modules', '.git']);
  for (const file of ['.gitignore', '.nxignore']) if (tree.exists(file)) ignored.add(tree.read(file, 'utf-8') ?? '');
  const walk = (path: string) => {
    if (path && ignored.ignores(tree.isFile(path) ? path : `${path}/`)) return;
    if (tree.isFile(path)) visit(path);
    else for (const child of tree.children(path)) walk(path ? posix.join(path, child) : child);
  };
  walk(dir.replace(/^\.?\/?/, ''));
}

/**
 * Formats the changed files with Nx's formatter (Prettier, when the workspace has it) if @nx/devkit is installed, as it
 * is in most Nx workspaces; without it the files are written as the templates have them, already formatted.
 */
export async function formatFiles(tree: Tree): Promise<void> {
  let devkit: { formatFiles(tree: Tree): Promise<void> };
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- the workspace's own @nx/devkit, if it has one
    devkit = require(require.resolve('@nx/devkit', { paths: [tree.root] }));
  } catch {
    return;
  }
  await devkit.formatFiles(tree);
}
