import { writeFileSync, chmodSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { docker } from './docker';
import { podman } from './podman';
import { selectEngine } from './detect';
import type { MultiArchRequest, SingleRequest } from './types';
import { tempDir } from '../../../../tools/fixtures/workspace-kit';

const base = {
  dockerfile: '/ws/docker/gateway.Dockerfile',
  context: '/ws',
  target: 'production',
  buildArgs: { APP_VERSION: '1.2.3', GIT_COMMIT: 'x; rm -rf /' },
  labels: { 'org.opencontainers.image.title': 'gateway' },
  extraArgs: ['--pull=never'],
  sourceDateEpoch: 1700000000,
  buildPlatform: 'linux/amd64',
};
const multi: MultiArchRequest = {
  ...base,
  platforms: ['linux/amd64', 'linux/arm64'],
  layoutDir: '/ws/dist/x/oci',
  workName: 'localhost/work/gw:1',
};
const single: SingleRequest = { ...base, platform: 'linux/arm64', reference: '127.0.0.1:5000/gw:dev' };

describe('podman plans', () => {
  it('builds every platform into a temporary manifest list, writes it as an OCI layout, then removes the list', () => {
    const plan = podman.planMultiArch(multi);
    expect(plan.steps.map((s) => s.argv)).toEqual([
      [
        'podman',
        'build',
        '--platform',
        'linux/amd64,linux/arm64',
        '--manifest',
        'localhost/work/gw:1',
        '--timestamp',
        '1700000000',
        '--file',
        '/ws/docker/gateway.Dockerfile',
        '--target',
        'production',
        '--build-arg',
        'BUILDPLATFORM=linux/amd64',
        '--build-arg',
        'BUILDOS=linux',
        '--build-arg',
        'BUILDARCH=amd64',
        '--build-arg',
        'APP_VERSION=1.2.3',
        '--build-arg',
        'GIT_COMMIT=x; rm -rf /',
        '--label',
        'org.opencontainers.image.title=gateway',
        '--pull=never',
        '/ws',
      ],
      ['podman', 'manifest', 'push', '--all', '--rm', 'localhost/work/gw:1', 'oci:/ws/dist/x/oci:latest'],
    ]);
    // the export removes the list when it succeeds; manifest rm only after a failure
    expect(plan.cleanup.map((s) => s.argv)).toEqual([['podman', 'manifest', 'rm', 'localhost/work/gw:1']]);
    expect(plan.cleanupAfterFailureOnly).toBe(true);
  });

  it('keeps a BUILDPLATFORM the user set (older podman does not predefine it)', () => {
    const [step] = podman.planMultiArch({ ...multi, buildArgs: { BUILDPLATFORM: 'linux/arm64' } }).steps;
    expect(step.argv).toContain('BUILDPLATFORM=linux/arm64');
    expect(step.argv).not.toContain('BUILDPLATFORM=linux/amd64');
  });

  it('builds one platform with a tag in the local store', () => {
    const [step] = podman.planSingle(single).steps;
    expect(step.argv.slice(0, 6)).toEqual(['podman', 'build', '--platform', 'linux/arm64', '--tag', '127.0.0.1:5000/gw:dev']);
    expect(step.argv.at(-1)).toBe('/ws');
  });

  it('refuses podman older than 3.4 with an upgrade hint', () => {
    expect(() => podman.assertSupported('3.3.1')).toThrow(/podman 3\.3\.1 is too old.*3\.4\.0 or newer.*Upgrade podman/);
    expect(() => podman.assertSupported('3.4.0')).not.toThrow();
    expect(() => podman.assertSupported('4.3.1')).not.toThrow();
    expect(podman.parseVersion('podman version 4.3.1\n')).toBe('4.3.1');
  });
});

describe('docker buildx plans (command level: no buildx on these machines)', () => {
  it('exports an OCI layout with provenance off and SOURCE_DATE_EPOCH set', () => {
    const [step] = docker.planMultiArch(multi).steps;
    expect(step.argv.slice(0, 8)).toEqual([
      'docker',
      'buildx',
      'build',
      '--platform',
      'linux/amd64,linux/arm64',
      '--provenance=false',
      '--output',
      'type=oci,dest=/ws/dist/x/oci,tar=false,name=latest,rewrite-timestamp=true',
    ]);
    expect(step.argv).toContain('GIT_COMMIT=x; rm -rf /');
    expect(step.env).toEqual({ SOURCE_DATE_EPOCH: '1700000000' });
  });

  it('turns provenance attestations on only when asked; podman refuses them', () => {
    expect(docker.planMultiArch({ ...multi, provenance: true }).steps[0].argv).toContain('--provenance=true');
    expect(() => podman.planMultiArch({ ...multi, provenance: true })).toThrow(/provenance: true needs docker buildx/);
  });

  it('loads a single platform with --load', () => {
    const [step] = docker.planSingle(single).steps;
    expect(step.argv).toEqual(expect.arrayContaining(['--load', '--tag', '127.0.0.1:5000/gw:dev', '--platform', 'linux/arm64']));
    expect(docker.parseVersion('github.com/docker/buildx v0.12.1 30feaa1')).toBe('0.12.1');
  });
});

describe('engine selection', () => {
  const pathWith = (...tools: string[]) => {
    const dir = tempDir('engines-');
    mkdirSync(join(dir, 'bin'));
    for (const tool of tools) {
      writeFileSync(join(dir, 'bin', tool), '#!/bin/sh\n');
      chmodSync(join(dir, 'bin', tool), 0o755);
    }
    return join(dir, 'bin');
  };

  it('auto prefers podman, then docker', () => {
    expect(selectEngine('auto', pathWith('podman', 'docker')).name).toBe('podman');
    expect(selectEngine('auto', pathWith('docker')).name).toBe('docker');
  });

  it('names what to install when no engine is there', () => {
    expect(() => selectEngine('auto', pathWith())).toThrow(/No container engine found.*Install podman >= 3\.4.*buildx/);
    expect(() => selectEngine('docker', pathWith('podman'))).toThrow(/"docker" was not found on PATH.*buildx/);
  });
});

describe('what differs between engines, behind the Engine interface', () => {
  const dir = tempDir('engines-prepare-');
  const dockerfile = join(dir, 'Dockerfile');
  writeFileSync(dockerfile, 'FROM --platform=$BUILDPLATFORM golang AS build\nRUN go build\nFROM busybox\nCOPY --from=build /app /app\n');
  const request = { ...single, dockerfile, context: dir, labels: { 'org.opencontainers.image.title': 'gw' }, sourceDateEpoch: 1700000000 };
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('podman warns about a FROM that inherits the build platform (buildah#5971); docker does not', async () => {
    expect(await podman.preflight(dockerfile, dir, '4.3.1')).toEqual([
      expect.stringMatching(/^Dockerfile:3: FROM busybox names no --platform.*podman 4\.3\.1/),
    ]);
    expect(await docker.preflight(dockerfile, dir, '0.12.1')).toEqual([]);
  });

  it('podman builds a copy of the Dockerfile with the labels in it; docker builds the request as given', async () => {
    const prepared = await podman.prepare(request, { project: 'gw', workspaceRoot: dir });
    expect(prepared.request.dockerfile).not.toBe(dockerfile);
    expect(readFileSync(prepared.request.dockerfile, 'utf8')).toContain('nx-multiarch.source-epoch');
    expect(prepared.files).toEqual([expect.objectContaining({ path: prepared.request.dockerfile })]);
    expect(await docker.prepare(request, { project: 'gw', workspaceRoot: dir })).toEqual({ request, bases: [], files: [], notes: [] });
  });

  it('podman plans restart on its known transient pull race; docker plans never do', () => {
    expect(podman.planSingle(single).retry?.on.test('locating pulled image "x": image not known')).toBe(true);
    expect(docker.planSingle(single).retry).toBeUndefined();
  });
});
