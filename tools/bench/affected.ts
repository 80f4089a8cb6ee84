/**
 * Affected-only builds at 50 services, all ratios from this one run (issue targets in brackets):
 *  (a) `nx affected -t docker-build` after changing 1 of 50 services vs one plain podman build of it  [<= 1.2]
 *  (b) a no-change `nx run-many -t docker-build` over the 50: engine builds (0) and wall time            [<= 3 s]
 *  (c) docker-push in a second clone restoring from the (remote) Nx cache vs build + push in the first [<= 0.3]
 * Needs tools/setup.sh (podman, registry). Run: node -r @swc-node/register tools/bench/affected.ts [services=50]
 */
import { execFile, execFileSync } from 'node:child_process';
import { promisify } from 'node:util';
import { appendFileSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { cloneWorkspace, commitAll, installPlugin, nxBin, nxEnv, writeFiles } from '../fixtures/workspace-kit';
import { startRemoteCache } from '../../packages/nx-multiarch/e2e/remote-cache-server';

const services = Number(process.argv[2] ?? 50);
const REGISTRY = '127.0.0.1:5000';
const BASE = `${REGISTRY}/fixtures/busybox:latest`;

async function timed(fn: () => Promise<string>): Promise<{ seconds: number; output: string }> {
  const started = process.hrtime.bigint();
  const output = await fn();
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, output };
}

// Asynchronous on purpose: the remote cache server answers from this same process.
const run = async (file: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}) =>
  (await promisify(execFile)(file, args, { ...options, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 })).stdout;

async function main() {
  const cache = await startRemoteCache();
  const dirA = mkdtempSync(join(tmpdir(), 'affected-bench-a-'));
  const files: Record<string, string> = {
    '.gitignore': 'node_modules\ndist\n.nx\n',
    'nx.json': JSON.stringify({
      plugins: [
        {
          plugin: 'nx-multiarch',
          options: { registry: REGISTRY, imageName: `bench-${Date.now()}/{projectName}`, buildArgs: { BASE_IMAGE: BASE } },
        },
      ],
    }),
  };
  for (let i = 0; i < services; i++) {
    files[`services/svc-${i}/project.json`] = JSON.stringify({ name: `svc-${i}` });
    files[`services/svc-${i}/Dockerfile`] = 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nCOPY src/ /app/\nRUN uname -m > /app/arch\n';
    files[`services/svc-${i}/src/app.sh`] = `echo ${i}\n`;
  }
  writeFiles(dirA, files);
  installPlugin(dirA);
  commitAll(dirA, 'affected bench');

  // The remote cache is on for the warm-up (which fills it) and for (c); (a) and (b) are a developer's local runs.
  const nx = (dir: string, args: string[], remote = false) =>
    run(nxBin, [...args, '--outputStyle=static', '--parallel=2'], {
      cwd: dir,
      env: {
        ...process.env,
        ...nxEnv(),
        CI: 'true',
        ...(remote ? { NX_SELF_HOSTED_REMOTE_CACHE_SERVER: cache.url } : {}),
        NX_CACHE_DIRECTORY: join(dir, '.nx', 'own-cache'),
        NX_WORKSPACE_DATA_DIRECTORY: join(dir, '.nx', 'own-data'),
      },
    });
  const misses = (output: string) =>
    [...output.replace(/\x1b\[[0-9;]*m/g, '').matchAll(/^> nx run \S+:docker-build(.*)$/gm)].filter(
      ([, rest]) => !/cache|existing outputs/.test(rest),
    ).length;

  console.log(`NX_ISOLATE_PLUGINS=${nxEnv().NX_ISOLATE_PLUGINS}; building ${services} services once (cache warm-up)...`);
  await nx(dirA, ['run-many', '-t', 'docker-build'], true);

  // (a) one service changed: nx affected vs the plain engine build of that service
  appendFileSync(join(dirA, 'services/svc-7/src/app.sh'), '# changed\n');
  const affected = await timed(() => nx(dirA, ['affected', '-t', 'docker-build', '--files=services/svc-7/src/app.sh']));
  appendFileSync(join(dirA, 'services/svc-7/src/app.sh'), '# changed again\n');
  const plain = await timed(async () => {
    const list = `localhost/bench-plain/svc-7:${process.pid}`;
    const out = await run('podman', [
      'build',
      '--platform',
      'linux/amd64,linux/arm64',
      '--manifest',
      list,
      '--build-arg',
      `BASE_IMAGE=${BASE}`,
      join(dirA, 'services/svc-7'),
    ]);
    await run('podman', ['manifest', 'rm', list]);
    return out;
  });
  execFileSync('git', ['checkout', '--', '.'], { cwd: dirA });
  await nx(dirA, ['run', 'svc-7:docker-build']);
  console.log(
    `(a) 1 of ${services} changed: nx affected ${affected.seconds.toFixed(1)}s (${misses(affected.output)} engine build), plain podman build ${plain.seconds.toFixed(1)}s, ratio ${(affected.seconds / plain.seconds).toFixed(2)} [target <= 1.2]`,
  );

  // (b) nothing changed
  const none = await timed(() => nx(dirA, ['run-many', '-t', 'docker-build']));
  console.log(
    `(b) no change over ${services}: ${misses(none.output)} engine builds, ${none.seconds.toFixed(1)}s [target 0 builds, <= 3 s]`,
  );

  // (c) push from a cache-restored clone vs build + push
  const buildAndPush = await timed(() => nx(dirA, ['run', 'svc-3:docker-push', '--tag=a', '--skip-nx-cache'], true));
  const dirB = mkdtempSync(join(tmpdir(), 'affected-bench-b-'));
  cloneWorkspace(dirA, dirB);
  const fromCache = await timed(() => nx(dirB, ['run', 'svc-3:docker-push', '--tag=b'], true));
  console.log(
    `(c) docker-push from a cache-restored clone ${fromCache.seconds.toFixed(1)}s (${misses(fromCache.output)} engine builds) vs build+push ${buildAndPush.seconds.toFixed(1)}s, ratio ${(fromCache.seconds / buildAndPush.seconds).toFixed(2)} [target <= 0.3]`,
  );
  await cache.close();
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
