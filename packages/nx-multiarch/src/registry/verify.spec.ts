/**
 * verifyRemote against a registry in memory (test-registry.ts answers the skopeo read-backs run() would send):
 * every problem branch, and a clean read-back per mode, so a verifier that always passes (or always fails) goes red.
 */
import type { ImageRecord } from '../image/record';
import { DOCKER_LIST, DOCKER_MANIFEST } from '../image/oci-layout';
import { FakeRegistry } from './test-registry';
import { readRemoteManifest, verifyRemote } from './verify';

let mockRegistry: FakeRegistry;
jest.mock('../run/exec', () => jest.requireActual('./test-registry-exec').execAnsweredBy(() => mockRegistry));

const NAME = '127.0.0.1:5000/acme/web';
let amd64: { digest: string; configDigest: string };
let arm64: { digest: string; configDigest: string };
let indexDigest: string;
let record: ImageRecord;

beforeEach(() => {
  mockRegistry = new FakeRegistry();
  amd64 = mockRegistry.image(NAME, { os: 'linux', architecture: 'amd64' });
  arm64 = mockRegistry.image(NAME, { os: 'linux', architecture: 'arm64' });
  indexDigest = mockRegistry.list(NAME, 'built', [
    { platform: 'linux/amd64', digest: amd64.digest },
    { platform: 'linux/arm64', digest: arm64.digest },
  ]);
  record = {
    schemaVersion: 1,
    project: 'web',
    layout: { path: 'oci', tag: 'latest' },
    index: { digest: indexDigest, mediaType: 'application/vnd.oci.image.index.v1+json', size: 300 },
    platforms: [
      {
        platform: 'linux/amd64',
        digest: amd64.digest,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        manifestSize: 100,
        configDigest: amd64.configDigest,
        size: 1000,
      },
      {
        platform: 'linux/arm64',
        digest: arm64.digest,
        mediaType: 'application/vnd.oci.image.manifest.v1+json',
        manifestSize: 100,
        configDigest: arm64.configDigest,
        size: 1000,
      },
    ],
    engine: { name: 'podman', version: '4.3.1' },
    buildSeconds: 10,
  };
});

const verify = (tag: string, mode: Parameters<typeof verifyRemote>[3]) => verifyRemote(NAME, tag, record, mode, false, '/tmp');

describe('readRemoteManifest', () => {
  it('is undefined for a tag the registry does not have, and throws on any other failure', async () => {
    await expect(readRemoteManifest(`${NAME}:nope`, false, '/tmp')).resolves.toBeUndefined();
    mockRegistry.broken.add(`${NAME}:built`);
    await expect(readRemoteManifest(`${NAME}:built`, false, '/tmp')).rejects.toThrow(/connection refused/);
  });
});

describe('verifyRemote, index (the OCI index as built)', () => {
  it('passes when the registry serves the index as built', async () => {
    const state = await verify('built', { kind: 'index' });
    expect(state.problems).toEqual([]);
    expect(state.digest).toBe(indexDigest);
    expect(state.platforms).toEqual([
      { platform: 'linux/amd64', digest: amd64.digest },
      { platform: 'linux/arm64', digest: arm64.digest },
    ]);
  });

  it('fails when the tag is not in the registry', async () => {
    const state = await verify('nope', { kind: 'index' });
    expect(state.problems).toEqual([`${NAME}:nope is not in the registry`]);
  });

  it('fails when the tag holds one image instead of a list', async () => {
    mockRegistry.image(NAME, { os: 'linux', architecture: 'amd64' }, undefined, 'single');
    const state = await verify('single', { kind: 'index' });
    expect(state.problems).toEqual([`${NAME}:single is not a manifest list (media type application/vnd.oci.image.manifest.v1+json)`]);
  });

  it('fails naming the platform and both digests when an entry has another digest, and the index digests', async () => {
    const served = mockRegistry.list(NAME, 'swapped', [
      { platform: 'linux/amd64', digest: amd64.digest },
      { platform: 'linux/arm64', digest: amd64.digest },
    ]);
    const state = await verify('swapped', { kind: 'index' });
    expect(state.problems).toEqual([
      `${NAME}:swapped index digest is ${served}, expected ${indexDigest}`,
      `${NAME}:swapped linux/arm64 is ${amd64.digest}, expected ${arm64.digest}`,
    ]);
  });

  it('fails when the list lacks a platform', async () => {
    const served = mockRegistry.list(NAME, 'half', [{ platform: 'linux/amd64', digest: amd64.digest }]);
    const state = await verify('half', { kind: 'index' });
    expect(state.problems).toEqual([`${NAME}:half index digest is ${served}, expected ${indexDigest}`, `${NAME}:half lacks linux/arm64`]);
  });

  it('fails when the list holds a platform that was not built', async () => {
    const s390x = mockRegistry.image(NAME, { os: 'linux', architecture: 's390x' });
    mockRegistry.list(NAME, 'extra', [
      { platform: 'linux/amd64', digest: amd64.digest },
      { platform: 'linux/arm64', digest: arm64.digest },
      { platform: 'linux/s390x', digest: s390x.digest },
    ]);
    const state = await verify('extra', { kind: 'index' });
    expect(state.problems).toContain(`${NAME}:extra holds unexpected platforms linux/s390x`);
  });

  it('throws when the registry read fails for another reason than a missing tag', async () => {
    mockRegistry.broken.add(`${NAME}:built`);
    await expect(verify('built', { kind: 'index' })).rejects.toThrow(/connection refused/);
  });
});

describe('verifyRemote, v2s2 (converted, so each platform is compared by config digest)', () => {
  let v2amd64: { digest: string; configDigest: string };
  let v2arm64: { digest: string; configDigest: string };
  beforeEach(() => {
    // the conversion changes manifest digests, not configs: same configs as built
    v2amd64 = mockRegistry.image(NAME, { os: 'linux', architecture: 'amd64' }, DOCKER_MANIFEST);
    v2arm64 = mockRegistry.image(NAME, { os: 'linux', architecture: 'arm64' }, DOCKER_MANIFEST);
    mockRegistry.list(
      NAME,
      'v2',
      [
        { platform: 'linux/amd64', digest: v2amd64.digest },
        { platform: 'linux/arm64', digest: v2arm64.digest },
      ],
      DOCKER_LIST,
    );
  });

  it('passes when every platform has the config it was built with', async () => {
    expect(v2amd64.configDigest).toBe(amd64.configDigest);
    const state = await verify('v2', { kind: 'v2s2' });
    expect(state.problems).toEqual([]);
    expect(state.platforms.map((p) => p.digest)).toEqual([v2amd64.digest, v2arm64.digest]);
  });

  it('fails when a platform has another config', async () => {
    const other = mockRegistry.image(NAME, { os: 'linux', architecture: 'amd64', variant: 'v9' }, DOCKER_MANIFEST);
    mockRegistry.list(
      NAME,
      'v2',
      [
        { platform: 'linux/amd64', digest: v2amd64.digest },
        { platform: 'linux/arm64', digest: other.digest },
      ],
      DOCKER_LIST,
    );
    const state = await verify('v2', { kind: 'v2s2' });
    expect(state.problems).toEqual([`${NAME}:v2 linux/arm64 has config ${other.configDigest}, expected ${arm64.configDigest}`]);
  });

  it('fails when a listed platform manifest is not in the registry', async () => {
    mockRegistry.manifests.delete(`${NAME}@${v2arm64.digest}`);
    const state = await verify('v2', { kind: 'v2s2' });
    expect(state.problems).toEqual([`${NAME}:v2 linux/arm64 (${v2arm64.digest}) is not in the registry`]);
  });

  it('fails when the list lacks a platform, or is not a list', async () => {
    mockRegistry.list(NAME, 'v2', [{ platform: 'linux/amd64', digest: v2amd64.digest }], DOCKER_LIST);
    expect((await verify('v2', { kind: 'v2s2' })).problems).toEqual([`${NAME}:v2 lacks linux/arm64`]);
    mockRegistry.image(NAME, { os: 'linux', architecture: 'amd64' }, DOCKER_MANIFEST, 'v2');
    expect((await verify('v2', { kind: 'v2s2' })).problems).toEqual([`${NAME}:v2 is not a manifest list (media type ${DOCKER_MANIFEST})`]);
  });
});

describe('verifyRemote, platform (a per-arch push: the one image as built)', () => {
  it('passes when the tag is the image as built', async () => {
    mockRegistry.manifests.set(`${NAME}:v1-arm64`, mockRegistry.manifests.get(`${NAME}@${arm64.digest}`)!);
    const state = await verify('v1-arm64', { kind: 'platform', platform: 'linux/arm64' });
    expect(state).toEqual({ digest: arm64.digest, platforms: [{ platform: 'linux/arm64', digest: arm64.digest }], problems: [] });
  });

  it('fails naming both digests when the tag is another image', async () => {
    mockRegistry.manifests.set(`${NAME}:v1-arm64`, mockRegistry.manifests.get(`${NAME}@${amd64.digest}`)!);
    const state = await verify('v1-arm64', { kind: 'platform', platform: 'linux/arm64' });
    expect(state.problems).toEqual([`${NAME}:v1-arm64 is ${amd64.digest}, expected ${arm64.digest} (linux/arm64 as built)`]);
  });

  it('fails when the tag is a list', async () => {
    mockRegistry.manifests.set(`${NAME}:v1-arm64`, mockRegistry.manifests.get(`${NAME}:built`)!);
    const state = await verify('v1-arm64', { kind: 'platform', platform: 'linux/arm64' });
    expect(state.problems).toEqual([`${NAME}:v1-arm64 is a manifest list, expected the linux/arm64 image alone`]);
  });

  it('fails when the tag is missing', async () => {
    expect((await verify('v1-arm64', { kind: 'platform', platform: 'linux/arm64' })).problems).toEqual([
      `${NAME}:v1-arm64 is not in the registry`,
    ]);
  });
});

describe('verifyRemote, single (the host platform alone, after the registry refused lists)', () => {
  it('passes when the image has the config the platform was built with', async () => {
    mockRegistry.image(NAME, { os: 'linux', architecture: 'amd64' }, DOCKER_MANIFEST, 'one');
    expect((await verify('one', { kind: 'single', platform: 'linux/amd64' })).problems).toEqual([]);
  });

  it('fails naming both configs when the image is another one', async () => {
    mockRegistry.image(NAME, { os: 'linux', architecture: 'arm64' }, DOCKER_MANIFEST, 'one');
    expect((await verify('one', { kind: 'single', platform: 'linux/amd64' })).problems).toEqual([
      `${NAME}:one has config ${arm64.configDigest}, expected ${amd64.configDigest} (linux/amd64)`,
    ]);
  });
});
