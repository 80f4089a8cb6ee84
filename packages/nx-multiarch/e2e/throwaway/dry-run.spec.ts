/**
 * A dry run runs nothing and shows what would run, for every target and everything in its task graph: a throwaway
 * workspace with a base image project and a service built FROM it, and podman, skopeo, docker and buildah reached
 * through wrappers that log their command line and then exec the real tool. Every dry run must leave the log empty,
 * write no image output and cache nothing; a real run afterwards must build (the log fills) and push.
 * In that real run the podman wrapper also stands in for podman 4.3's parallel-pull race: it fails the first build
 * once with podman's "image not known" message, without running it, and the plugin must clean up and build again (the
 * real race does not happen on demand).
 */
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { commitAll, installPlugin, pluginWorkspaceFiles, writeFiles } from '../../../../tools/fixtures/workspace-kit';
import { pathOf } from '../../src/run/path';
import { CACHE_NOTE, REGISTRY, remoteRaw, requireRealParts, RUN_ID, runNx, runNxOk, tempDir, type NxOptions } from '../harness';

const dir = tempDir('nx-multiarch-dry-');
const wrappers = tempDir('nx-multiarch-dry-wrappers-');
const LOG = join(wrappers, 'calls.log');
const NAMESPACE = `${RUN_ID}-dry`;
const TOOLS = ['podman', 'skopeo', 'docker', 'buildah'];
/** While this file exists, the podman wrapper fails the next `podman build` as podman 4.3's parallel-pull race does, and removes it. */
const FAIL_ONCE = join(wrappers, 'fail-next-build');
const IMAGE_NOT_KNOWN =
  'Error: creating build container: locating pulled image "127.0.0.1:5000/fixtures/busybox:latest" name in containers storage: ' +
  '127.0.0.1:5000/fixtures/busybox:latest: image not known';

/** A script that appends its command line to the log, then runs the real tool with the same arguments. */
function wrap(tool: string): void {
  const real = pathOf(tool);
  const run = real ? `exec '${real}' "$@"` : `echo "${tool} is not installed" >&2\nexit 127`;
  const failOnce =
    tool === 'podman'
      ? `if [ "$1" = build ] && [ -e '${FAIL_ONCE}' ]; then rm -f '${FAIL_ONCE}'; echo '${IMAGE_NOT_KNOWN}' >&2; exit 125; fi\n`
      : '';
  writeFileSync(join(wrappers, tool), `#!/bin/sh\nprintf '%s\\n' "${tool} $*" >> '${LOG}'\n${failOnce}${run}\n`);
  chmodSync(join(wrappers, tool), 0o755);
}

const calls = () => (existsSync(LOG) ? readFileSync(LOG, 'utf8') : '');

/** nx in the workspace, the wrappers first on PATH, a cache folder of its own. */
const IN_WORKSPACE: NxOptions = {
  cwd: dir,
  env: { IMAGE_TAG: 'dry', PATH: `${wrappers}${delimiter}${process.env.PATH}`, NX_CACHE_DIRECTORY: join(dir, '.nx', 'own-cache') },
  staticOutput: true,
  stripAnsi: true,
};
const nxIn = (args: string[]) => runNx(args, IN_WORKSPACE);
const nxOk = async (args: string[]) => (await runNxOk(args, IN_WORKSPACE)).output;

/** The Dockerfile a podman build step of `task` names, from the plan a dry run prints or the command a real run echoes. */
function podmanFileOf(output: string, task: string): string | undefined {
  const section = output.split(/^> nx run /m).find((part) => part.startsWith(`${task}`)) ?? '';
  return /podman build .*?--file (\S+)/.exec(section)?.[1];
}

beforeAll(async () => {
  await requireRealParts(['podman', 'skopeo', 'git']);
  for (const tool of TOOLS) wrap(tool);
  const busybox = await remoteRaw(`${REGISTRY}/fixtures/busybox:latest`);
  installPlugin(dir);
  writeFiles(dir, {
    ...pluginWorkspaceFiles({
      registry: REGISTRY,
      imageName: `${NAMESPACE}/{projectName}`,
      buildArgs: { BASE_IMAGE: `${REGISTRY}/fixtures/busybox:latest` },
    }),
    'services/base/project.json': JSON.stringify({ name: 'base' }),
    // The default pins the fixture's index by digest: a real docker-lint asks the registry about it (skopeo).
    'services/base/Dockerfile': `ARG BASE_IMAGE=${REGISTRY}/fixtures/busybox@${busybox.digest}\nFROM \${BASE_IMAGE}\nCOPY src/ /base/\n`,
    'services/base/src/base.txt': 'base\n',
    'services/app/project.json': JSON.stringify({ name: 'app' }),
    'services/app/Dockerfile': `FROM ${REGISTRY}/${NAMESPACE}/base:latest\nCOPY src/ /app/\n`,
    'services/app/src/app.txt': 'app\n',
  });
  commitAll(dir, 'dry-run workspace');
}, 15_000);

describe('dry runs', () => {
  // [command line, the tasks that must print a plan, what the plan must hold]
  const rows: Array<[string, string[], string[], RegExp]> = [
    [
      'docker-build',
      ['run', 'app:docker-build', '--dry-run'],
      ['base:docker-build', 'app:docker-build'],
      /podman build --platform linux\/amd64,linux\/arm64 --manifest /,
    ],
    [
      'docker-build-single',
      ['run', 'app:docker-build-single', '--dry-run'],
      ['app:docker-build-single'],
      /podman build --platform linux\/\w+ --tag 127\.0\.0\.1:5000\/\S+\/app:dry /,
    ],
    [
      'docker-push',
      ['run', 'app:docker-push', '--dry-run'],
      ['base:docker-build', 'app:docker-build', 'app:docker-push'],
      /skopeo copy --retry-times 3 --all --preserve-digests .* docker:\/\/127\.0\.0\.1:5000\/\S+\/app:dry\n/,
    ],
    [
      'docker-manifest',
      ['run', 'app:docker-manifest', '--dry-run'],
      ['app:docker-manifest'],
      /podman manifest push --all=false --format oci .* docker:\/\/127\.0\.0\.1:5000\/\S+\/app:dry\n/,
    ],
    [
      'docker-lint',
      ['run', 'base:docker-lint', '--dry-run'],
      ['base:docker-lint'],
      /skopeo inspect --raw --tls-verify=false docker:\/\/127\.0\.0\.1:5000\/fixtures\/busybox@sha256:/,
    ],
    [
      'docker-push -c arm64',
      ['run', 'app:docker-push', '-c', 'arm64', '--dry-run'],
      ['base:docker-build:arm64', 'app:docker-build:arm64', 'app:docker-push:arm64'],
      /--override-arch arm64 --preserve-digests .* docker:\/\/127\.0\.0\.1:5000\/\S+\/app:dry-arm64\n/,
    ],
  ];

  it.each(rows)(
    '%s: every task of the graph plans, none starts an engine or registry command, no output is written',
    async (_name, args, tasks, plan) => {
      const output = await nxOk(args);
      for (const task of tasks) expect(output).toContain(`Dry run of ${task}: nothing was run`);
      expect(output).toMatch(plan);
      expect(calls()).toBe('');
      expect(existsSync(join(dir, 'dist'))).toBe(false);
    },
    15_000,
  );

  it('names the Dockerfile copy podman builds in the argv, and that file is there with the lines it adds', async () => {
    const output = await nxOk(['run', 'app:docker-build', '--dry-run']);
    for (const task of ['base:docker-build', 'app:docker-build']) {
      const file = podmanFileOf(output, task)!;
      expect(file).toMatch(/\/nx-multiarch-dockerfiles\/\S+\/Dockerfile\.podman$/);
      expect(output).toContain(`${file}: the copy of services/${task.split(':')[0]}/Dockerfile that podman builds`);
      expect(readFileSync(file, 'utf8')).toMatch(/^LABEL nx-multiarch\.source-epoch="\d+"$/m);
    }
    // app builds FROM base's fresh layout, which a dry run has not built: the copy says where it goes
    expect(readFileSync(podmanFileOf(output, 'app:docker-build')!, 'utf8')).toMatch(
      /^FROM oci:\S+\/nx-multiarch-bases\/base-<index digest>:latest$/m,
    );
    expect(output).toMatch(/^ {2}\+ +\d+ {2}LABEL "org\.opencontainers\.image\.title"="app"/m);
    expect(calls()).toBe('');
  }, 10_000);

  it('caches nothing: the same dry run runs its tasks again rather than replaying them', async () => {
    const output = await nxOk(['run', 'app:docker-push', '--dry-run']);
    expect(output).toMatch(/^> nx run app:docker-build$/m);
    expect(output).not.toMatch(CACHE_NOTE);
    expect(calls()).toBe('');
  }, 10_000);
});

describe('a real run after the dry runs', () => {
  let realRun = '';
  let realCalls = '';

  it('builds with the engine, from the Dockerfile copy the dry run named, and pushes', async () => {
    const dry = await nxOk(['run', 'app:docker-push', '--dry-run']);
    // The stand-in for podman's race (checked in the next test): the wrapper fails this run's first build, base's, once.
    writeFileSync(FAIL_ONCE, '');
    const result = await nxIn(['run', 'app:docker-push']);
    realRun = result.output;
    realCalls = calls();
    if (result.exitCode !== 0) throw new Error(`nx run app:docker-push failed (exit ${result.exitCode}):\n${result.output}`);
    const output = result.output;
    expect(output).not.toMatch(CACHE_NOTE);
    expect(calls()).toMatch(/^podman build --platform linux\/amd64,linux\/arm64 /m);
    expect(calls()).toMatch(/^skopeo copy .* docker:\/\/127\.0\.0\.1:5000\/\S+\/app:dry$/m);
    // base has no workspace base of its own: its copy is the same file, named the same, in the dry run and the real run
    expect(podmanFileOf(output, 'base:docker-build')).toBe(podmanFileOf(dry, 'base:docker-build'));
    const record = JSON.parse(readFileSync(join(dir, 'dist/images/services/app/image.json'), 'utf8'));
    expect((await remoteRaw(`${REGISTRY}/${NAMESPACE}/app:dry`)).digest).toBe(record.index.digest);
    // 42 s on a 2-core machine shared with other builds, 112 s at a load average of 12 (50 s was exceeded there even
    // before the restart was added); CI machines are up to 3.5x slower than the first
  }, 450_000);

  it('stand-in podman wrapper failed that run\'s first build once with "image not known": the plugin said so, removed the temporary list and built again', () => {
    expect(existsSync(FAIL_ONCE)).toBe(false);
    expect(realRun).toContain(IMAGE_NOT_KNOWN);
    expect(realRun).toContain(
      'podman could not find an image or the local name of a base (lost to a race between parallel builds, a known podman 4.x problem, or removed from the store since an earlier build); starting again (attempt 2 of 3).',
    );
    // base's temporary list: removed after the failed attempt, built again, exported (which removes it: --rm)
    const lines = realCalls.split('\n').filter((line) => /^podman (build|manifest (push|rm)) .*\/nx-multiarch-work\/base:/.test(line));
    expect(lines.map((line) => line.split(' ').slice(0, 3).join(' ').replace(/ -.*/, ''))).toEqual([
      'podman build',
      'podman manifest rm',
      'podman build',
      'podman manifest push',
    ]);
    expect(lines.at(-1)).toContain(' --rm ');
    // one run of the executor: the same temporary list in every step
    expect(new Set(lines.map((line) => /\/nx-multiarch-work\/base:\S+/.exec(line)![0])).size).toBe(1);
    const record = JSON.parse(readFileSync(join(dir, 'dist/images/services/base/image.json'), 'utf8'));
    expect(record.platforms.map((p: { platform: string }) => p.platform)).toEqual(['linux/amd64', 'linux/arm64']);
  });

  it('docker-lint asks the registry about the pinned base, which its dry run did not', async () => {
    writeFileSync(LOG, '');
    await nxOk(['run', 'base:docker-lint']);
    expect(calls()).toMatch(/^skopeo inspect --raw --tls-verify=false docker:\/\/127\.0\.0\.1:5000\/fixtures\/busybox@sha256:/m);
    expect(existsSync(join(dir, 'dist/lint/services/base.json'))).toBe(true);
  }, 8_000);
});
