import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { availableParallelism } from 'node:os';
import { join } from 'node:path';
import type { ExecutorContext } from '@nx/devkit';
import { docker } from './docker';
import { podman } from './podman';
import { findBaseSlots, resolveBasePins, withBaseSlots, type BaseSlot } from './podman-bases';
import type { MultiArchRequest } from './types';
import { resolveBuildOptions } from '../executors/docker-build/executor';
import { tempDir } from '../../../../tools/fixtures/workspace-kit';

const BUSYBOX = '127.0.0.1:5000/fixtures/busybox:latest';
const GOLANG = '127.0.0.1:5000/fixtures/golang:1.19';
const PLATFORMS = ['linux/amd64', 'linux/arm64'];
const digest = (c: string) => `sha256:${c.repeat(64)}`;

const contextApi = 'ARG BASE_IMAGE=docker.io/library/busybox:1.36\nFROM ${BASE_IMAGE}\nRUN uname -m > /arch\n';
const gateway = [
  'ARG BUILDER_IMAGE=golang:1.19',
  'ARG BASE_IMAGE=busybox:1.36',
  'FROM --platform=$BUILDPLATFORM ${BUILDER_IMAGE} AS builder',
  'RUN go build -o /out/app .',
  'FROM --platform=$TARGETPLATFORM ${BASE_IMAGE} AS production',
  'COPY --from=builder /out/app /app',
  'FROM scratch AS empty',
  'FROM builder AS again',
  '',
].join('\n');
const buildArgs = { BASE_IMAGE: BUSYBOX, BUILDER_IMAGE: GOLANG };

/** What `podman manifest inspect` prints for a two-platform list. */
const inspected = JSON.stringify({
  schemaVersion: 2,
  manifests: [
    { digest: digest('a'), platform: { os: 'linux', architecture: 'amd64' } },
    { digest: digest('b'), platform: { os: 'linux', architecture: 'arm64' } },
  ],
});
const listKey = createHash('sha256')
  .update([digest('a'), digest('b')].join(','))
  .digest('hex')
  .slice(0, 16);

describe('which FROMs podman finds through a build arg when platforms build in parallel', () => {
  it('a base for every target platform, the build args substituted', () => {
    expect(findBaseSlots(contextApi, buildArgs, PLATFORMS, 'linux/amd64')).toEqual([
      { arg: 'NX_MULTIARCH_BASE_0', image: BUSYBOX, perTarget: true, platforms: PLATFORMS, index: 0 },
    ]);
  });

  it('a cross-compiling builder on the build platform once, the target stage per platform; stage names and scratch left alone', () => {
    expect(findBaseSlots(gateway, buildArgs, PLATFORMS, 'linux/amd64')).toEqual([
      { arg: 'NX_MULTIARCH_BASE_0', image: GOLANG, perTarget: false, platforms: ['linux/amd64'], index: 0 },
      { arg: 'NX_MULTIARCH_BASE_1', image: BUSYBOX, perTarget: true, platforms: PLATFORMS, index: 1 },
    ]);
  });

  it('none for a Dockerfile with a platform leak (buildah#5971): pulling per target would change what podman gives it', () => {
    const leaky = 'FROM --platform=$BUILDPLATFORM golang AS build\nFROM busybox\n';
    expect(findBaseSlots(leaky, {}, PLATFORMS, 'linux/amd64')).toEqual([]);
  });

  it('none for images named through TARGET args, unknown --platform expressions or placeholders', () => {
    const text = 'FROM busybox-${TARGETARCH}\nFROM --platform=$MY_PLATFORM busybox\nFROM oci:/tmp/base-<index digest>:latest\n';
    expect(findBaseSlots(text, {}, PLATFORMS, 'linux/amd64')).toEqual([]);
  });

  it('rewrites only those FROMs, declaring the args before the first FROM (a FROM sees no others)', () => {
    const text = withBaseSlots(gateway, findBaseSlots(gateway, buildArgs, PLATFORMS, 'linux/amd64'));
    expect(text.split('\n').slice(0, 9)).toEqual([
      'ARG BUILDER_IMAGE=golang:1.19',
      'ARG BASE_IMAGE=busybox:1.36',
      'ARG NX_MULTIARCH_BASE_0',
      'ARG NX_MULTIARCH_BASE_1',
      'ARG TARGETARCH',
      'ARG TARGETVARIANT=',
      'FROM --platform=$BUILDPLATFORM ${NX_MULTIARCH_BASE_0} AS builder',
      'RUN go build -o /out/app .',
      'FROM --platform=$TARGETPLATFORM ${NX_MULTIARCH_BASE_1}-${TARGETARCH}${TARGETVARIANT} AS production',
    ]);
    expect(text).toContain('FROM scratch AS empty\nFROM builder AS again\n');
  });
});

describe('what each slot names, read when a real run starts', () => {
  const slot: BaseSlot = { arg: 'NX_MULTIARCH_BASE_0', image: BUSYBOX, perTarget: true, platforms: PLATFORMS };

  it('a registry list: each platform pulled by its digest and named after the list content and the platform', async () => {
    const asked: string[] = [];
    const pins = await resolveBasePins([slot], async (image) => (asked.push(image), inspected));
    expect(asked).toEqual([BUSYBOX]);
    const name = `localhost/nx-multiarch-base/busybox:${listKey}`;
    expect(pins).toEqual([
      {
        arg: 'NX_MULTIARCH_BASE_0',
        value: name,
        pulls: [
          {
            platform: 'linux/amd64',
            source: `127.0.0.1:5000/fixtures/busybox@${digest('a')}`,
            image: `127.0.0.1:5000/fixtures/busybox@${digest('a')}`,
            name: `${name}-amd64`,
          },
          {
            platform: 'linux/arm64',
            source: `127.0.0.1:5000/fixtures/busybox@${digest('b')}`,
            image: `127.0.0.1:5000/fixtures/busybox@${digest('b')}`,
            name: `${name}-arm64`,
          },
        ],
      },
    ]);
  });

  it('a fixed-platform slot names the full local name; a single image serves every platform, as the tag did', async () => {
    const [fixed] = await resolveBasePins([{ ...slot, perTarget: false, platforms: ['linux/amd64'] }], async () => inspected);
    expect(fixed.value).toBe(`localhost/nx-multiarch-base/busybox:${listKey}-amd64`);
    const [single] = await resolveBasePins([slot], async () => JSON.stringify({ schemaVersion: 2, config: { digest: digest('c') } }));
    expect(single.pulls.map((p) => [p.source, p.image])).toEqual([
      [BUSYBOX, BUSYBOX],
      [BUSYBOX, BUSYBOX],
    ]);
  });

  it('a list without a wanted platform is an error naming what it has and the fix', async () => {
    const amd64Only = JSON.stringify({ manifests: [{ digest: digest('a'), platform: { os: 'linux', architecture: 'amd64' } }] });
    await expect(resolveBasePins([slot], async () => amd64Only)).rejects.toThrow(
      `Base image ${BUSYBOX} has no linux/arm64 image (it has linux/amd64): build only the platforms it has, or use a base that has them.`,
    );
  });

  it("a workspace base's layout: its index picks the platform, podman tags the image ID (the config digest)", async () => {
    const layout = tempDir('pin-layout-');
    try {
      mkdirSync(join(layout, 'blobs/sha256'), { recursive: true });
      const blob = (name: string, value: unknown) => writeFileSync(join(layout, 'blobs/sha256', name.repeat(64)), JSON.stringify(value));
      blob('1', { config: { digest: digest('c'), size: 1 }, layers: [] });
      blob('2', { config: { digest: digest('d'), size: 1 }, layers: [] });
      const manifest = 'application/vnd.oci.image.manifest.v1+json';
      blob('3', {
        manifests: [
          { mediaType: manifest, digest: digest('1'), size: 1, platform: { os: 'linux', architecture: 'amd64' } },
          { mediaType: manifest, digest: digest('2'), size: 1, platform: { os: 'linux', architecture: 'arm64' } },
        ],
      });
      const index = { mediaType: 'application/vnd.oci.image.index.v1+json', digest: digest('3'), size: 1 };
      writeFileSync(
        join(layout, 'index.json'),
        JSON.stringify({ manifests: [{ ...index, annotations: { 'org.opencontainers.image.ref.name': 'latest' } }] }),
      );
      const [pinned] = await resolveBasePins([{ ...slot, image: `oci:${layout}:latest` }], async () => {
        throw new Error('a layout is read from disk, never inspected');
      });
      expect(pinned.pulls).toEqual([
        {
          platform: 'linux/amd64',
          source: `oci:${layout}:latest`,
          image: 'c'.repeat(64),
          name: `localhost/nx-multiarch-base/workspace-base:${'3'.repeat(16)}-amd64`,
        },
        {
          platform: 'linux/arm64',
          source: `oci:${layout}:latest`,
          image: 'd'.repeat(64),
          name: `localhost/nx-multiarch-base/workspace-base:${'3'.repeat(16)}-arm64`,
        },
      ]);
    } finally {
      rmSync(layout, { recursive: true, force: true });
    }
  });
});

describe('podman plans for parallel platform builds', () => {
  const multi: MultiArchRequest = {
    dockerfile: '/tmp/copy/Dockerfile.podman',
    context: '/ws/services/gw',
    buildArgs,
    labels: {},
    extraArgs: [],
    sourceDateEpoch: 1700000000,
    buildPlatform: 'linux/amd64',
    platforms: PLATFORMS,
    layoutDir: '/ws/dist/gw/oci',
    workName: 'localhost/work/gw:1',
    jobs: 2,
  };
  const slots = findBaseSlots(gateway, buildArgs, PLATFORMS, 'linux/amd64').map(({ index: _index, ...slot }) => slot);

  it('pulls every base, one platform at a time, then builds the list with --jobs and the local names as build args', async () => {
    const basePins = await resolveBasePins(slots, async () => inspected);
    const plan = podman.planMultiArch({ ...multi, baseSlots: slots, basePins });
    const golang = `localhost/nx-multiarch-base/golang:${listKey}-amd64`;
    const busybox = `localhost/nx-multiarch-base/busybox:${listKey}`;
    expect(plan.steps.slice(0, 6).map((s) => [s.prefix, ...s.argv])).toEqual([
      ['pull linux/amd64', 'podman', 'pull', '--platform', 'linux/amd64', `127.0.0.1:5000/fixtures/golang@${digest('a')}`],
      ['pull linux/amd64', 'podman', 'tag', `127.0.0.1:5000/fixtures/golang@${digest('a')}`, golang],
      ['pull linux/amd64', 'podman', 'pull', '--platform', 'linux/amd64', `127.0.0.1:5000/fixtures/busybox@${digest('a')}`],
      ['pull linux/amd64', 'podman', 'tag', `127.0.0.1:5000/fixtures/busybox@${digest('a')}`, `${busybox}-amd64`],
      ['pull linux/arm64', 'podman', 'pull', '--platform', 'linux/arm64', `127.0.0.1:5000/fixtures/busybox@${digest('b')}`],
      ['pull linux/arm64', 'podman', 'tag', `127.0.0.1:5000/fixtures/busybox@${digest('b')}`, `${busybox}-arm64`],
    ]);
    const build = plan.steps[6].argv;
    expect(build.slice(0, 6)).toEqual(['podman', 'build', '--platform', 'linux/amd64,linux/arm64', '--manifest', 'localhost/work/gw:1']);
    expect(build).toEqual(expect.arrayContaining([`NX_MULTIARCH_BASE_0=${golang}`, `NX_MULTIARCH_BASE_1=${busybox}`]));
    expect(build.slice(-3)).toEqual(['--jobs', '2', '/ws/services/gw']);
    expect(plan.steps[7].argv.slice(1, 3)).toEqual(['manifest', 'push']);
    expect(plan.retry?.on.test('locating pulled image "x": image not known')).toBe(true); // still the fallback
    expect(plan.steps.some((step) => step.onlyOnRetry)).toBe(false);
  });

  it('with every local name in the store already, the pulls and names wait for a restart (they run only then)', async () => {
    const basePins = await resolveBasePins(slots, async () => inspected);
    const plan = podman.planMultiArch({ ...multi, baseSlots: slots, basePins, basePinsPresent: true });
    expect(plan.steps.slice(0, 6).every((step) => step.onlyOnRetry)).toBe(true);
    expect(plan.steps.slice(6).some((step) => step.onlyOnRetry)).toBe(false);
    const lost = 'initializing source docker://localhost/nx-multiarch-base/busybox:82b216093b1963c1-arm64: pinging container registry';
    expect(plan.retry?.on.test(lost)).toBe(true);
  });

  it("lets a --jobs in the user's extraArgs win (it comes later)", () => {
    const build = podman.planMultiArch({ ...multi, extraArgs: ['--jobs', '1'] }).steps[0].argv;
    expect(build.slice(-5)).toEqual(['--jobs', '2', '--jobs', '1', '/ws/services/gw']);
  });

  it("plans today's list build, without pulls or --jobs, for jobs 1, one platform, or a remote service", () => {
    const today = podman.planMultiArch({ ...multi, jobs: undefined });
    for (const request of [
      { ...multi, jobs: 1 },
      { ...multi, jobs: 2, platforms: ['linux/arm64'] },
    ]) {
      const plan = podman.planMultiArch(request);
      expect(plan.steps.map((s) => s.argv.filter((a) => a !== 'linux/arm64' && a !== 'linux/amd64,linux/arm64'))).toEqual(
        today.steps.map((s) => s.argv.filter((a) => a !== 'linux/arm64' && a !== 'linux/amd64,linux/arm64')),
      );
    }
    const remote = podman.planMultiArch({ ...multi, remote: { url: 'tcp://builder:8080' } });
    expect(remote.steps.flatMap((s) => s.argv)).not.toContain('--jobs');
  });

  it('writes the rewritten Dockerfile copy only for a parallel local build; docker is unaffected', async () => {
    const dir = tempDir('pin-prepare-');
    try {
      const dockerfile = join(dir, 'Dockerfile');
      writeFileSync(dockerfile, contextApi);
      const request = { ...multi, dockerfile, context: dir };
      const parallel = await podman.prepare(request, { project: 'api', workspaceRoot: dir });
      expect(parallel.request.baseSlots).toEqual([{ arg: 'NX_MULTIARCH_BASE_0', image: BUSYBOX, perTarget: true, platforms: PLATFORMS }]);
      expect(readFileSync(parallel.request.dockerfile, 'utf8')).toMatch(
        /^FROM \$\{NX_MULTIARCH_BASE_0\}-\$\{TARGETARCH\}\$\{TARGETVARIANT\}$/m,
      );
      const sequential = await podman.prepare({ ...request, jobs: 1 }, { project: 'api', workspaceRoot: dir });
      expect(sequential.request.baseSlots).toBeUndefined();
      expect(readFileSync(sequential.request.dockerfile, 'utf8')).toMatch(/^FROM \$\{BASE_IMAGE\}$/m);
      // buildx builds the platforms in parallel itself, pulling each base by platform: no slots, no pulls, no --jobs
      expect((await docker.prepare(request, { project: 'api', workspaceRoot: dir })).request).toBe(request);
      const argv = docker.planMultiArch(request).steps.flatMap((s) => s.argv);
      expect(argv).not.toContain('--jobs');
      expect(argv).not.toContain('pull');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('the jobs option', () => {
  const context = {
    root: '/ws',
    projectName: 'gw',
    targetName: 'docker-build',
    projectsConfigurations: { version: 2, projects: { gw: { root: 'services/gw', targets: { 'docker-build': { options: {} } } } } },
  } as unknown as ExecutorContext;

  it('defaults to the number of platforms, at most the CPU cores', () => {
    expect(resolveBuildOptions({}, context, {}).jobs).toBe(Math.min(2, availableParallelism()));
    expect(resolveBuildOptions({ platform: 'linux/arm64' }, context, {}).jobs).toBe(1);
    expect(resolveBuildOptions({ jobs: 1 }, context, {}).jobs).toBe(1);
  });

  it.each([0, -1, 1.5, '2', 'all'])('refuses %p, naming the value and the fix', (jobs) => {
    expect(() => resolveBuildOptions({ jobs }, context, {})).toThrow(
      `option "jobs": jobs must be a whole number of 1 or more, e.g. 2 (how many platforms podman builds at once), not ${JSON.stringify(jobs)}`,
    );
  });
});
