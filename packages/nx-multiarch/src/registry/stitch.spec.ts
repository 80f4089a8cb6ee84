import { archTag } from '../plan/reference';
import { listFormatFor, stitchProblems, type ArchImage } from './stitch';

describe('per-arch tags', () => {
  it('fills {arch} with architecture and variant, and validates the result as a tag', () => {
    expect(archTag('1.2.0', '-{arch}', 'linux/arm64')).toBe('1.2.0-arm64');
    expect(archTag('1.2.0', '_{arch}', 'linux/arm/v7')).toBe('1.2.0_armv7');
    expect(() => archTag('1.2.0', '/{arch}', 'linux/amd64')).toThrow(/Invalid tag "1.2.0\/amd64"/);
  });
});

describe('stitch checks', () => {
  const ok = (platform: string, digest: string): ArchImage => ({
    platform,
    reference: `r/app:1-${platform.split('/')[1]}`,
    state: 'ok',
    digest,
    mediaType: 'application/vnd.oci.image.manifest.v1+json',
  });

  it('lists what is missing and what is present, with the command that fixes it', () => {
    const message = stitchProblems('app', 'r/app:1', [
      ok('linux/amd64', 'sha256:a'),
      { platform: 'linux/arm64', reference: 'r/app:1-arm64', state: 'missing' },
    ]);
    expect(message).toContain('Cannot stitch r/app:1; nothing was pushed.');
    expect(message).toContain(
      'missing linux/arm64: r/app:1-arm64 is not in the registry (run nx run app:docker-push -c arm64 on a linux/arm64 runner)',
    );
    expect(message).toContain('present: linux/amd64 (r/app:1-amd64 sha256:a)');
  });

  it('reports a tag that is not the platform it claims', () => {
    const message = stitchProblems('app', 'r/app:1', [
      ok('linux/amd64', 'sha256:a'),
      {
        platform: 'linux/arm64',
        reference: 'r/app:1-arm64',
        state: 'wrong',
        problem: 'r/app:1-arm64 claims linux/arm64 but its config says linux/amd64',
      },
    ]);
    expect(message).toContain('wrong linux/arm64: r/app:1-arm64 claims linux/arm64 but its config says linux/amd64');
  });

  it('is silent when every arch is there', () => {
    expect(stitchProblems('app', 'r/app:1', [ok('linux/amd64', 'sha256:a'), ok('linux/arm64', 'sha256:b')])).toBeUndefined();
  });

  it('keeps the images as they are: OCI images make an OCI index, Docker ones a v2s2 list, a mix is refused', () => {
    expect(listFormatFor([{ reference: 'a', mediaType: 'application/vnd.oci.image.manifest.v1+json' }])).toBe('oci');
    expect(listFormatFor([{ reference: 'a', mediaType: 'application/vnd.docker.distribution.manifest.v2+json' }])).toBe('v2s2');
    expect(() =>
      listFormatFor([
        { reference: 'a', mediaType: 'application/vnd.oci.image.manifest.v1+json' },
        { reference: 'b', mediaType: 'application/vnd.docker.distribution.manifest.v2+json' },
      ]),
    ).toThrow(/mix OCI and Docker v2s2 manifests/);
  });
});
