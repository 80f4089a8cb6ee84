/**
 * The plugin's import graph stays a graph of layers: no file imports itself round a circle, no folder does, core
 * imports nothing else of the plugin, and each folder imports only the folders listed below (ARCHITECTURE.md shows the
 * same table, and the last test keeps the two equal). Read with the TypeScript pre-processor (tools/import-graph.ts),
 * so it takes well under a second.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cycles, folderGraph, folderOf, importGraph, isTestFile } from './import-graph';

/** Who may import whom, lowest layer first. A new edge belongs here only if it keeps the graph free of circles. */
const MAY_IMPORT: Record<string, string[]> = {
  core: [],
  devkit: [],
  run: ['core', 'devkit'],
  dockerfile: ['core'],
  image: ['core', 'run'],
  git: ['core', 'run'],
  kind: ['run'],
  lint: ['dockerfile'],
  registry: ['core', 'image', 'run'],
  engines: ['core', 'dockerfile', 'image', 'run'],
  config: ['core', 'devkit', 'image', 'lint'],
  plan: ['core', 'engines', 'git', 'image', 'run'],
  plugin: ['config', 'core', 'devkit', 'dockerfile', 'git', 'image', 'lint'],
  hooks: ['config', 'devkit', 'run'],
  generators: ['config', 'core', 'devkit', 'dockerfile', 'image', 'lint'],
  executors: ['config', 'core', 'devkit', 'dockerfile', 'engines', 'git', 'image', 'kind', 'lint', 'plan', 'plugin', 'registry', 'run'],
  index: ['config', 'hooks', 'plugin'],
};

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
    const outside = [...graph].filter(([file]) => folderOf(file) === 'core').flatMap(([file, imports]) => imports.filter((target) => folderOf(target) !== 'core').map((target) => `${file} -> ${target}`));
    expect(outside).toEqual([]);
  });

  it('each folder imports only what it may', () => {
    const unlisted = [...graph]
      .filter(([file]) => !isTestFile(file))
      .flatMap(([file, imports]) => imports.filter((target) => folderOf(target) !== folderOf(file) && !(MAY_IMPORT[folderOf(file)] ?? []).includes(folderOf(target))).map((target) => `${file} -> ${target}`));
    expect(unlisted).toEqual([]);
  });

  it('finds a circle when there is one', () => {
    const circle = new Map([['a.ts', ['b.ts']], ['b.ts', ['c.ts']], ['c.ts', ['a.ts']], ['d.ts', ['a.ts']]]);
    expect(cycles(circle)).toEqual([['a.ts', 'b.ts', 'c.ts', 'a.ts']]);
    expect(cycles(new Map([['a.ts', ['b.ts']], ['b.ts', []]]))).toEqual([]);
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
