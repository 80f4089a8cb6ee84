/**
 * Affected-only builds at 50 services, all ratios from this one run (issue targets in brackets):
 *  (a) `nx affected -t docker-build` after changing 1 of 50 services vs one plain podman build of it  [<= 1.3]
 *      median of R rounds, each a new one-line change built both ways, one after the other
 *  (b) a no-change `nx run-many -t docker-build` over the 50: engine builds (0) and wall time            [<= 3 s]
 *  (c) docker-push in a second clone restoring from the (remote) Nx cache vs build + push in the first [<= 0.3]
 * Where a target is not met, the floor beside it says what no plugin change can remove: nx's own cost of a plugin's
 * task (an executor that does nothing, in the same workspace: Nx forks a process for it as it does for this plugin's),
 * the engine's export of the list as an OCI layout (what the cache keeps), skopeo's own copy.
 * podman runs in a store of the benchmark's own (see useBenchStore).
 * Needs tools/setup.sh (podman, registry). Run: node -r @swc-node/register tools/bench/affected.ts [services=50] [rounds=3]
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { cloneWorkspace, nxEnv, tempDir } from '../fixtures/workspace-kit';
import { startRemoteCache } from '../../packages/nx-multiarch/e2e/remote-cache-server';
import {
  BASE,
  benchMain,
  measuredServices,
  median,
  misses,
  nxIn,
  REGISTRY,
  run,
  servicesWorkspace,
  timed,
  useBenchStore,
  verdict,
} from './services-workspace';

const services = Number(process.argv[2] ?? 50);
const rounds = Number(process.argv[3] ?? 3);
const s = (seconds: number) => `${seconds.toFixed(2)}s`;
const list = (values: number[]) => values.map((value) => value.toFixed(2)).join(', ');
const { changed, pushed } = measuredServices(services);

/** What a developer runs without the plugin: the same Dockerfile and build arg, both platforms into one list. */
const plainBuild = (dir: string, name: string) =>
  run('podman', [
    'build',
    '--platform',
    'linux/amd64,linux/arm64',
    '--manifest',
    name,
    '--build-arg',
    `BASE_IMAGE=${BASE}`,
    join(dir, 'services', changed),
  ]);

benchMain(async () => {
  const store = useBenchStore();
  const cache = await startRemoteCache();
  try {
    await measure(store, cache.url);
  } finally {
    await cache.close();
  }
});

async function measure(store: string, remoteCache: string) {
  const { dir: dirA, imageName } = servicesWorkspace(services, 'affected-bench-a-');
  console.log(
    `${store}; ${availableParallelism()} cores, load ${loadavg()
      .map((l) => l.toFixed(2))
      .join(' ')}; NX_ISOLATE_PLUGINS=${nxEnv().NX_ISOLATE_PLUGINS}; building ${services} services once (cache warm-up)...`,
  );
  // The remote cache is on for the warm-up (which fills it) and for (c); (a) and (b) are a developer's local runs.
  await nxIn(dirA, ['run-many', '-t', 'docker-build'], { remoteCache });
  const plainList = `localhost/bench-plain/${changed}:${process.pid}`;
  // The plain build's bases come from this first, untimed build, as they would be in a developer's store.
  await plainBuild(dirA, plainList);
  await run('podman', ['manifest', 'rm', plainList]);

  // (a) one service changed: nx affected vs the plain engine build of that service
  const times = {
    affected: [] as number[],
    plain: [] as number[],
    exported: [] as number[],
    empty: [] as number[],
    forked: [] as number[],
  };
  const source = join(dirA, `services/${changed}/src/app.sh`);
  let engineBuilds = 0;
  for (let round = 1; round <= rounds; round++) {
    appendFileSync(source, `# change ${round}\n`);
    const affected = await timed(() => nxIn(dirA, ['affected', '-t', 'docker-build', `--files=services/${changed}/src/app.sh`]));
    engineBuilds += misses(affected.output);
    times.affected.push(affected.seconds);
    appendFileSync(source, `# change ${round} again\n`);
    times.plain.push((await timed(() => plainBuild(dirA, plainList))).seconds);
    const layout = tempDir('affected-bench-layout-');
    times.exported.push((await timed(() => run('podman', ['manifest', 'push', '--all', plainList, `oci:${layout}:latest`]))).seconds);
    await run('podman', ['manifest', 'rm', plainList]);
    times.empty.push((await timed(() => nxIn(dirA, ['run', `${changed}:empty`]))).seconds);
    times.forked.push((await timed(() => nxIn(dirA, ['run', `${changed}:empty-executor`]))).seconds);
  }
  execFileSync('git', ['checkout', '--', '.'], { cwd: dirA });
  await nxIn(dirA, ['run', `${changed}:docker-build`]);
  const [affected, plain, exported, empty, forked] = [times.affected, times.plain, times.exported, times.empty, times.forked].map(median);
  const ratioA = affected / plain;
  console.log(
    `(a) 1 of ${services} changed, median of ${rounds} rounds: nx affected ${s(affected)} (${engineBuilds} engine builds in all), plain podman build ${s(plain)}, ratio ${ratioA.toFixed(2)} ${verdict(ratioA, 1.3)}`,
  );
  console.log(`    rounds: nx affected ${list(times.affected)}; plain ${list(times.plain)}`);
  const floorA = (plain + forked + exported) / plain;
  console.log(
    `    floor: (plain build + nx's task of an executor that does nothing ${s(forked)} + podman's own OCI layout export ${s(exported)}) / plain = ${floorA.toFixed(2)}` +
      ` (nx:run-commands, which nx runs without forking: ${s(empty)})`,
  );

  // (b) nothing changed
  const none = await timed(() => nxIn(dirA, ['run-many', '-t', 'docker-build']));
  const builds = misses(none.output);
  console.log(
    `(b) no change over ${services}: ${builds} engine builds, ${s(none.seconds)} [target 0 builds, <= 3 s: ${builds === 0 && none.seconds <= 3 ? 'met' : 'NOT met'}]`,
  );

  // (c) push from a cache-restored clone vs build + push
  const buildAndPush = await timed(() => nxIn(dirA, ['run', `${pushed}:docker-push`, '--tag=a', '--skip-nx-cache'], { remoteCache }));
  const dirB = tempDir('affected-bench-b-');
  cloneWorkspace(dirA, dirB);
  const fromCache = await timed(() => nxIn(dirB, ['run', `${pushed}:docker-push`, '--tag=b'], { remoteCache }));
  const ratioC = fromCache.seconds / buildAndPush.seconds;
  console.log(
    `(c) docker-push from a cache-restored clone ${s(fromCache.seconds)} (${misses(fromCache.output)} engine builds) vs build+push ${s(buildAndPush.seconds)}, ratio ${ratioC.toFixed(2)} ${verdict(ratioC, 0.3)}`,
  );
  const copy = await timed(() =>
    run('skopeo', [
      'copy',
      '--all',
      '--preserve-digests',
      '--dest-tls-verify=false',
      `oci:${join(dirB, `dist/images/services/${pushed}/oci`)}:latest`,
      `docker://${REGISTRY}/${imageName.replace('{projectName}', pushed)}:c`,
    ]),
  );
  const floorC = (forked + copy.seconds) / buildAndPush.seconds;
  console.log(
    `    floor: (nx's task of an executor that does nothing ${s(forked)} + skopeo's own copy of the layout ${s(copy.seconds)}) / build+push = ${floorC.toFixed(2)}`,
  );
}
