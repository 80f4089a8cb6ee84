/**
 * The plugin's import graph, read with the TypeScript compiler's pre-processor (imports, exports ... from, require;
 * `import type` included: a type-only circle still ties the files together). No type checking, so it takes well under
 * a second. `node -r @swc-node/register tools/import-graph.ts` prints file cycles, folder cycles and who imports whom.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import * as ts from 'typescript';

export const SRC = resolve(__dirname, '../packages/nx-multiarch/src');

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) return name === 'corpus' || name === 'files' ? [] : sourceFiles(path);
    return name.endsWith('.ts') && !name.endsWith('.d.ts') ? [path] : [];
  });
}

function resolveImport(from: string, specifier: string): string | undefined {
  if (!specifier.startsWith('.')) return undefined;
  const base = resolve(dirname(from), specifier);
  return [`${base}.ts`, join(base, 'index.ts')].find((path) => existsSync(path));
}

/** File -> files it imports, as paths relative to src/ with forward slashes. */
export function importGraph(root = SRC): Map<string, string[]> {
  const rel = (path: string) => relative(root, path).split(sep).join('/');
  const graph = new Map<string, string[]>();
  for (const file of sourceFiles(root)) {
    const { importedFiles } = ts.preProcessFile(readFileSync(file, 'utf8'), true, true);
    const targets = importedFiles
      .map((imported) => resolveImport(file, imported.fileName))
      .filter((path): path is string => path !== undefined);
    graph.set(rel(file), [...new Set(targets.map(rel))]);
  }
  return graph;
}

/** A file's folder under src/ (its first path segment), or the file itself for files at the top (index.ts, devkit.ts). */
export const folderOf = (file: string) => (file.includes('/') ? file.split('/')[0] : file.replace(/\.ts$/, ''));

/** Specs and the helpers only specs use (test-*.ts, left out of dist) may reach across folders to test them. */
export const isTestFile = (file: string) => /\.spec\.ts$|(^|\/)test-[^/]*\.ts$/.test(file);

/** Folder -> folders its product files import (itself left out; specs and test helpers left out). */
export function folderGraph(graph: Map<string, string[]>): Map<string, string[]> {
  const folders = new Map<string, Set<string>>();
  for (const [file, imports] of graph) {
    if (isTestFile(file)) continue;
    const from = folderOf(file);
    const set = folders.get(from) ?? new Set<string>();
    for (const target of imports) if (folderOf(target) !== from) set.add(folderOf(target));
    folders.set(from, set);
  }
  return new Map([...folders].map(([folder, set]) => [folder, [...set].sort()]));
}

/** Every elementary circle found by a depth-first search, each once (as it is first met), e.g. [a, b, a]. */
export function cycles(graph: Map<string, string[]>): string[][] {
  const found = new Map<string, string[]>();
  const state = new Map<string, 'open' | 'done'>();
  const stack: string[] = [];
  const visit = (node: string) => {
    state.set(node, 'open');
    stack.push(node);
    for (const next of graph.get(node) ?? []) {
      if (state.get(next) === 'open') {
        const circle = stack.slice(stack.indexOf(next));
        const key = [...circle].sort().join(' ');
        if (!found.has(key)) found.set(key, [...circle, next]);
      } else if (!state.has(next)) visit(next);
    }
    stack.pop();
    state.set(node, 'done');
  };
  for (const node of [...graph.keys()].sort()) if (!state.has(node)) visit(node);
  return [...found.values()];
}

if (require.main === module) {
  const graph = importGraph();
  const folders = folderGraph(graph);
  const show = (list: string[][]) => (list.length === 0 ? '  none' : list.map((c) => `  ${c.join(' -> ')}`).join('\n'));
  console.log(`${graph.size} files\nfile cycles:\n${show(cycles(graph))}\nfolder cycles:\n${show(cycles(folders))}\nwho imports whom:`);
  for (const [folder, imports] of [...folders].sort()) console.log(`  ${folder} -> ${imports.join(', ') || '(nothing)'}`);
}
