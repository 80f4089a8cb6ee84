import type { ExecutorContext } from '@nx/devkit';
import { resolveBuildOptions } from '../executors/docker-build/executor';
import { resolveBuildSingleOptions } from '../executors/docker-build-single/executor';
import { resolvePushOptions } from '../executors/docker-push/executor';
import { targetsFor } from '../plugin/create-nodes';
import { hostPlatform } from '../image/platform';

/**
 * Builds the context Nx would give: inferred options (nx.json plugin options through targetsFor), shallow-merged with
 * project.json options the way Nx merges target options, plus the merged object the executor receives (with CLI flags).
 */
function nxRun(targetName: string, nxJson: Record<string, unknown>, projectJson: Record<string, unknown>, cli: Record<string, unknown>) {
  const inferred = targetsFor('services/gw', { name: 'gw', tags: [] }, 'services/gw/Dockerfile', nxJson)[targetName].options;
  const configured = { ...inferred, ...projectJson };
  const context = {
    root: '/ws',
    projectName: 'gw',
    targetName,
    projectsConfigurations: { version: 2, projects: { gw: { root: 'services/gw', targets: { [targetName]: { options: configured } } } } },
  } as unknown as ExecutorContext;
  return { options: { ...configured, ...cli }, context };
}

describe('option precedence: defaults < nx.json < project.json < env < CLI', () => {
  it('uses the defaults when nothing is set', () => {
    const { options, context } = nxRun('docker-build', {}, {}, {});
    const resolved = resolveBuildOptions(options, context, {});
    expect(resolved.platforms).toEqual(['linux/amd64', 'linux/arm64']);
    expect(resolved.engine).toBe('auto');
  });

  it('lets each layer override the one before for platforms', () => {
    const nxJson = { platforms: ['linux/amd64', 'linux/arm64', 'linux/s390x'] };
    const projectJson = { platforms: ['linux/arm64'] };
    expect(resolveBuildOptions(...(Object.values(nxRun('docker-build', nxJson, {}, {})) as [any, any]), {}).platforms).toEqual(
      nxJson.platforms,
    );
    expect(resolveBuildOptions(...(Object.values(nxRun('docker-build', nxJson, projectJson, {})) as [any, any]), {}).platforms).toEqual([
      'linux/arm64',
    ]);
    const withEnv = nxRun('docker-build', nxJson, projectJson, {});
    expect(resolveBuildOptions(withEnv.options, withEnv.context, { PLATFORMS: 'linux/ppc64le,linux/amd64' }).platforms).toEqual([
      'linux/ppc64le',
      'linux/amd64',
    ]);
    const withCli = nxRun('docker-build', nxJson, projectJson, { platforms: 'linux/amd64' });
    expect(resolveBuildOptions(withCli.options, withCli.context, { PLATFORMS: 'linux/ppc64le' }).platforms).toEqual(['linux/amd64']);
  });

  it('MULTI_ARCH=false builds only the host platform; a bad value is named', () => {
    const { options, context } = nxRun('docker-build', {}, {}, {});
    expect(resolveBuildOptions(options, context, { MULTI_ARCH: 'false' }).platforms).toEqual([hostPlatform()]);
    expect(() => resolveBuildOptions(options, context, { MULTI_ARCH: 'maybe' })).toThrow('Invalid MULTI_ARCH="maybe": use true or false');
  });

  it('names a bad platform from any layer', () => {
    const { options, context } = nxRun('docker-build', {}, {}, {});
    expect(() => resolveBuildOptions(options, context, { PLATFORMS: 'linux/amd64,arm64' })).toThrow('Invalid platform "arm64"');
  });

  it('rejects unknown engines, unknown options and wrong types with the option named', () => {
    const engine = nxRun('docker-build', {}, {}, { engine: 'containerd' });
    expect(() => resolveBuildOptions(engine.options, engine.context, {})).toThrow(
      /option "engine": unknown engine "containerd": use one of auto, podman, docker/,
    );
    const unknown = nxRun('docker-build', {}, { platfroms: ['linux/amd64'] }, {});
    expect(() => resolveBuildOptions(unknown.options, unknown.context, {})).toThrow(/unknown option\(s\) "platfroms"/);
    const args = nxRun('docker-build', {}, { buildArgs: ['A=1'] }, {});
    expect(() => resolveBuildOptions(args.options, args.context, {})).toThrow(/option "buildArgs": buildArgs must be a map/);
    const labels = nxRun('docker-build', {}, { labels: { a: 1 } }, {});
    expect(() => resolveBuildOptions(labels.options, labels.context, {})).toThrow(/option "labels.a": every labels value must be a string/);
  });

  it('names the bad value itself, once', () => {
    const labels = nxRun('docker-build', {}, { labels: { a: 1 } }, {});
    expect(() => resolveBuildOptions(labels.options, labels.context, {})).toThrow(
      'option "labels.a": every labels value must be a string (got 1)',
    );
    const args = nxRun('docker-build', {}, { buildArgs: 'A=1' }, {});
    expect(() => resolveBuildOptions(args.options, args.context, {})).toThrow(
      /option "buildArgs": buildArgs must be a map.* \(got "A=1"\)$/m,
    );
    // already in the message: not repeated
    const engine = nxRun('docker-build', {}, {}, { engine: 'containerd' });
    expect(() => resolveBuildOptions(engine.options, engine.context, {})).toThrow(/use one of auto, podman, docker$/m);
  });

  it('IMG sets the whole reference and IMAGE_TAG the tag, below the CLI', () => {
    const nxJson = { registry: 'quay.io', imageName: 'team/{projectName}' };
    const plain = nxRun('docker-push', nxJson, {}, {});
    expect(resolvePushOptions(plain.options, plain.context, {})).toMatchObject({ registry: 'quay.io', imageName: 'team/{projectName}' });
    expect(resolvePushOptions(plain.options, plain.context, { IMG: '127.0.0.1:5000/x/gw:v9' })).toMatchObject({
      registry: '127.0.0.1:5000',
      imageName: 'x/gw',
      tag: 'v9',
    });
    expect(resolvePushOptions(plain.options, plain.context, { IMG: '127.0.0.1:5000/x/gw:v9', IMAGE_TAG: 'v10' }).tag).toBe('v10');
    const cli = nxRun('docker-push', nxJson, {}, { tag: 'cli' });
    expect(resolvePushOptions(cli.options, cli.context, { IMAGE_TAG: 'env' }).tag).toBe('cli');
    expect(() => resolvePushOptions(plain.options, plain.context, { IMG: 'Quay.io/X:1' })).toThrow('Invalid IMG="Quay.io/X:1"');
  });

  it('docker-build-single takes TARGETARCH, then --platform', () => {
    const plain = nxRun('docker-build-single', {}, {}, {});
    expect(resolveBuildSingleOptions(plain.options, plain.context, {}).platform).toBe(hostPlatform());
    expect(resolveBuildSingleOptions(plain.options, plain.context, { TARGETARCH: 'arm64' }).platform).toBe('linux/arm64');
    const cli = nxRun('docker-build-single', {}, {}, { platform: 'linux/s390x' });
    expect(resolveBuildSingleOptions(cli.options, cli.context, { TARGETARCH: 'arm64' }).platform).toBe('linux/s390x');
  });
});
