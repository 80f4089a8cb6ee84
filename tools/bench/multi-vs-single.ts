/**
 * Multi-arch vs single-platform build wall time for the cross-compiled gateway-service and context-api (emulated RUN
 * steps), two ways in the same run: through the plugin (nx docker-build vs docker-build-single) and with raw podman
 * (`podman build` of the same Dockerfile with the same build args, timestamp and --jobs, into a list vs one platform).
 * The engine's ratio is the floor the plugin's ratio can reach: what is above it is the plugin's overhead (Dockerfile
 * copy, base pulls, OCI layout export, image.json, nx). Interleaved runs, engine layer cache off (--no-cache), Nx cache
 * skipped; medians and their ratios, all from this one run (machines are noisy: compare ratios, not seconds).
 * podman runs in a store of the benchmark's own (see useBenchStore); one untimed build of each kind first pulls the bases.
 * Run: node -r @swc-node/register tools/bench/multi-vs-single.ts [runs=3]
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { nxBin, nxEnv } from '../fixtures/workspace-kit';
import { benchMain, median, useBenchStore } from './services-workspace';

const workspaceRoot = join(__dirname, '..', '..');
const runs = Number(process.argv[2] ?? 3);
const platforms = ['linux/amd64', 'linux/arm64'];
const host = process.arch === 'arm64' ? 'linux/arm64' : 'linux/amd64';
const jobs = Math.min(platforms.length, availableParallelism()); // the jobs option's default
const epoch = '1700000000';
const services = [
  { project: 'gateway-service', kind: 'cross-compiled', target: 1.3 },
  { project: 'context-api', kind: 'emulated RUN steps', target: 1.45 },
];

const pluginOptions = (
  JSON.parse(readFileSync(join(workspaceRoot, 'nx.json'), 'utf8')) as {
    plugins: Array<{ options?: { buildArgs?: Record<string, string> } }>;
  }
).plugins[0].options;
const buildArgs = { BUILDPLATFORM: host, BUILDOS: 'linux', BUILDARCH: host.split('/')[1], ...pluginOptions?.buildArgs };

function timed(run: () => void): number {
  const started = process.hrtime.bigint();
  run();
  return Number(process.hrtime.bigint() - started) / 1e9;
}

const plugin = (target: string) =>
  timed(() =>
    execFileSync(nxBin, ['run', target, '--skip-nx-cache', '--extraArgs=--no-cache'], {
      cwd: workspaceRoot,
      env: { ...process.env, ...nxEnv() },
      stdio: 'ignore',
    }),
  );

let engineRestarts = 0;
/** podman itself, as the plugin calls it minus the plugin's own steps; its known pull race restarts the build (counted). */
function podman(project: string, multi: boolean): number {
  const name = `localhost/nx-multiarch-bench/${project}:${multi ? 'multi' : 'single'}-${process.pid}`;
  const output = multi
    ? ['--platform', platforms.join(','), '--manifest', name, '--jobs', String(jobs)]
    : ['--platform', host, '--tag', name];
  const args = Object.entries(buildArgs).flatMap(([key, value]) => ['--build-arg', `${key}=${value}`]);
  const context = join(workspaceRoot, 'services', project);
  const argv = ['build', ...output, '--timestamp', epoch, '--no-cache', ...args, '--file', join(context, 'Dockerfile'), context];
  try {
    return timed(() => {
      for (let attempt = 1; ; attempt++) {
        const result = spawnSync('podman', argv, { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
        if (result.status === 0) return;
        if (attempt < 3 && /image not known/.test(result.stderr)) {
          engineRestarts++;
          spawnSync('podman', ['manifest', 'rm', name]);
          continue;
        }
        throw new Error(`podman ${argv.join(' ')} failed:\n${result.stderr}`);
      }
    });
  } finally {
    spawnSync('podman', multi ? ['manifest', 'rm', name] : ['rmi', name]);
  }
}

const verdict = (ratio: number, target: number) => `target <= ${target}: ${ratio <= target ? 'met' : 'NOT met'}`;

benchMain(async () => {
  const store = useBenchStore();
  console.log(
    `${store}\nmulti-arch (${platforms.join(', ')}, jobs ${jobs}) vs single-platform (${host}) build, median of ${runs} interleaved runs each; ` +
      `${availableParallelism()} cores, load ${loadavg()
        .map((l) => l.toFixed(2))
        .join(' ')} at start, NX_ISOLATE_PLUGINS=${nxEnv().NX_ISOLATE_PLUGINS}`,
  );
  for (const { project, kind, target } of services) {
    plugin(`${project}:docker-build`);
    plugin(`${project}:docker-build-single`);
    podman(project, true);
    const times = { pluginMulti: [] as number[], pluginSingle: [] as number[], engineMulti: [] as number[], engineSingle: [] as number[] };
    for (let i = 0; i < runs; i++) {
      times.pluginMulti.push(plugin(`${project}:docker-build`));
      times.pluginSingle.push(plugin(`${project}:docker-build-single`));
      times.engineMulti.push(podman(project, true));
      times.engineSingle.push(podman(project, false));
    }
    const pluginRatio = median(times.pluginMulti) / median(times.pluginSingle);
    const engineRatio = median(times.engineMulti) / median(times.engineSingle);
    const floor =
      pluginRatio > target && engineRatio > target ? ` (the engine's own ratio is above the target: not reachable on top of it here)` : '';
    console.log(
      `${project} (${kind}):\n` +
        `  plugin  multi ${median(times.pluginMulti).toFixed(1)}s  single ${median(times.pluginSingle).toFixed(1)}s  ratio ${pluginRatio.toFixed(2)}  ${verdict(pluginRatio, target)}${floor}\n` +
        `  podman  multi ${median(times.engineMulti).toFixed(1)}s  single ${median(times.engineSingle).toFixed(1)}s  ratio ${engineRatio.toFixed(2)}  (the engine's own floor)`,
    );
  }
  console.log(
    `load at the end: ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}; raw podman restarts after its pull race: ${engineRestarts}`,
  );
});
