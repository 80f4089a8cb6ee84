/**
 * docker-push against the real registry behind a proxy that rejects manifest list media types.
 * Uses the gateway-service build output (built here if core.spec has not run first).
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { hostPlatform } from '../src/image/platform';
import { DOCKER_LIST, OCI_INDEX, startRegistryProxy } from './registry-proxy';
import { RUN_ID, nx, outputDir, readRecordSync, remoteRaw, remoteTags, requireRealParts } from './harness';
import { describeIndex } from '../src/image/oci-layout';

jest.setTimeout(15 * 60 * 1000);
const GATEWAY = 'services/gateway-service';
const repository = `${RUN_ID}-fallback/gateway-service`;

beforeAll(async () => {
  await requireRealParts();
  if (!existsSync(join(outputDir(GATEWAY), 'image.json'))) expect((await nx(['run', 'gateway-service:docker-build'])).exitCode).toBe(0);
});

const push = (registry: string, tag: string, extra: string[] = []) =>
  nx(['run', 'gateway-service:docker-push', `--registry=${registry}`, `--imageName=${repository}`, `--tag=${tag}`, '--exclude-task-dependencies', ...extra]);

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
  expect(describeIndex(remote.json).map((p) => p.platform).sort()).toEqual(readRecordSync(GATEWAY).platforms.map((p) => p.platform).sort());
});

it('pushes the host platform alone when lists are rejected, names what was not pushed, and fails unless allowed', async () => {
  const proxy = await startRegistryProxy(5000, [OCI_INDEX, DOCKER_LIST]);
  const others = readRecordSync(GATEWAY).platforms.map((p) => p.platform).filter((p) => p !== hostPlatform());
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
  expect(remote.json.config.digest).toBe(readRecordSync(GATEWAY).platforms.find((p) => p.platform === hostPlatform())!.configDigest);
  expect((await remoteTags(repository)).sort()).toEqual(['single', 'single-ok', 'v2s2']);
});
