/**
 * docker-manifest's two verifications against a registry in memory (test-registry.ts answers the skopeo read-backs
 * run() would send): the per-arch tags before stitching (inspectArchImage) and the stitched list after (verifyStitched).
 * Every problem branch, and a clean read-back, so a verifier that always passes (or always fails) goes red.
 */
import { DOCKER_LIST, DOCKER_MANIFEST, OCI_MANIFEST } from '../image/oci-layout';
import { FakeRegistry } from './test-registry';
import { PushVerificationError } from '../core/errors';
import { inspectArchImage, verifyStitched } from './stitch';

let mockRegistry: FakeRegistry;
jest.mock('../run/exec', () => jest.requireActual('./test-registry-exec').execAnsweredBy(() => mockRegistry));

const NAME = '127.0.0.1:5000/acme/web';
let amd64: { digest: string; configDigest: string };
let arm64: { digest: string; configDigest: string };
let images: Array<{ platform: string; digest: string }>;

beforeEach(() => {
  mockRegistry = new FakeRegistry();
  amd64 = mockRegistry.image(NAME, { os: 'linux', architecture: 'amd64' }, OCI_MANIFEST, 'v1-amd64');
  arm64 = mockRegistry.image(NAME, { os: 'linux', architecture: 'arm64' }, OCI_MANIFEST, 'v1-arm64');
  images = [
    { platform: 'linux/amd64', digest: amd64.digest },
    { platform: 'linux/arm64', digest: arm64.digest },
  ];
});

/** The error verifyStitched throws (failing the test when it throws none, or another kind). */
async function failure(tags: string[]): Promise<string> {
  const error = await verifyStitched(NAME, tags, images, false, '/tmp').then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(PushVerificationError);
  return (error as Error).message;
}

describe('verifyStitched', () => {
  it('returns the list digest when every tag is a list of exactly the per-arch images', async () => {
    const digest = mockRegistry.list(NAME, 'v1', images);
    mockRegistry.list(NAME, 'latest', images);
    await expect(verifyStitched(NAME, ['v1', 'latest'], images, false, '/tmp')).resolves.toBe(digest);
    expect(mockRegistry.reads).toEqual([`manifest ${NAME}:v1`, `manifest ${NAME}:latest`]);
  });

  it('fails naming the platform and both digests when an entry has another digest', async () => {
    mockRegistry.list(NAME, 'v1', [
      { platform: 'linux/amd64', digest: amd64.digest },
      { platform: 'linux/arm64', digest: amd64.digest },
    ]);
    expect(await failure(['v1'])).toBe(`Verification of ${NAME}:v1 failed:\n  - linux/arm64 is ${amd64.digest}, expected ${arm64.digest}`);
  });

  it('fails naming the platform that is absent, and the count', async () => {
    mockRegistry.list(NAME, 'v1', [{ platform: 'linux/amd64', digest: amd64.digest }]);
    expect(await failure(['v1'])).toBe(
      `Verification of ${NAME}:v1 failed:\n  - linux/arm64 is absent, expected ${arm64.digest}\n  - it lists 1 images, expected 2`,
    );
  });

  it('fails when the list holds an image more than was stitched', async () => {
    const s390x = mockRegistry.image(NAME, { os: 'linux', architecture: 's390x' });
    mockRegistry.list(NAME, 'v1', [...images, { platform: 'linux/s390x', digest: s390x.digest }]);
    expect(await failure(['v1'])).toBe(`Verification of ${NAME}:v1 failed:\n  - it lists 3 images, expected 2`);
  });

  it('fails when the tag is missing', async () => {
    expect(await failure(['v1'])).toBe(`Verification of ${NAME}:v1 failed:\n  - the tag is missing`);
  });

  it('fails when the tag is one image, not a list', async () => {
    mockRegistry.image(NAME, { os: 'linux', architecture: 'amd64' }, DOCKER_MANIFEST, 'v1');
    expect(await failure(['v1'])).toBe(`Verification of ${NAME}:v1 failed:\n  - it is not a manifest list (${DOCKER_MANIFEST})`);
  });

  it('checks every tag: a good first tag does not hide a bad second one', async () => {
    mockRegistry.list(NAME, 'v1', images, DOCKER_LIST);
    mockRegistry.list(NAME, 'latest', [
      { platform: 'linux/amd64', digest: arm64.digest },
      { platform: 'linux/arm64', digest: arm64.digest },
    ]);
    expect(await failure(['v1', 'latest'])).toBe(
      `Verification of ${NAME}:latest failed:\n  - linux/amd64 is ${arm64.digest}, expected ${amd64.digest}`,
    );
  });

  it('throws the registry error when a read fails for another reason than a missing tag', async () => {
    mockRegistry.broken.add(`${NAME}:v1`);
    await expect(verifyStitched(NAME, ['v1'], images, false, '/tmp')).rejects.toThrow(/connection refused/);
  });
});

describe('inspectArchImage (each per-arch tag before stitching)', () => {
  it('is ok with the digest when the tag is one image of its platform', async () => {
    await expect(inspectArchImage(NAME, 'v1-arm64', 'linux/arm64', false, '/tmp')).resolves.toEqual({
      platform: 'linux/arm64',
      reference: `${NAME}:v1-arm64`,
      state: 'ok',
      digest: arm64.digest,
      mediaType: OCI_MANIFEST,
    });
  });

  it('is missing when the tag is not in the registry', async () => {
    await expect(inspectArchImage(NAME, 'v2-arm64', 'linux/arm64', false, '/tmp')).resolves.toEqual({
      platform: 'linux/arm64',
      reference: `${NAME}:v2-arm64`,
      state: 'missing',
    });
  });

  it('is wrong when the tag is a list', async () => {
    mockRegistry.list(NAME, 'v1-arm64', images);
    const image = await inspectArchImage(NAME, 'v1-arm64', 'linux/arm64', false, '/tmp');
    expect(image).toMatchObject({ state: 'wrong', problem: expect.stringContaining(`${NAME}:v1-arm64 is a manifest list`) });
  });

  it('is wrong when the image config says another platform', async () => {
    mockRegistry.image(NAME, { os: 'linux', architecture: 'amd64' }, OCI_MANIFEST, 'v1-arm64');
    const image = await inspectArchImage(NAME, 'v1-arm64', 'linux/arm64', false, '/tmp');
    expect(image).toMatchObject({ state: 'wrong', problem: `${NAME}:v1-arm64 claims linux/arm64 but its config says linux/amd64` });
  });
});
