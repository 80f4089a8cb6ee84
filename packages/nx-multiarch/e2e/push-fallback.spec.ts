/**
 * docker-push against the real registry behind a proxy that rejects manifest list media types.
 * Builds gateway-service into an output folder of its own, so it never races the other e2e files.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ImageRecord } from '../src/image/record';
import { hostPlatform } from '../src/image/platform';
import { DOCKER_LIST, OCI_INDEX, startRegistryProxy } from './registry-proxy';
import { RUN_ID, nx, remoteRaw, remoteTags, requireRealParts, workspaceRoot } from './harness';
import { describeIndex } from '../src/image/oci-layout';

jest.setTimeout(15 * 60 * 1000);
const repository = `${RUN_ID}-fallback/gateway-service`;
const buildOutput = `dist/e2e/${RUN_ID}/fallback-gateway`;
let record: ImageRecord;

beforeAll(async () => {
  await requireRealParts();
  const build = await nx(['run', 'gateway-service:docker-build', `--outputPath=${buildOutput}`]);
  if (build.exitCode !== 0) throw new Error(`gateway-service build failed:\n${build.output}`);
  record = JSON.parse(readFileSync(join(workspaceRoot, buildOutput, 'image.json'), 'utf8'));
});

const push = (registry: string, tag: string, extra: string[] = []) =>
  nx([
    'run',
    'gateway-service:docker-push',
    `--registry=${registry}`,
    `--imageName=${repository}`,
    `--tag=${tag}`,
    `--inputPath=${buildOutput}`,
    '--exclude-task-dependencies',
    ...extra,
  ]);

it('retries as a Docker v2s2 manifest list when the registry rejects the OCI index, and verifies it', async () => {
  const proxy = await startRegistryProxy(5000, [OCI_INDEX]);
  try {
    const result = await push(proxy.registry, 'v2s2');
    expect(result.output).toContain('rejected the OCI image index; retrying as a Docker v2s2 manifest list');
    expect(result.exitCode).toBe(0);
    expect(proxy.rejected.length).toBeGreaterThan(0);
  } finally {
    await proxy.close();
  }
  const remote = await remoteRaw(`127.0.0.1:5000/${repository}:v2s2`);
  expect(remote.json.mediaType).toBe(DOCKER_LIST);
  expect(
    describeIndex(remote.json)
      .map((p) => p.platform)
      .sort(),
  ).toEqual(record.platforms.map((p) => p.platform).sort());
});

it('pushes the host platform alone when lists are rejected, names what was not pushed, and fails unless allowed', async () => {
  const proxy = await startRegistryProxy(5000, [OCI_INDEX, DOCKER_LIST]);
  const others = record.platforms.map((p) => p.platform).filter((p) => p !== hostPlatform());
  try {
    const refused = await push(proxy.registry, 'single');
    expect(refused.exitCode).not.toBe(0);
    expect(refused.output).toContain(`pushed only ${hostPlatform()}`);
    expect(refused.output).toContain(`NOT pushed: ${others.join(', ')}`);
    expect(refused.output).toContain('allowSingleArchFallback');

    const allowed = await push(proxy.registry, 'single-ok', ['--allowSingleArchFallback']);
    expect(allowed.exitCode).toBe(0);
    expect(allowed.output).toContain('NOT pushed');
  } finally {
    await proxy.close();
  }
  const remote = await remoteRaw(`127.0.0.1:5000/${repository}:single-ok`);
  expect(remote.json.manifests).toBeUndefined();
  expect(remote.json.config.digest).toBe(record.platforms.find((p) => p.platform === hostPlatform())!.configDigest);
  expect((await remoteTags(repository)).sort()).toEqual(['single', 'single-ok', 'v2s2']);
});
