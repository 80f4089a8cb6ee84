import { docker } from './docker';
import { podman } from './podman';
import type { MultiArchRequest, StitchRequest } from './types';

const multi: MultiArchRequest = {
  dockerfile: '/ws/svc/Dockerfile',
  context: '/ws/svc',
  buildArgs: {},
  labels: {},
  extraArgs: [],
  buildPlatform: 'linux/amd64',
  platforms: ['linux/amd64', 'linux/arm/v7'],
  layoutDir: '/ws/dist/x.partial/oci',
  workName: 'localhost/work/svc:1',
};

describe('remote builders', () => {
  it('podman --url builds each platform on the service and fetches it with save, because the service writes oci: paths on its own machine', () => {
    const plan = podman.planMultiArch({ ...multi, remote: { url: 'tcp://builder:8080' } });
    const argv = plan.steps.map((s) => s.argv.slice(0, 7));
    expect(argv).toEqual([
      ['podman', '--url', 'tcp://builder:8080', 'build', '--platform', 'linux/amd64', '--tag'],
      ['podman', '--url', 'tcp://builder:8080', 'save', '--format', 'oci-archive', '--output'],
      ['podman', '--url', 'tcp://builder:8080', 'build', '--platform', 'linux/arm/v7', '--tag'],
      ['podman', '--url', 'tcp://builder:8080', 'save', '--format', 'oci-archive', '--output'],
    ]);
    expect(plan.steps.map((s) => s.platform)).toEqual(['linux/amd64', undefined, 'linux/arm/v7', undefined]);
    expect(plan.archives).toEqual([
      { platform: 'linux/amd64', path: '/ws/dist/x.partial/archives/amd64.tar' },
      { platform: 'linux/arm/v7', path: '/ws/dist/x.partial/archives/armv7.tar' },
    ]);
    expect(plan.steps[1].argv.slice(-2)).toEqual(['/ws/dist/x.partial/archives/amd64.tar', 'localhost/work/svc:1-amd64']);
    expect(plan.cleanup.map((s) => s.argv)).toEqual([
      ['podman', '--url', 'tcp://builder:8080', 'rmi', 'localhost/work/svc:1-amd64'],
      ['podman', '--url', 'tcp://builder:8080', 'rmi', 'localhost/work/svc:1-armv7'],
    ]);
  });

  it('podman --connection goes before the subcommand of every step, single builds included', () => {
    const single = podman.planSingle({ ...multi, platform: 'linux/arm64', reference: 'r:1', remote: { connection: 'arm-box' } });
    expect(single.steps[0].argv.slice(0, 4)).toEqual(['podman', '--connection', 'arm-box', 'build']);
    expect(podman.saveArchive('r:1', '/tmp/a.tar', { connection: 'arm-box' }).argv).toEqual([
      'podman',
      '--connection',
      'arm-box',
      'save',
      '--format',
      'docker-archive',
      '--output',
      '/tmp/a.tar',
      'r:1',
    ]);
  });

  it('refuses options of the other engine, and both podman targets at once, naming the fix', () => {
    expect(() => podman.planMultiArch({ ...multi, remote: { builder: 'multi' } })).toThrow(
      /builder "multi" is a docker buildx option: with podman use connection/,
    );
    expect(() => podman.planMultiArch({ ...multi, remote: { connection: 'a', url: 'tcp://b:1' } })).toThrow(/set only one/);
    expect(() => docker.planMultiArch({ ...multi, remote: { url: 'tcp://b:1' } })).toThrow(/podman options: with docker use builder/);
  });

  it('docker buildx --builder (command level: no buildx on these machines)', () => {
    const plan = docker.planMultiArch({ ...multi, remote: { builder: 'multi-node' } });
    expect(plan.steps[0].argv.slice(0, 5)).toEqual(['docker', 'buildx', '--builder', 'multi-node', 'build']);
  });
});

describe('stitch plans', () => {
  const request: StitchRequest = {
    sources: ['reg/app@sha256:aaa', 'reg/app@sha256:bbb'],
    destinations: ['reg/app:1.0', 'reg/app:latest'],
    format: 'oci',
    tlsVerify: false,
    workName: 'localhost/stitch/app:1',
  };

  it('podman: creates the list from the per-arch digests and pushes only the list (the images are there already), then removes it', () => {
    const pushListTo = (destination: string) => [
      'podman',
      'manifest',
      'push',
      '--all=false',
      '--format',
      'oci',
      '--tls-verify=false',
      'localhost/stitch/app:1',
      destination,
    ];
    const plan = podman.planStitch(request);
    expect(plan.steps.map((s) => s.argv)).toEqual([
      ['podman', 'manifest', 'create', 'localhost/stitch/app:1'],
      ['podman', 'manifest', 'add', '--tls-verify=false', 'localhost/stitch/app:1', 'docker://reg/app@sha256:aaa'],
      ['podman', 'manifest', 'add', '--tls-verify=false', 'localhost/stitch/app:1', 'docker://reg/app@sha256:bbb'],
      pushListTo('docker://reg/app:1.0'),
      pushListTo('docker://reg/app:latest'),
    ]);
    expect(plan.cleanup.map((s) => s.argv)).toEqual([['podman', 'manifest', 'rm', 'localhost/stitch/app:1']]);
  });

  it('docker: buildx imagetools create with every tag (command level)', () => {
    expect(docker.planStitch({ ...request, tlsVerify: true }).steps[0].argv).toEqual([
      'docker',
      'buildx',
      'imagetools',
      'create',
      '--tag',
      'reg/app:1.0',
      '--tag',
      'reg/app:latest',
      'reg/app@sha256:aaa',
      'reg/app@sha256:bbb',
    ]);
  });

  it('docker: refuses a tlsVerify imagetools cannot honour (it has no TLS switch); the default of each registry passes', () => {
    const at = (registry: string, tlsVerify: boolean) => ({ ...request, tlsVerify, destinations: [`${registry}/app:1.0`] });
    expect(() => docker.planStitch(at('registry.example.com', false))).toThrow(
      /^tlsVerify: false is not supported with engine docker for docker-manifest \(registry registry\.example\.com\).*set "engine": "podman".*set tlsVerify: true\.$/s,
    );
    expect(() => docker.planStitch(at('127.0.0.1:5000', true))).toThrow(
      /^tlsVerify: true is not supported with engine docker for docker-manifest \(registry 127\.0\.0\.1:5000\).*plain HTTP/s,
    );
    expect(() => docker.assertStitchable!(at('localhost:5000', true))).toThrow(/tlsVerify: true/);
    // the second destination's registry counts too
    expect(() =>
      docker.planStitch({ ...at('127.0.0.1:5000', false), destinations: ['127.0.0.1:5000/app:1.0', 'quay.io/acme/app:1.0'] }),
    ).toThrow(/registry quay\.io\)/);
    expect(docker.planStitch(at('registry.example.com', true)).steps[0].argv.slice(0, 4)).toEqual([
      'docker',
      'buildx',
      'imagetools',
      'create',
    ]);
    expect(docker.planStitch(at('127.0.0.1:5000', false)).steps[0].argv.slice(0, 4)).toEqual(['docker', 'buildx', 'imagetools', 'create']);
    expect(() => podman.planStitch(at('registry.example.com', false))).not.toThrow();
  });

  it('docker: refuses podman remote options for the stitch too, before planning it', () => {
    expect(() => docker.assertStitchable!({ ...request, tlsVerify: true, remote: { connection: 'arm-box' } })).toThrow(
      /podman options: with docker use builder/,
    );
  });
});
