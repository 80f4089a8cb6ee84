import { pushSteps, rejectedManifestType } from './skopeo';

const target = { reference: { registry: '127.0.0.1:5000', repository: 'team/gw' }, tags: ['1.0.0', 'latest'], tlsVerify: false };

describe('push plans', () => {
  it('copies the whole index, digests preserved, once per tag; TLS verification always explicit', () => {
    const copyIndexTo = (destination: string) => [
      'skopeo',
      'copy',
      '--retry-times',
      '3',
      '--all',
      '--preserve-digests',
      '--dest-tls-verify=false',
      'oci:/out/oci:latest',
      destination,
    ];
    expect(pushSteps('/out/oci', target, { kind: 'index' }).map((s) => s.argv)).toEqual([
      copyIndexTo('docker://127.0.0.1:5000/team/gw:1.0.0'),
      copyIndexTo('docker://127.0.0.1:5000/team/gw:latest'),
    ]);
    const [tls] = pushSteps('/out/oci', { ...target, tlsVerify: true }, { kind: 'index' });
    // explicit even when on: an insecure entry in registries.conf must not turn it off behind the option's back
    expect(tls.argv).toContain('--dest-tls-verify=true');
  });

  it('falls back to a v2s2 list, then to one platform', () => {
    expect(pushSteps('/o', target, { kind: 'v2s2' })[0].argv).toEqual(expect.arrayContaining(['--all', '--format', 'v2s2']));
    expect(pushSteps('/o', target, { kind: 'v2s2' })[0].argv).not.toContain('--preserve-digests');
    const [single] = pushSteps('/o', target, { kind: 'single', platform: 'linux/arm64/v8' });
    expect(single.argv).toEqual(expect.arrayContaining(['--override-os', 'linux', '--override-arch', 'arm64', '--override-variant', 'v8']));
    expect(single.argv).not.toContain('--all');
  });

  it('tells a manifest-type rejection from other failures', () => {
    expect(rejectedManifestType('Error: writing manifest: uploading manifest latest: manifest invalid')).toBe(true);
    expect(
      rejectedManifestType(
        'Manifest list must be converted to type "application/vnd.docker.distribution.manifest.list.v2+json" to be written to destination, but we cannot modify it: "Instructed to preserve digests"',
      ),
    ).toBe(true);
    expect(rejectedManifestType('unauthorized: authentication required')).toBe(false);
    expect(rejectedManifestType('dial tcp 127.0.0.1:5999: connect: connection refused')).toBe(false);
  });
});
