/**
 * Affected-only builds at 50 services, all ratios from this one run (issue targets in brackets):
 *  (a) `nx affected -t docker-build` after changing 1 of 50 services vs one plain podman build of it  [<= 1.3]
 *  (b) a no-change `nx run-many -t docker-build` over the 50: engine builds (0) and wall time            [<= 3 s]
 *  (c) docker-push in a second clone restoring from the (remote) Nx cache vs build + push in the first [<= 0.3]
 * Where a target is not met, the floor beside it says what no plugin change can remove: nx's own cost of one task
 * (an empty task in the same workspace), the engine's export of the list as an OCI layout, skopeo's own copy.
 * Needs tools/setup.sh (podman, registry). Run: node -r @swc-node/register tools/bench/affected.ts [services=50]
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cloneWorkspace, nxEnv } from '../fixtures/workspace-kit';
import { startRemoteCache } from '../../packages/nx-multiarch/e2e/remote-cache-server';
import { BASE, measuredServices, misses, nxIn, REGISTRY, run, servicesWorkspace, timed, verdict } from './services-workspace';

const services = Number(process.argv[2] ?? 50);
const s = (seconds: number) => `${seconds.toFixed(2)}s`;
const { changed, pushed } = measuredServices(services);

async function main() {
  const cache = await startRemoteCache();
  const dirA = servicesWorkspace(services, 'affected-bench-a-');
  // The remote cache is on for the warm-up (which fills it) and for (c); (a) and (b) are a developer's local runs.
  console.log(`NX_ISOLATE_PLUGINS=${nxEnv().NX_ISOLATE_PLUGINS}; building ${services} services once (cache warm-up)...`);
  await nxIn(dirA, ['run-many', '-t', 'docker-build'], { remoteCache: cache.url });
  const empty = await timed(() => nxIn(dirA, ['run', `${changed}:empty`]));

  // (a) one service changed: nx affected vs the plain engine build of that service
  appendFileSync(join(dirA, `services/${changed}/src/app.sh`), '# changed\n');
  const affected = await timed(() => nxIn(dirA, ['affected', '-t', 'docker-build', `--files=services/${changed}/src/app.sh`]));
  appendFileSync(join(dirA, `services/${changed}/src/app.sh`), '# changed again\n');
  const list = `localhost/bench-plain/${changed}:${process.pid}`;
  const plain = await timed(() =>
    run('podman', [
      'build',
      '--platform',
      'linux/amd64,linux/arm64',
      '--manifest',
      list,
      '--build-arg',
      `BASE_IMAGE=${BASE}`,
      join(dirA, 'services', changed),
    ]),
  );
  const layout = mkdtempSync(join(tmpdir(), 'affected-bench-layout-'));
  const exported = await timed(() => run('podman', ['manifest', 'push', '--all', list, `oci:${layout}:latest`]));
  await run('podman', ['manifest', 'rm', list]);
  rmSync(layout, { recursive: true, force: true });
  execFileSync('git', ['checkout', '--', '.'], { cwd: dirA });
  await nxIn(dirA, ['run', `${changed}:docker-build`]);
  const ratioA = affected.seconds / plain.seconds;
  console.log(
    `(a) 1 of ${services} changed: nx affected ${s(affected.seconds)} (${misses(affected.output)} engine build), plain podman build ${s(plain.seconds)}, ratio ${ratioA.toFixed(2)} ${verdict(ratioA, 1.3)}`,
  );
  const floorA = (plain.seconds + empty.seconds + exported.seconds) / plain.seconds;
  console.log(
    `    floor: (plain build + nx's empty task ${s(empty.seconds)} + podman's own OCI layout export ${s(exported.seconds)}) / plain = ${floorA.toFixed(2)}`,
  );

  // (b) nothing changed
  const none = await timed(() => nxIn(dirA, ['run-many', '-t', 'docker-build']));
  const builds = misses(none.output);
  console.log(
    `(b) no change over ${services}: ${builds} engine builds, ${s(none.seconds)} [target 0 builds, <= 3 s: ${builds === 0 && none.seconds <= 3 ? 'met' : 'NOT met'}]`,
  );

  // (c) push from a cache-restored clone vs build + push
  const buildAndPush = await timed(() =>
    nxIn(dirA, ['run', `${pushed}:docker-push`, '--tag=a', '--skip-nx-cache'], { remoteCache: cache.url }),
  );
  const dirB = mkdtempSync(join(tmpdir(), 'affected-bench-b-'));
  cloneWorkspace(dirA, dirB);
  const fromCache = await timed(() => nxIn(dirB, ['run', `${pushed}:docker-push`, '--tag=b'], { remoteCache: cache.url }));
  const ratioC = fromCache.seconds / buildAndPush.seconds;
  console.log(
    `(c) docker-push from a cache-restored clone ${s(fromCache.seconds)} (${misses(fromCache.output)} engine builds) vs build+push ${s(buildAndPush.seconds)}, ratio ${ratioC.toFixed(2)} ${verdict(ratioC, 0.3)}`,
  );
  const repository = JSON.parse(readFileSync(join(dirA, 'nx.json'), 'utf8')).plugins[0].options.imageName.replace('{projectName}', pushed);
  const copy = await timed(() =>
    run('skopeo', [
      'copy',
      '--all',
      '--preserve-digests',
      '--dest-tls-verify=false',
      `oci:${join(dirB, `dist/images/services/${pushed}/oci`)}:latest`,
      `docker://${REGISTRY}/${repository}:c`,
    ]),
  );
  const floorC = (empty.seconds + copy.seconds) / buildAndPush.seconds;
  console.log(
    `    floor: (nx's empty task ${s(empty.seconds)} + skopeo's own copy of the layout ${s(copy.seconds)}) / build+push = ${floorC.toFixed(2)}`,
  );
  await cache.close();
  for (const dir of [dirA, dirB]) rmSync(dir, { recursive: true, force: true });
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
