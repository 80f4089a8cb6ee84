/**
 * Where the time of (a) one affected docker-build and (c) a docker-push from a cache-restored clone goes, in the
 * workspace tools/bench/affected.ts measures: a timeline of each traced command (node processes, the plugin's
 * require, every podman, skopeo and git process and the gaps between them) and nx's own measures. See trace.ts.
 * Run: node -r @swc-node/register tools/bench/profile.ts [services=50]
 */
import { appendFileSync } from 'node:fs';
import { join } from 'node:path';
import { cloneWorkspace, tempDir } from '../fixtures/workspace-kit';
import { startRemoteCache } from '../../packages/nx-multiarch/e2e/remote-cache-server';
import { benchMain, measuredServices, nxIn, servicesWorkspace, useBenchStore } from './services-workspace';
import { nxMeasures, tracing, type TraceEvent } from './trace';

const services = Number(process.argv[2] ?? 50);
const { changed, pushed } = measuredServices(services);
const INTERESTING = /createNodes|Load Nx Plugin|createProjectGraphAsync|hash|cache|task-execution|code-loading|preTasks|createDependencies/;

function timeline(title: string, events: TraceEvent[], spawned: number, ended: number, output: string) {
  const at = (t: number) => (t - spawned).toFixed(0).padStart(6);
  const rows: Array<[number, string]> = [[spawned, 'nx spawned']];
  for (const e of events) {
    if (e.kind === 'node-start')
      rows.push(
        [e.start, `node ${e.pid} exec (${e.argv.slice(-70)})`],
        [e.end!, `node ${e.pid} ready after ${(e.end! - e.start).toFixed(0)} ms`],
      );
    if (e.kind === 'node-exit') rows.push([e.start, `node ${e.pid} exit`]);
    if (e.kind === 'require') rows.push([e.start, `node ${e.pid} require ${e.argv.slice(-60)}: ${(e.end! - e.start).toFixed(0)} ms`]);
    if (e.kind === 'tool') rows.push([e.start, `${(e.end! - e.start).toFixed(0).padStart(5)} ms  ${e.argv.slice(0, 110)}`]);
  }
  rows.push([ended, 'nx returned']);
  rows.sort((a, b) => a[0] - b[0]);
  console.log(`\n## ${title}: ${(ended - spawned).toFixed(0)} ms\n\n   at ms  event`);
  for (const [t, text] of rows) console.log(`${at(t)}  ${text}`);
  console.log('\nnx measures (ms):');
  for (const [name, ms] of nxMeasures(output)) if (INTERESTING.test(name)) console.log(`  ${ms.toFixed(0).padStart(6)}  ${name}`);
}

async function traced(title: string, dir: string, args: string[], remoteCache?: string) {
  const trace = tracing();
  const spawned = Date.now();
  const output = await nxIn(dir, args, { remoteCache, env: trace.env });
  timeline(title, trace.read(), spawned, Date.now(), output);
  trace.remove();
}

benchMain(async () => {
  const store = useBenchStore();
  const cache = await startRemoteCache();
  try {
    await profile(cache.url);
  } finally {
    await cache.close();
  }
  console.log(`\n${store}`);
});

async function profile(remoteCache: string) {
  const { dir: dirA } = servicesWorkspace(services, 'profile-bench-a-');
  // Only the two services measured are built first: `--files` makes the changed one the one affected project whatever the others' state.
  console.log(`building ${pushed} and ${changed} of ${services} services (cache warm-up)...`);
  await nxIn(dirA, ['run-many', '-t', 'docker-build', '-p', `${pushed},${changed}`], { remoteCache });

  appendFileSync(join(dirA, `services/${changed}/src/app.sh`), `# changed ${Date.now()}\n`);
  await traced(`(a) nx affected -t docker-build, 1 of ${services} changed`, dirA, [
    'affected',
    '-t',
    'docker-build',
    `--files=services/${changed}/src/app.sh`,
  ]);
  await traced("an empty task (nx:run-commands `true`, run in nx's own process)", dirA, ['run', `${changed}:empty`]);
  await traced("an executor that does nothing (in a process nx forks, as for this plugin's)", dirA, ['run', `${changed}:empty-executor`]);

  await nxIn(dirA, ['run', `${pushed}:docker-push`, '--tag=a'], { remoteCache });
  const dirB = tempDir('profile-bench-b-');
  cloneWorkspace(dirA, dirB);
  await traced('(c) docker-push from a cache-restored clone', dirB, ['run', `${pushed}:docker-push`, '--tag=b'], remoteCache);
}
