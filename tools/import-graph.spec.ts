/**
 * The plugin's import graph stays a graph of layers: no file imports itself round a circle, no folder does, core
 * imports nothing else of the plugin, and each folder imports only the folders listed in tools/may-import.json
 * (ARCHITECTURE.md shows the same table, and the last test keeps the two equal; eslint's boundary rule reads the same
 * file). Read with the TypeScript pre-processor (tools/import-graph.ts), so it takes well under a second.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cycles, folderGraph, folderOf, importGraph, isTestFile } from './import-graph';
import mayImport from './may-import.json';

/**
 * Who may import whom, lowest layer first (tools/may-import.json, which eslint.config.mjs also reads for its
 * import-x/no-restricted-paths zones). A new edge belongs there only if it keeps the graph free of circles.
 */
const MAY_IMPORT: Record<string, string[]> = mayImport;

describe('import graph of packages/nx-multiarch/src', () => {
  const graph = importGraph();

  it('reads the sources', () => {
    expect(graph.size).toBeGreaterThan(100);
    expect(graph.get('index.ts')).toContain('plugin/create-nodes.ts');
  });

  it('has no import cycle between files (specs and test helpers included)', () => {
    expect(cycles(graph)).toEqual([]);
  });

  it('has no import cycle between folders', () => {
    expect(cycles(folderGraph(graph))).toEqual([]);
  });

  it('core imports nothing of the plugin outside core', () => {
    const outside = [...graph]
      .filter(([file]) => folderOf(file) === 'core')
      .flatMap(([file, imports]) => imports.filter((target) => folderOf(target) !== 'core').map((target) => `${file} -> ${target}`));
    expect(outside).toEqual([]);
  });

  it('each folder imports only what it may', () => {
    const unlisted = [...graph]
      .filter(([file]) => !isTestFile(file))
      .flatMap(([file, imports]) =>
        imports
          .filter((target) => folderOf(target) !== folderOf(file) && !(MAY_IMPORT[folderOf(file)] ?? []).includes(folderOf(target)))
          .map((target) => `${file} -> ${target}`),
      );
    expect(unlisted).toEqual([]);
  });

  it('finds a circle when there is one', () => {
    const circle = new Map([
      ['a.ts', ['b.ts']],
      ['b.ts', ['c.ts']],
      ['c.ts', ['a.ts']],
      ['d.ts', ['a.ts']],
    ]);
    expect(cycles(circle)).toEqual([['a.ts', 'b.ts', 'c.ts', 'a.ts']]);
    expect(
      cycles(
        new Map([
          ['a.ts', ['b.ts']],
          ['b.ts', []],
        ]),
      ),
    ).toEqual([]);
  });

  it('ARCHITECTURE.md shows exactly this table', () => {
    const text = readFileSync(join(__dirname, '..', 'ARCHITECTURE.md'), 'utf8');
    const section = text.slice(text.indexOf('## Who may import whom')).split(/\n## /)[0];
    const rows = [...section.matchAll(/^\| `(\w+)` \| (.*) \|$/gm)].map(([, folder, allowed]) => [
      folder,
      [...allowed.matchAll(/`(\w+)`/g)].map((match) => match[1]),
    ]);
    expect(Object.fromEntries(rows)).toEqual(MAY_IMPORT);
  });
});
