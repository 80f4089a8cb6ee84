/**
 * Per-arch runners, end to end on the real registry: two clones of one workspace act as two CI runners, each with an
 * engine store of its own and limited to its platform (docker-push -c amd64 / -c arm64), then docker-manifest stitches
 * the list. The stitched list must equal a one-shot multi-arch build of the same inputs, platform for platform, made
 * in a third empty store: no two of these builds share a layer cache (nor the host's store), so equal digests come
 * from reproducible builds, not from reused layers.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { cloneWorkspace, commitAll, installPlugin, isolatedStorage, writeFiles } from '../../../../tools/fixtures/workspace-kit';
import { describeIndex, INDEX_MEDIA_TYPES } from '../../src/image/oci-layout';
import type { ImageRecord } from '../../src/image/record';
import { command, REGISTRY, remoteRaw, remoteTags, requireRealParts, RUN_ID, runNx, runNxOk, tempDir, type NxOptions } from '../harness';
import { engineBuildsDuring, imagesInStore } from '../engine-builds';

jest.setTimeout(20 * 60 * 1000);

const origin = tempDir('nx-multiarch-origin-');
const runnerAmd64 = tempDir('nx-multiarch-runner-amd64-');
const runnerArm64 = tempDir('nx-multiarch-runner-arm64-');
const REPOSITORY = `${RUN_ID}-per-arch/svc`;
const NAME = `${REGISTRY}/${REPOSITORY}`;
/** Each runner's engine store, kept for all of that runner's commands, as a CI machine keeps its own. */
const storeAmd64 = isolatedStorage();
const storeArm64 = isolatedStorage();

const storeOf = (dir: string): Record<string, string> => (dir === runnerAmd64 ? storeAmd64 : dir === runnerArm64 ? storeArm64 : {});

/** nx in a runner, with that runner's engine store unless `env` names another. */
const inRunner = (dir: string, env: Record<string, string>): NxOptions => ({
  cwd: dir,
  env: { NX_CACHE_DIRECTORY: join(dir, '.nx', 'own-cache'), ...storeOf(dir), ...env },
  staticOutput: true,
  stripAnsi: true,
});
const nxIn = (dir: string, args: string[], env: Record<string, string> = {}) => runNx(args, inRunner(dir, env));
const nxOk = async (dir: string, args: string[], env: Record<string, string> = {}) => (await runNxOk(args, inRunner(dir, env))).output;

const readRecord = (dir: string, output: string): ImageRecord => JSON.parse(readFileSync(join(dir, output, 'image.json'), 'utf8'));

beforeAll(async () => {
  await requireRealParts(['podman', 'skopeo', 'git']);
  installPlugin(origin);
  writeFiles(origin, {
    '.gitignore': 'node_modules\ndist\n.nx\n',
    'nx.json': `${JSON.stringify(
      {
        plugins: [
          {
            plugin: 'nx-multiarch',
            options: { registry: REGISTRY, imageName: REPOSITORY, buildArgs: { BASE_IMAGE: `${REGISTRY}/fixtures/busybox:latest` } },
          },
        ],
      },
      null,
      2,
    )}\n`,
    'services/svc/project.json': JSON.stringify({ name: 'svc', tags: ['type:service'] }),
    'services/svc/Dockerfile': 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nCOPY src/ /app/\nRUN uname -m > /app/arch\n',
    'services/svc/src/app.sh': 'echo per-arch\n',
  });
  commitAll(origin, 'per-arch workspace');
  cloneWorkspace(origin, runnerAmd64);
  cloneWorkspace(origin, runnerArm64);
});

describe('per-arch runners and docker-manifest', () => {
  it('each runner builds and pushes only its platform as <tag>-<arch>; the stitched <tag> equals a one-shot multi-arch build', async () => {
    const tag = { IMAGE_TAG: 'v1' };
    const pushedAmd64 = await engineBuildsDuring(runnerAmd64, () => nxOk(runnerAmd64, ['run', 'svc:docker-push', '-c', 'amd64'], tag));
    const pushedArm64 = await engineBuildsDuring(runnerArm64, () => nxOk(runnerArm64, ['run', 'svc:docker-push', '-c', 'arm64'], tag));
    // Each runner's engine built its platform, into its own store.
    expect(pushedAmd64.builds.map((b) => `${b.outputs}/${b.root}`)).toEqual(['dist/images-per-arch/amd64/services/svc']);
    expect(pushedArm64.builds.map((b) => `${b.outputs}/${b.root}`)).toEqual(['dist/images-per-arch/arm64/services/svc']);
    for (const store of [storeAmd64, storeArm64]) expect((await imagesInStore(store)).length).toBeGreaterThan(0);

    // Each runner built only its own platform, into the per-arch output (the multi-arch output stays untouched).
    const amd64 = readRecord(runnerAmd64, 'dist/images-per-arch/amd64/services/svc');
    const arm64 = readRecord(runnerArm64, 'dist/images-per-arch/arm64/services/svc');
    expect(amd64.platforms.map((p) => p.platform)).toEqual(['linux/amd64']);
    expect(arm64.platforms.map((p) => p.platform)).toEqual(['linux/arm64']);

    // Pushed by digest: each per-arch tag is the one image as built, not a list.
    for (const [arch, record] of [
      ['amd64', amd64],
      ['arm64', arm64],
    ] as const) {
      const remote = await remoteRaw(`${NAME}:v1-${arch}`);
      expect(INDEX_MEDIA_TYPES).not.toContain(remote.json.mediaType);
      expect(remote.digest).toBe(record.platforms[0].digest);
    }
    expect(await remoteTags(REPOSITORY)).not.toContain('v1');

    const stitched = await nxOk(runnerAmd64, ['run', 'svc:docker-manifest'], tag);
    expect(stitched).toMatch(/Stitched and verified/);
    const list = await remoteRaw(`${NAME}:v1`);
    expect(INDEX_MEDIA_TYPES).toContain(list.json.mediaType);
    const listed = describeIndex(list.json).map(({ platform, digest }) => ({ platform, digest }));
    expect(listed).toEqual([
      { platform: 'linux/amd64', digest: amd64.platforms[0].digest },
      { platform: 'linux/arm64', digest: arm64.platforms[0].digest },
    ]);

    // The same inputs built in one go on a third machine (an empty store of its own) give the same per-platform images.
    const oneShotStore = isolatedStorage();
    const oneShotRun = await engineBuildsDuring(runnerAmd64, () => nxOk(runnerAmd64, ['run', 'svc:docker-build'], oneShotStore));
    expect(oneShotRun.builds.map((b) => `${b.outputs}/${b.root}`)).toEqual(['dist/images/services/svc']);
    const oneShot = readRecord(runnerAmd64, 'dist/images/services/svc');
    expect(oneShot.platforms.map((p) => p.platform)).toEqual(['linux/amd64', 'linux/arm64']);
    expect(listed).toEqual(oneShot.platforms.map(({ platform, digest }) => ({ platform, digest })));
  }, 400_000); // 19 s alone, 39 s beside another end-to-end spec here; x3.5 on a slow machine, x3

  it('a missing arch is an error listing what is present, and the tag is never written', async () => {
    await nxOk(runnerAmd64, ['run', 'svc:docker-push', '-c', 'amd64'], { IMAGE_TAG: 'half' });
    const result = await nxIn(runnerAmd64, ['run', 'svc:docker-manifest'], { IMAGE_TAG: 'half' });
    expect(result.exitCode).not.toBe(0);
    expect(result.output).toContain(`missing linux/arm64: ${NAME}:half-arm64 is not in the registry`);
    expect(result.output).toContain('docker-push -c arm64');
    expect(result.output).toMatch(new RegExp(`present: linux/amd64 \\(${NAME.replace(/[.]/g, '\\.')}:half-amd64 sha256:`));
    expect(await remoteTags(REPOSITORY)).not.toContain('half');
  });

  it('a per-arch tag holding another platform is refused, naming what its config says', async () => {
    // Put the amd64 image under the arm64 tag, as a misconfigured runner would.
    for (const arch of ['amd64', 'arm64']) {
      const copy = await command([
        'skopeo',
        'copy',
        '--preserve-digests',
        '--src-tls-verify=false',
        '--dest-tls-verify=false',
        `docker://${NAME}:v1-amd64`,
        `docker://${NAME}:liar-${arch}`,
      ]);
      expect(copy.exitCode).toBe(0);
    }
    const result = await nxIn(runnerAmd64, ['run', 'svc:docker-manifest'], { IMAGE_TAG: 'liar' });
    expect(result.exitCode).not.toBe(0);
    expect(result.output).toContain(`${NAME}:liar-arm64 claims linux/arm64 but its config says linux/amd64`);
    expect(await remoteTags(REPOSITORY)).not.toContain('liar');
  });

  it('docker-push refuses to push a platform its build output lacks', async () => {
    // -c amd64 builds linux/amd64 only; asking that push for arm64 must fail before anything is pushed.
    const result = await nxIn(runnerAmd64, ['run', 'svc:docker-push', '-c', 'amd64', '--platform=linux/arm64'], { IMAGE_TAG: 'wrong' });
    expect(result.exitCode).not.toBe(0);
    expect(result.output).toContain('holds linux/amd64, not linux/arm64');
    expect((await remoteTags(REPOSITORY)).filter((tag) => tag.startsWith('wrong'))).toEqual([]);
  });
});
