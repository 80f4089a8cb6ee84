/**
 * Remote builders, end to end: a real `podman system service` on a loopback TCP port, started and stopped by this test,
 * builds both platforms for `docker-build --url=...`; the plugin streams each platform back and writes the usual
 * OCI layout, which then pushes and verifies like a local build.
 */
import { createServer } from 'node:net';
import { readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ResultPromise } from 'execa';
import { execa } from './processes';
import type { ImageRecord } from '../src/image/record';
import { RUN_ID, command, fileInImage, nx, platformsOf, remoteRaw, requireRealParts, workspaceRoot } from './harness';
import { describeIndex } from '../src/image/oci-layout';

jest.setTimeout(15 * 60 * 1000);

const OUTPUT = 'remote-build/context-api';
const serviceLog = join(tmpdir(), `nx-multiarch-podman-service-${process.pid}.log`);
let service: ResultPromise | undefined;
let url = '';

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function waitForService(deadline: number): Promise<void> {
  while (Date.now() < deadline) {
    if ((await command(['podman', '--url', url, 'version'])).exitCode === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
  throw new Error(`podman system service at ${url} did not answer; its log:\n${readFileSync(serviceLog, 'utf8')}`);
}

beforeAll(async () => {
  await requireRealParts(['podman', 'skopeo', 'tar']);
  url = `tcp://127.0.0.1:${await freePort()}`;
  // podman logs API requests on stderr
  service = execa('podman', ['--log-level=info', 'system', 'service', '--time=0', url], {
    stdout: 'ignore',
    stderr: { file: serviceLog },
    reject: false,
  });
  await waitForService(Date.now() + 30_000);
});

afterAll(async () => {
  service?.kill('SIGTERM');
  await service;
  rmSync(serviceLog, { force: true });
  rmSync(join(workspaceRoot, 'dist', 'images', OUTPUT), { recursive: true, force: true });
});

describe('docker-build on a remote podman service (--url)', () => {
  it('builds both platforms on the service, brings them back as an OCI layout, and pushes it like a local build', async () => {
    const build = await nx(['run', 'context-api:docker-build', `--url=${url}`, `--outputPath=dist/images/${OUTPUT}`]);
    if (build.exitCode !== 0) throw new Error(`remote build failed:\n${build.output}`);
    expect(build.output).toContain(`podman --url ${url} build --platform linux/arm64`);
    expect(build.output).toContain(`podman --url ${url} save --format oci-archive`);

    // The service did the building: one build request per platform reached it.
    const requests = readFileSync(serviceLog, 'utf8').match(/POST \S*\/libpod\/build\?/g) ?? [];
    expect(requests).toHaveLength(2);

    const record: ImageRecord = JSON.parse(readFileSync(join(workspaceRoot, 'dist', 'images', OUTPUT, 'image.json'), 'utf8'));
    expect(platformsOf(record)).toEqual(['linux/amd64', 'linux/arm64']);
    const arches = await Promise.all(
      record.platforms.map(async (p) => (await fileInImage(OUTPUT, p.digest, 'www/build-arch')).toString().trim()),
    );
    expect(arches).toEqual(['x86_64', 'aarch64']);

    const push = await nx([
      'run',
      'context-api:docker-push',
      `--inputPath=dist/images/${OUTPUT}`,
      `--imageName=${RUN_ID}-remote/{projectName}`,
      '--tag=remote',
    ]);
    if (push.exitCode !== 0) throw new Error(`push of the remote build failed:\n${push.output}`);
    const remote = await remoteRaw(`127.0.0.1:5000/${RUN_ID}-remote/context-api:remote`);
    expect(remote.digest).toBe(record.index.digest);
    expect(describeIndex(remote.json).map((p) => p.digest)).toEqual(record.platforms.map((p) => p.digest));
  });

  it('names the podman connection with --connection, and refuses a docker-only option, at command level', async () => {
    const dry = await nx(['run', 'context-api:docker-build', '--connection=arm64-builder', '--dryRun']);
    expect(dry.exitCode).toBe(0);
    expect(dry.output).toContain('podman --connection arm64-builder build --platform linux/amd64');

    const wrong = await nx(['run', 'context-api:docker-build', '--builder=multi-node', '--dryRun']);
    expect(wrong.exitCode).not.toBe(0);
    expect(wrong.output).toContain('builder "multi-node" is a docker buildx option');
  });
});
