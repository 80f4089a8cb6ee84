/**
 * Project-graph time with N Dockerfile services, with the plugin vs the same workspace without it: `nx show projects`
 * with the daemon off, each case interleaved with the others, median of R runs; one run of this script gives every
 * ratio. The cases (issue 15's targets):
 * - cold: Nx's graph cache (its workspace data directory) cleared, and the plugin's inference cache with it: <= 1.3;
 * - cold, plugin cache kept: Nx's graph cache cleared, the plugin's cache left as the last run wrote it: <= 1.3;
 * - warm: nothing changed since the last run, both caches in place: <= 1.1.
 * Every Dockerfile differs (a real workspace's do), so a parse remembered for one content can't stand in for the others.
 * Run: node -r @swc-node/register tools/bench/project-graph.ts [services=1000] [runs=3]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { commitAll, installPlugin, nxBin, nxEnv, repoRoot, writeFiles } from '../fixtures/workspace-kit';

const services = Number(process.argv[2] ?? 1000);
const runs = Number(process.argv[3] ?? 3);
const PLUGIN_CACHE = /^nx-multiarch-.*\.hash$/;

function workspace(withPlugin: boolean): string {
  const dir = mkdtempSync(join(tmpdir(), `graph-bench-${withPlugin ? 'plugin' : 'plain'}-`));
  const files: Record<string, string> = {
    'nx.json': JSON.stringify({ plugins: withPlugin ? [{ plugin: 'nx-multiarch', options: { registry: '127.0.0.1:5000' } }] : [] }),
  };
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

function graphSeconds(dir: string): number {
  const started = process.hrtime.bigint();
  const out = execFileSync(nxBin, ['show', 'projects', '--json'], {
    cwd: dir,
    env: { ...process.env, ...nxEnv(), NX_CACHE_DIRECTORY: join(dir, '.nx', 'cache'), NX_WORKSPACE_DATA_DIRECTORY: dataDirectory(dir) },
    encoding: 'utf8',
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (JSON.parse(out).length < services) throw new Error(`expected ${services} projects in ${dir}`);
  return seconds;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const load = () =>
  loadavg()
    .map((value) => value.toFixed(2))
    .join(' ');
const nxVersion = JSON.parse(readFileSync(join(repoRoot, 'node_modules', 'nx', 'package.json'), 'utf8')).version as string;

const loadBefore = load();
const plain = workspace(false);
const plugin = workspace(true);
const times = {
  plainCold: [] as number[],
  plainWarm: [] as number[],
  cold: [] as number[],
  coldKept: [] as number[],
  warm: [] as number[],
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
}
if (!readdirSync(dataDirectory(plugin)).some((name) => PLUGIN_CACHE.test(name))) throw new Error('the plugin wrote no inference cache');

console.log(
  `project graph, ${services} Dockerfile services, median of ${runs}, nx ${nxVersion}, NX_ISOLATE_PLUGINS=${nxEnv().NX_ISOLATE_PLUGINS}, ` +
    `${cpus().length} cores (${cpus()[0]?.model.trim()}), load ${loadBefore} before and ${load()} after, ${new Date().toISOString().slice(0, 10)}`,
);
const report = (name: string, withPlugin: number[], without: number[], target: number) => {
  const ratio = median(withPlugin) / median(without);
  console.log(
    `${name}: with plugin ${median(withPlugin).toFixed(2)}s, without ${median(without).toFixed(2)}s, ratio ${ratio.toFixed(2)} ` +
      `(target <= ${target}: ${ratio <= target ? 'met' : 'NOT met'})`,
  );
};
report("cold (Nx's graph cache and the plugin's cache cleared)", times.cold, times.plainCold, 1.3);
report("cold, plugin cache kept (Nx's graph cache cleared)", times.coldKept, times.plainCold, 1.3);
report('warm (nothing changed)', times.warm, times.plainWarm, 1.1);
