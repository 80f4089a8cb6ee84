/**
 * The core flow on real podman (with QEMU for arm64), real skopeo and the real registry on 127.0.0.1:5000,
 * through the real nx CLI in this workspace. Images go to the registry under a namespace of this run only.
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { hostPlatform } from '../src/image/platform';
import {
  RUN_ID,
  catalog,
  command,
  elfMachine,
  fileInImage,
  messageOf,
  nx,
  outputDir,
  platformsOf,
  readRecordSync,
  remoteConfig,
  remoteRaw,
  remoteTags,
  requireRealParts,
  workspaceRoot,
} from './harness';
import { describeIndex } from '../src/image/oci-layout';
import { SYNC_LIMITS } from './processes';
import { startRegistryProxy } from './registry-proxy';

jest.setTimeout(15 * 60 * 1000);

const GATEWAY = 'services/gateway-service';
const EMULATED = 'services/context-api';
const HOST_UNAME = hostPlatform() === 'linux/arm64' ? 'aarch64' : 'x86_64';
const imageName = `${RUN_ID}/{projectName}`;
const git = (...args: string[]) => execFileSync('git', args, { cwd: workspaceRoot, encoding: 'utf8', ...SYNC_LIMITS }).trim();

beforeAll(async () => {
  await requireRealParts();
});

describe('docker-build', () => {
  it('builds gateway-service (cross-compiled) as an index of exactly linux/amd64 and linux/arm64, with per-arch binaries', async () => {
    const result = await nx(['run', 'gateway-service:docker-build']);
    expect(result.exitCode).toBe(0);
    expect(result.output).toMatch(/\[linux\/arm64\] (\[\d+\/\d+\] )?STEP/);
    expect(result.output).toMatch(/PLATFORM\s+DIGEST\s+SIZE\s+SECONDS/);

    const record = readRecordSync(GATEWAY);
    expect(platformsOf(record)).toEqual(['linux/amd64', 'linux/arm64']);
    expect(record.engine.name).toBe('podman');
    expect(record.index.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    for (const image of record.platforms) expect(image.size).toBeGreaterThan(1000);

    const arm64 = record.platforms.find((p) => p.platform === 'linux/arm64')!;
    const amd64 = record.platforms.find((p) => p.platform === 'linux/amd64')!;
    expect(elfMachine(await fileInImage(GATEWAY, arm64.digest, 'usr/local/bin/gateway'))).toBe('aarch64');
    expect(elfMachine(await fileInImage(GATEWAY, amd64.digest, 'usr/local/bin/gateway'))).toBe('x86_64');
    // Cross-compiled: the arm64 binary was compiled by a toolchain running on the build (host) platform, not under QEMU.
    expect((await fileInImage(GATEWAY, arm64.digest, 'usr/local/share/gateway/built-on')).toString().trim()).toBe(HOST_UNAME);
  });

  it('building platforms in parallel again pulls and names no base: the pinned names are in the store (one engine call finds them)', async () => {
    const first = readRecordSync(GATEWAY).index.digest;
    const result = await nx(['run', 'gateway-service:docker-build', '--skip-nx-cache', '--jobs=2']);
    expect(result.exitCode).toBe(0);
    expect(result.output).toMatch(/> podman build .*--jobs 2/);
    // Before the first build: a restart after podman's own store race (TRANSIENT_ENGINE_ERROR) pulls and names again.
    expect(result.output.split(/> podman build /)[0]).not.toMatch(/> podman (pull|tag) /);
    expect(readRecordSync(GATEWAY).index.digest).toBe(first);
  });

  it('a pinned base name removed from the store since (podman untag): the build that remembered it restarts, names the bases again, same digests', async () => {
    const first = readRecordSync(GATEWAY).index.digest;
    const pinned = execFileSync(
      'podman',
      ['images', '--format', '{{.Repository}}:{{.Tag}}', '--filter', 'reference=localhost/nx-multiarch-base/*'],
      {
        encoding: 'utf8',
        ...SYNC_LIMITS,
      },
    )
      .split('\n')
      .filter(Boolean);
    expect(pinned.length).toBeGreaterThan(0);
    for (const name of pinned) execFileSync('podman', ['untag', name, name], SYNC_LIMITS);
    const result = await nx(['run', 'gateway-service:docker-build', '--skip-nx-cache', '--jobs=2']);
    expect(result.exitCode).toBe(0);
    const [beforeFirstBuild, afterIt] = [
      result.output.split(/> podman build /)[0],
      result.output
        .split(/> podman build /)
        .slice(1)
        .join(''),
    ];
    // The names were remembered (the test before found them), so no engine call looked for them before the build.
    expect(beforeFirstBuild).not.toMatch(/> podman (pull|tag) /);
    expect(afterIt).toContain('podman could not find an image or the local name of a base');
    expect(afterIt).toMatch(/> podman tag \S+ localhost\/nx-multiarch-base\//);
    expect(readRecordSync(GATEWAY).index.digest).toBe(first);
  });

  it('runs the RUN steps of an emulated service under QEMU: its arm64 image says aarch64', async () => {
    const result = await nx(['run', 'context-api:docker-build']);
    expect(result.exitCode).toBe(0);
    const record = readRecordSync(EMULATED);
    expect(platformsOf(record)).toEqual(['linux/amd64', 'linux/arm64']);
    for (const [platform, uname] of [
      ['linux/arm64', 'aarch64'],
      ['linux/amd64', 'x86_64'],
    ]) {
      const image = record.platforms.find((p) => p.platform === platform)!;
      expect((await fileInImage(EMULATED, image.digest, 'www/build-arch')).toString().trim()).toBe(uname);
    }
  });
});

describe('docker-push', () => {
  const repository = `127.0.0.1:5000/${RUN_ID}/gateway-service`;
  const listed = (index: any) =>
    describeIndex(index)
      .map(({ platform, digest }) => ({ platform, digest }))
      .sort((a, b) => a.platform.localeCompare(b.platform));
  const built = () =>
    readRecordSync(GATEWAY)
      .platforms.map(({ platform, digest }) => ({ platform, digest }))
      .sort((a, b) => a.platform.localeCompare(b.platform));

  it("pushes the whole index under the default tag (no package.json: the short commit SHA), --tags and --latest; each serves image.json's digests", async () => {
    const first = await nx([
      'run',
      'gateway-service:docker-push',
      `--imageName=${imageName}`,
      '--exclude-task-dependencies',
      '--tags=v1',
      '--latest',
    ]);
    if (first.exitCode !== 0) throw new Error(`docker-push failed (exit ${first.exitCode}):\n${first.output}`);
    expect(first.output).toContain('Pushed and verified');
    // 127.0.0.1 is a loopback registry: TLS is off by default there, without the warning other registries get
    expect(first.output).not.toContain('TLS verification is off');

    const sha = git('rev-parse', '--short', 'HEAD');
    expect(sha).toMatch(/^[0-9a-f]{7,}$/);
    expect((await remoteTags(`${RUN_ID}/gateway-service`)).sort()).toEqual([sha, 'latest', 'v1'].sort());
    const record = readRecordSync(GATEWAY);
    for (const tag of [sha, 'v1', 'latest']) {
      const remote = await remoteRaw(`${repository}:${tag}`);
      expect([tag, remote.digest]).toEqual([tag, record.index.digest]);
      expect(listed(remote.json)).toEqual(built());
    }
  });

  it('a second push uploads nothing', async () => {
    // The second push goes through a logging proxy to the same registry: it may check blobs (HEAD), never upload one.
    const proxy = await startRegistryProxy(5000);
    try {
      const again = await nx(
        ['run', 'gateway-service:docker-push', `--registry=${proxy.registry}`, `--imageName=${imageName}`, '--exclude-task-dependencies'],
        { IMAGE_TAG: 'v1' },
      );
      expect(again.exitCode).toBe(0);
    } finally {
      await proxy.close();
    }
    expect(proxy.requests.filter((r) => r.startsWith('HEAD ') && r.includes('/blobs/')).length).toBeGreaterThan(0);
    expect(proxy.requests.filter((r) => /^(POST|PATCH|PUT) .*\/blobs\/uploads/.test(r))).toEqual([]);
  });

  it('each pushed platform config carries the default OCI labels: title, revision and created of the newest commit touching its sources, version = that revision', async () => {
    // What shapes gateway-service's image: the Dockerfile, the ignore files and what it COPYs (go.mod, main.go)
    const sources = ['Dockerfile', 'Dockerfile.dockerignore', '.dockerignore', '.containerignore', 'go.mod', 'main.go'].map(
      (file) => `${GATEWAY}/${file}`,
    );
    const [revision, epoch] = git('log', '-1', '--format=%H %ct', '--', ...sources).split(' ');
    expect(revision).toMatch(/^[0-9a-f]{40}$/);
    for (const { platform, digest } of built()) {
      const config = await remoteConfig(`${repository}@${digest}`);
      expect(`${config.os}/${config.architecture}`).toBe(platform);
      expect(config.config.Labels).toMatchObject({
        'org.opencontainers.image.title': 'gateway-service',
        'org.opencontainers.image.revision': revision,
        'org.opencontainers.image.created': new Date(Number(epoch) * 1000).toISOString(),
        'org.opencontainers.image.version': revision.slice(0, 12),
      });
    }
  });

  it('tlsVerify: false for a registry other than localhost/127.0.0.1 (a proxy on 127.0.0.2) warns, and pushes over plain HTTP', async () => {
    const proxy = await startRegistryProxy(5000, [], '127.0.0.2');
    let result: Awaited<ReturnType<typeof nx>>;
    try {
      result = await nx(
        [
          'run',
          'gateway-service:docker-push',
          `--registry=${proxy.registry}`,
          `--imageName=${imageName}`,
          '--exclude-task-dependencies',
          '--tlsVerify=false',
        ],
        { IMAGE_TAG: 'plain-http' },
      );
    } finally {
      await proxy.close();
    }
    if (result.exitCode !== 0) throw new Error(`docker-push failed (exit ${result.exitCode}):\n${result.output}`);
    expect(result.output).toContain(
      `TLS verification is off for ${proxy.registry} (tlsVerify: false): anyone on the network path can read or change what is pushed.`,
    );
    expect(proxy.requests).toContain(`PUT /v2/${RUN_ID}/gateway-service/manifests/plain-http`);
    expect((await remoteRaw(`${repository}:plain-http`)).digest).toBe(readRecordSync(GATEWAY).index.digest);
  });
});

describe('docker-build-single', () => {
  it('loads a host-arch image into podman that podman run starts', async () => {
    const result = await nx(['run', 'context-api:docker-build-single', `--imageName=${imageName}`, '--tag=single']);
    expect(result.exitCode).toBe(0);
    const reference = `127.0.0.1:5000/${RUN_ID}/context-api:single`;
    const run = await command(['podman', 'run', '--rm', reference, 'cat', '/www/build-arch']);
    expect(run.output).toBe(HOST_UNAME);
    expect(run.exitCode).toBe(0);
    await command(['podman', 'rmi', reference]);
  });
});

describe('rolling back to one platform', () => {
  it('PLATFORMS=linux/amd64 gives a one-platform index', async () => {
    const result = await nx(['run', 'context-api:docker-build'], { PLATFORMS: 'linux/amd64' });
    expect(result.exitCode).toBe(0);
    expect(platformsOf(readRecordSync(EMULATED))).toEqual(['linux/amd64']);
  });

  it('MULTI_ARCH=false builds only the host platform', async () => {
    const result = await nx(['run', 'context-api:docker-build'], { MULTI_ARCH: 'false' });
    expect(result.exitCode).toBe(0);
    expect(platformsOf(readRecordSync(EMULATED))).toEqual([hostPlatform()]);
  });
});

describe('--dry-run', () => {
  it('prints the exact commands and runs nothing', async () => {
    const outputPath = `dist/e2e/${RUN_ID}/dry`;
    const result = await nx(['run', 'context-api:docker-build', '--dry-run', `--outputPath=${outputPath}`]);
    expect(result.exitCode).toBe(0);
    expect(result.output).toContain('podman build --platform linux/amd64,linux/arm64 --manifest');
    expect(result.output).toContain('podman manifest push --all');
    expect(existsSync(join(workspaceRoot, outputPath))).toBe(false);
    expect(existsSync(join(workspaceRoot, `${outputPath}`, '..'))).toBe(false);
  });
});

describe('bad input: clear error, non-zero exit, registry unchanged', () => {
  const cases: Array<[string, string[], Record<string, string>, RegExp]> = [
    ['unknown engine', ['run', 'context-api:docker-build', '--engine=containerd'], {}, /'containerd' should be one of auto,podman,docker/],
    [
      'bad platform',
      ['run', 'context-api:docker-build'],
      { PLATFORMS: 'linux/amd64,arm64' },
      /Invalid platform "arm64".*os\/arch\[\/variant\]/,
    ],
    [
      'missing Dockerfile',
      ['run', 'context-api:docker-build', '--dockerfile=services/context-api/Nope.Dockerfile'],
      {},
      /Dockerfile not found: services\/context-api\/Nope\.Dockerfile/,
    ],
    // The plugin's hint, not skopeo's raw "dial tcp 127.0.0.1:5999: connect: connection refused" (which any failure shows).
    [
      'registry down',
      ['run', 'gateway-service:docker-push', '--registry=127.0.0.1:5999', `--imageName=${imageName}`, '--exclude-task-dependencies'],
      { IMAGE_TAG: 'down' },
      /Cannot reach the registry 127\.0\.0\.1:5999: check it is running/,
    ],
    [
      'bad IMG',
      ['run', 'gateway-service:docker-push', '--exclude-task-dependencies'],
      { IMG: '127.0.0.1:5000/Bad Name:1' },
      /Invalid IMG="127\.0\.0\.1:5000\/Bad Name:1"/,
    ],
  ];

  it.each(cases)('%s', async (_name, args, env, message) => {
    // This run's repositories only: other runs push to the same registry meanwhile.
    const ours = async () => (await catalog()).filter((repository) => repository.startsWith(`${RUN_ID}/`));
    const before = await ours();
    const tagsBefore = await remoteTags(`${RUN_ID}/gateway-service`);
    const recordBefore = existsSync(join(outputDir(EMULATED), 'image.json')) ? readRecordSync(EMULATED) : undefined;
    const result = await nx(args, env);
    expect(result.exitCode).not.toBe(0);
    // Without the echoed command lines, which repeat every value the case passed.
    expect(messageOf(result.output)).toMatch(message);
    expect(await ours()).toEqual(before);
    expect(await remoteTags(`${RUN_ID}/gateway-service`)).toEqual(tagsBefore);
    if (recordBefore) expect(readRecordSync(EMULATED)).toEqual(recordBefore);
  });
});
