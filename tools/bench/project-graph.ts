/**
 * Project-graph time with N Dockerfile services, with the plugin vs the same workspace without it (issue target:
 * ratio <= 1.5 at 1,000 services). Each side runs `nx show projects` with the daemon off and Nx's graph cache
 * cleared, interleaved, median of R runs; one run of this script gives the ratio.
 * Run: node -r @swc-node/register tools/bench/project-graph.ts [services=1000] [runs=3]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { commitAll, installPlugin, nxBin, nxEnv, writeFiles } from '../fixtures/workspace-kit';

const services = Number(process.argv[2] ?? 1000);
const runs = Number(process.argv[3] ?? 3);

function workspace(withPlugin: boolean): string {
  const dir = mkdtempSync(join(tmpdir(), `graph-bench-${withPlugin ? 'plugin' : 'plain'}-`));
  const files: Record<string, string> = {
    'nx.json': JSON.stringify({ plugins: withPlugin ? [{ plugin: 'nx-multiarch', options: { registry: '127.0.0.1:5000' } }] : [] }),
  };
  for (let i = 0; i < services; i++) {
    files[`services/svc-${i}/project.json`] = JSON.stringify({ name: `svc-${i}` });
    files[`services/svc-${i}/Dockerfile`] = `ARG BASE_IMAGE=busybox\nFROM \${BASE_IMAGE}\nCOPY src/ /app/\nRUN uname -m > /app/arch\n`;
    files[`services/svc-${i}/.dockerignore`] = '*.md\n';
    files[`services/svc-${i}/src/app.sh`] = `echo ${i}\n`;
  }
  writeFiles(dir, files);
  installPlugin(dir);
  commitAll(dir, 'graph bench');
  return dir;
}

function graphSeconds(dir: string): number {
  rmSync(join(dir, '.nx'), { recursive: true, force: true });
  const started = process.hrtime.bigint();
  const out = execFileSync(nxBin, ['show', 'projects', '--json'], {
    cwd: dir,
    env: {
      ...process.env,
      ...nxEnv(),
      NX_CACHE_DIRECTORY: join(dir, '.nx', 'cache'),
      NX_WORKSPACE_DATA_DIRECTORY: join(dir, '.nx', 'data'),
    },
    encoding: 'utf8',
  });
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  if (JSON.parse(out).length < services) throw new Error(`expected ${services} projects in ${dir}`);
  return seconds;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
const plain = workspace(false);
const plugin = workspace(true);
const withPlugin: number[] = [];
const without: number[] = [];
for (let i = 0; i < runs; i++) {
  without.push(graphSeconds(plain));
  withPlugin.push(graphSeconds(plugin));
}
const ratio = median(withPlugin) / median(without);
console.log(
  `project graph, ${services} Dockerfile services, median of ${runs} (NX_ISOLATE_PLUGINS=${nxEnv().NX_ISOLATE_PLUGINS}): with plugin ${median(withPlugin).toFixed(2)}s, without ${median(without).toFixed(2)}s, ratio ${ratio.toFixed(2)} (target <= 1.5: ${ratio <= 1.5 ? 'met' : 'NOT met'})`,
);
