/**
 * Project-graph time with N Dockerfile services, with the plugin vs the same workspace without it: `nx show projects`
 * with the daemon off, each case interleaved with the others, median of R runs; one run of this script gives every
 * ratio. The cases (issue 15's targets):
 * - cold: Nx's graph cache (its workspace data directory) cleared, and the plugin's inference cache with it: <= 1.3;
 * - cold, plugin cache kept: Nx's graph cache cleared, the plugin's cache left as the last run wrote it: <= 1.3;
 * - warm: nothing changed since the last run, both caches in place: <= 1.1.
 * And Nx's own floor for the same targets: a stand-in plugin that hands Nx the very projects and targets this plugin
 * infers, read from one JSON file, with no inference at all. What the floor costs over the plain workspace is Nx
 * merging, normalising and caching 5 targets per project; no cache in the plugin can go below it.
 * Every Dockerfile differs (a real workspace's do), so a parse remembered for one content can't stand in for the others.
 * Each case prints the wall-clock ratio (what the targets are about) and the ratio of CPU seconds, which the other work
 * on a busy machine disturbs less.
 * Run: node -r @swc-node/register tools/bench/project-graph.ts [services=1000] [runs=3]
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { commitAll, installPlugin, nxBin, nxEnv, repoRoot, writeFiles } from '../fixtures/workspace-kit';
import { createNodesV2 } from '../../packages/nx-multiarch/src/plugin/create-nodes';

const services = Number(process.argv[2] ?? 1000);
const runs = Number(process.argv[3] ?? 3);
const PLUGIN_CACHE = /^nx-multiarch-.*\.hash$/;

const OPTIONS = { registry: '127.0.0.1:5000' };
const STAND_IN = `const results = require('./stand-in-results.json');
exports.createNodesV2 = ['**/Dockerfile', (files) => { const given = new Set(files); return results.filter(([file]) => given.has(file)); }];
`;

function workspace(kind: 'plain' | 'plugin' | 'floor'): string {
  const dir = mkdtempSync(join(tmpdir(), `graph-bench-${kind}-`));
  const plugins = { plain: [], plugin: [{ plugin: 'nx-multiarch', options: OPTIONS }], floor: [STAND_IN_PACKAGE] }[kind];
  const files: Record<string, string> = { 'nx.json': JSON.stringify({ plugins }) };
  for (let i = 0; i < services; i++) {
    files[`services/svc-${i}/project.json`] = JSON.stringify({ name: `svc-${i}` });
    files[`services/svc-${i}/Dockerfile`] =
      `ARG BASE_IMAGE=busybox\nFROM \${BASE_IMAGE}\nCOPY src/ /app/\nRUN uname -m > /app/arch && echo svc-${i} > /app/name\n`;
    files[`services/svc-${i}/.dockerignore`] = '*.md\n';
    files[`services/svc-${i}/src/app.sh`] = `echo ${i}\n`;
  }
  writeFiles(dir, files);
  installPlugin(dir);
  commitAll(dir, 'graph bench');
  return dir;
}

/**
 * The floor workspace's stand-in plugin, handing Nx what this plugin infers for the same files. It is installed as a
 * package, as this plugin is: named by a path in nx.json it cost Nx more (a floor of 1.99 cold against 1.43 as a
 * package, 2026-12-02), which would put the floor above what a package can reach.
 */
const STAND_IN_PACKAGE = 'graph-bench-stand-in';

async function writeStandIn(dir: string): Promise<void> {
  const dockerfiles = Array.from({ length: services }, (_, i) => `services/svc-${i}/Dockerfile`);
  const results = await createNodesV2[1](dockerfiles, OPTIONS, { workspaceRoot: dir, nxJsonConfiguration: {} });
  rmSync(join(dir, '.nx'), { recursive: true, force: true });
  // node_modules: this repository's packages, one link each, and the stand-in beside them
  rmSync(join(dir, 'node_modules'));
  mkdirSync(join(dir, 'node_modules'));
  for (const entry of readdirSync(join(repoRoot, 'node_modules')))
    symlinkSync(join(repoRoot, 'node_modules', entry), join(dir, 'node_modules', entry));
  writeFiles(dir, {
    [`node_modules/${STAND_IN_PACKAGE}/package.json`]: JSON.stringify({ name: STAND_IN_PACKAGE, version: '0.0.0', main: 'index.js' }),
    [`node_modules/${STAND_IN_PACKAGE}/index.js`]: STAND_IN,
    [`node_modules/${STAND_IN_PACKAGE}/stand-in-results.json`]: JSON.stringify(results),
  });
}

const dataDirectory = (dir: string) => join(dir, '.nx', 'data');

/** Nx's caches cleared; the plugin's inference cache too unless `keepPluginCache`. */
function clearNxCaches(dir: string, keepPluginCache: boolean): void {
  rmSync(join(dir, '.nx', 'cache'), { recursive: true, force: true });
  let entries: string[];
  try {
    entries = readdirSync(dataDirectory(dir));
  } catch {
    return; // none yet
  }
  for (const entry of entries.filter((name) => !(keepPluginCache && PLUGIN_CACHE.test(name)))) {
    rmSync(join(dataDirectory(dir), entry), { recursive: true, force: true });
  }
}

interface Sample {
  /** seconds on the clock: what the targets are about */
  wall: number;
  /** CPU seconds of nx and everything it started, which other work on a busy machine disturbs less */
  cpu: number;
}

/** CPU seconds of the children this process has waited for (Linux: /proc/self/stat cutime + cstime, 100 ticks a second). */
function childrenCpuSeconds(): number {
  const fields = readFileSync('/proc/self/stat', 'utf8').split(') ')[1].split(' ');
  return (Number(fields[13]) + Number(fields[14])) / 100;
}

function graphSeconds(dir: string): Sample {
  const cpuBefore = childrenCpuSeconds();
  const started = process.hrtime.bigint();
  const out = execFileSync(nxBin, ['show', 'projects', '--json'], {
    cwd: dir,
    env: { ...process.env, ...nxEnv(), NX_CACHE_DIRECTORY: join(dir, '.nx', 'cache'), NX_WORKSPACE_DATA_DIRECTORY: dataDirectory(dir) },
    encoding: 'utf8',
  });
  const wall = Number(process.hrtime.bigint() - started) / 1e9;
  if (JSON.parse(out).length < services) throw new Error(`expected ${services} projects in ${dir}`);
  return { wall, cpu: childrenCpuSeconds() - cpuBefore };
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const wall = (samples: Sample[]) => median(samples.map((sample) => sample.wall));
const cpu = (samples: Sample[]) => median(samples.map((sample) => sample.cpu));
const load = () =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
const nxVersion = JSON.parse(readFileSync(join(repoRoot, 'node_modules', 'nx', 'package.json'), 'utf8')).version as string;

const report = (name: string, withPlugin: Sample[], without: Sample[], target?: number) => {
  const ratio = wall(withPlugin) / wall(without);
  const verdict = target === undefined ? 'no target' : `target <= ${target}: ${ratio <= target ? 'met' : 'NOT met'}`;
  console.log(
    `${name}: ${wall(withPlugin).toFixed(2)}s vs ${wall(without).toFixed(2)}s without the plugin, ratio ${ratio.toFixed(2)} (${verdict}); ` +
      `CPU ${cpu(withPlugin).toFixed(2)}s vs ${cpu(without).toFixed(2)}s, ratio ${(cpu(withPlugin) / cpu(without)).toFixed(2)}`,
  );
};

async function main(): Promise<void> {
  const loadBefore = load();
  const plain = workspace('plain');
  const plugin = workspace('plugin');
  const floor = workspace('floor');
  await writeStandIn(floor);
  const times = {
    plainCold: [] as Sample[],
    plainWarm: [] as Sample[],
    cold: [] as Sample[],
    coldKept: [] as Sample[],
    warm: [] as Sample[],
    floorCold: [] as Sample[],
    floorWarm: [] as Sample[],
  };
  for (let i = 0; i < runs; i++) {
    clearNxCaches(plain, false);
    times.plainCold.push(graphSeconds(plain));
    times.plainWarm.push(graphSeconds(plain));
    clearNxCaches(plugin, false);
    times.cold.push(graphSeconds(plugin));
    clearNxCaches(plugin, true);
    times.coldKept.push(graphSeconds(plugin));
    times.warm.push(graphSeconds(plugin));
    clearNxCaches(floor, false);
    times.floorCold.push(graphSeconds(floor));
    times.floorWarm.push(graphSeconds(floor));
  }
  if (!readdirSync(dataDirectory(plugin)).some((name) => PLUGIN_CACHE.test(name))) throw new Error('the plugin wrote no inference cache');

  console.log(
    `project graph, ${services} Dockerfile services, median of ${runs}, nx ${nxVersion}, NX_ISOLATE_PLUGINS=${nxEnv().NX_ISOLATE_PLUGINS}, ` +
      `${cpus().length} cores (${cpus()[0]?.model.trim()}), load ${loadBefore} before and ${load()} after, ${new Date().toISOString().slice(0, 10)}`,
  );
  report("cold (Nx's graph cache and the plugin's cache cleared)", times.cold, times.plainCold, 1.3);
  report("cold, plugin cache kept (Nx's graph cache cleared)", times.coldKept, times.plainCold, 1.3);
  report('warm (nothing changed)', times.warm, times.plainWarm, 1.1);
  report("Nx's floor, cold (a stand-in plugin handing Nx the same targets, no inference)", times.floorCold, times.plainCold);
  report("Nx's floor, warm", times.floorWarm, times.plainWarm);
  for (const dir of [plain, plugin, floor]) rmSync(dir, { recursive: true, force: true });
}

void main();
