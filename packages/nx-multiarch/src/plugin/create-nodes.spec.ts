import type { CreateNodesContextV2 } from '@nx/devkit';
import { throwawayWorkspace } from './test-workspace';
import { createNodesV2 } from './create-nodes';

const workspace = throwawayWorkspace;

async function infer(root: string, files: string[], options: Record<string, unknown> = {}) {
  const context: CreateNodesContextV2 = { workspaceRoot: root, nxJsonConfiguration: {} };
  const results = await createNodesV2[1](files, options, context);
  return Object.assign({}, ...results.map(([, result]) => result.projects ?? {}));
}

describe('createNodesV2', () => {
  it('gives the three targets to a project with a Dockerfile or Containerfile in its root', async () => {
    const root = workspace({
      'services/gw/project.json': JSON.stringify({ name: 'gateway-service' }),
      'services/gw/Dockerfile': 'FROM scratch\n',
      'services/cf/project.json': JSON.stringify({ name: 'cf' }),
      'services/cf/Containerfile': 'FROM scratch\n',
      'libs/common/project.json': JSON.stringify({ name: 'common' }),
    });
    const projects = await infer(root, ['services/gw/project.json', 'services/gw/Dockerfile', 'services/cf/project.json', 'services/cf/Containerfile', 'libs/common/project.json']);
    expect(Object.keys(projects).sort()).toEqual(['services/cf', 'services/gw']);
    const gw = projects['services/gw'];
    expect(gw.name).toBe('gateway-service');
    expect(Object.keys(gw.targets)).toEqual(['docker-build', 'docker-build-single', 'docker-lint', 'docker-push', 'docker-manifest']);
    expect(gw.targets['docker-lint']).toMatchObject({
      executor: 'nx-multiarch:docker-lint',
      cache: true,
      inputs: ['{workspaceRoot}/services/gw/Dockerfile', '{workspaceRoot}/services/gw/Dockerfile.dockerignore', '{workspaceRoot}/services/gw/.dockerignore', '{workspaceRoot}/.gitignore'],
      outputs: ['{options.outputPath}'],
      options: { outputPath: 'dist/lint/services/gw.json' },
    });
    expect(gw.targets['docker-build']).toMatchObject({
      executor: 'nx-multiarch:docker-build',
      cache: true,
      outputs: ['{options.outputPath}'],
      options: { dockerfile: 'services/gw/Dockerfile', context: 'services/gw', outputPath: 'dist/images/services/gw' },
    });
    expect(gw.targets['docker-push']).toMatchObject({ dependsOn: ['docker-build'], cache: false });
    expect(gw.targets['docker-build-single'].cache).toBe(false);
    // one configuration per default platform, for per-arch runners (docker-push -c arm64)
    expect(gw.targets['docker-build'].configurations).toEqual({
      amd64: { platform: 'linux/amd64', outputPath: 'dist/images-per-arch/amd64/services/gw' },
      arm64: { platform: 'linux/arm64', outputPath: 'dist/images-per-arch/arm64/services/gw' },
    });
    expect(gw.targets['docker-push'].configurations).toEqual({ amd64: { platform: 'linux/amd64' }, arm64: { platform: 'linux/arm64' } });
    expect(gw.targets['docker-manifest']).toMatchObject({ executor: 'nx-multiarch:docker-manifest', cache: false });
    expect(projects['services/cf'].targets['docker-build'].options.dockerfile).toBe('services/cf/Containerfile');
  });

  it("claims no 'docker' technology, which nx release (release.docker) would hand to @nx/docker's versioning", async () => {
    const root = workspace({ 'services/gw/project.json': JSON.stringify({ name: 'gw' }), 'services/gw/Dockerfile': 'FROM scratch\n' });
    const { targets } = (await infer(root, ['services/gw/project.json', 'services/gw/Dockerfile']))['services/gw'];
    const technologies = Object.values(targets as Record<string, { metadata?: { technologies?: string[] } }>).map((t) => t.metadata?.technologies);
    expect(technologies).toEqual(Object.keys(targets).map(() => ['oci']));
  });

  it("makes docker-build depend on the targets that write what the Dockerfile copies, and hash their outputs", async () => {
    const root = workspace({
      '.gitignore': 'node_modules\ndist\n',
      'apps/api/project.json': JSON.stringify({ name: 'api' }),
      'apps/api/Dockerfile': 'FROM scratch\nCOPY dist/apps/api /app\nCOPY dist/libs/ui /ui\nCOPY apps/api/config.yml /etc/\n',
      'libs/ui/project.json': JSON.stringify({ name: 'ui' }),
    });
    const { targets } = (await infer(root, ['apps/api/project.json', 'apps/api/Dockerfile'], { context: '.' }))['apps/api'];
    expect(targets['docker-build'].dependsOn).toEqual(['^docker-build', 'build', { projects: ['ui'], target: 'build' }]);
    expect(targets['docker-build'].inputs).toEqual(expect.arrayContaining([
      { dependentTasksOutputFiles: 'dist/apps/api' }, { dependentTasksOutputFiles: 'dist/apps/api/**/*' },
      { dependentTasksOutputFiles: 'dist/libs/ui' }, { dependentTasksOutputFiles: 'dist/libs/ui/**/*' },
    ]));
    // docker-build-single builds the same image: it needs the same files written first
    expect(targets['docker-build-single'].dependsOn).toEqual(['build', { projects: ['ui'], target: 'build' }]);
  });

  it('adds no producer for copies of tracked files', async () => {
    const root = workspace({ '.gitignore': 'dist\n', 'services/gw/project.json': JSON.stringify({ name: 'gw' }), 'services/gw/Dockerfile': 'FROM scratch\nCOPY src /src\n' });
    const { targets } = (await infer(root, ['services/gw/project.json', 'services/gw/Dockerfile']))['services/gw'];
    expect(targets['docker-build'].dependsOn).toEqual(['^docker-build']);
    expect(targets['docker-build-single'].dependsOn).toBeUndefined();
  });

  it("puts origin's URL, without credentials, in the build options (so in the hash); ssh and https forms agree", async () => {
    const files = { 'services/gw/project.json': JSON.stringify({ name: 'gw' }), 'services/gw/Dockerfile': 'FROM scratch\n' };
    const sourceOf = async (remote: string, options: Record<string, unknown> = {}) => {
      const root = workspace({ ...files, '.git/config': `[remote "origin"]\n\turl = ${remote}\n` });
      const { targets } = (await infer(root, Object.keys(files), options))['services/gw'];
      expect(targets['docker-build-single'].options.sourceUrl).toBe(targets['docker-build'].options.sourceUrl);
      return targets['docker-build'].options.sourceUrl;
    };
    expect(await sourceOf('https://gitlab-ci-token:glcbt-SECRET123@gitlab.example.com/acme/platform.git')).toBe('https://gitlab.example.com/acme/platform');
    expect(await sourceOf('git@gitlab.example.com:acme/platform.git')).toBe('https://gitlab.example.com/acme/platform');
    expect(await sourceOf('https://gitlab.example.com/fork/platform.git')).toBe('https://gitlab.example.com/fork/platform');
    expect(await sourceOf('/srv/git/platform.git')).toBeUndefined();
    expect(await sourceOf('git@gitlab.example.com:acme/platform.git', { sourceUrl: 'https://u:p@code.example.com/acme/x' })).toBe('https://code.example.com/acme/x');
  });

  it('maps projects to a central docker/ folder with the workspace root as context', async () => {
    const root = workspace({
      'services/gateway/project.json': JSON.stringify({ name: 'gateway' }),
      'services/other/project.json': JSON.stringify({ name: 'other' }),
      'docker/gateway.Dockerfile': 'FROM scratch AS production\n',
    });
    const projects = await infer(root, ['services/gateway/project.json', 'services/other/project.json'], {
      dockerfile: 'docker/{projectName}.Dockerfile',
      context: '.',
      target: 'production',
    });
    expect(Object.keys(projects)).toEqual(['services/gateway']);
    expect(projects['services/gateway'].targets['docker-build'].options).toMatchObject({ dockerfile: 'docker/gateway.Dockerfile', context: '.', target: 'production' });
  });

  it('uses the configured target names and passes plugin options to the targets that use them', async () => {
    const root = workspace({ 'svc/a/Dockerfile': 'FROM scratch\n' });
    const projects = await infer(root, ['svc/a/Dockerfile'], {
      buildTargetName: 'image', buildSingleTargetName: 'image-local', pushTargetName: 'image-push', manifestTargetName: 'image-stitch',
      registry: 'quay.io', platforms: ['linux/arm64', 'linux/arm/v7'], latest: true, archTagSuffix: '_{arch}', url: 'tcp://builder:8080',
    });
    const targets = projects['svc/a'].targets;
    expect(Object.keys(targets)).toEqual(['image', 'image-local', 'docker-lint', 'image-push', 'image-stitch']);
    expect(Object.keys(targets.image.configurations)).toEqual(['arm64', 'armv7']);
    expect(targets['image-push'].options.archTagSuffix).toBe('_{arch}');
    expect(targets['image-stitch'].options).toMatchObject({ archTagSuffix: '_{arch}', platforms: ['linux/arm64', 'linux/arm/v7'], url: 'tcp://builder:8080' });
    expect(targets.image.options.url).toBe('tcp://builder:8080');
    expect(targets['image-local'].options.url).toBe('tcp://builder:8080');
    expect(projects['svc/a'].name).toBe('a');
    expect(targets['image-push']).toMatchObject({ dependsOn: ['image'], options: { registry: 'quay.io', latest: true } });
    expect(targets.image.options.platforms).toEqual(['linux/arm64', 'linux/arm/v7']);
    expect(targets.image.options.registry).toBeUndefined();
  });

  it('gives deprecated projects no push target', async () => {
    const root = workspace({ 'services/old/project.json': JSON.stringify({ name: 'old', tags: ['deprecated'] }), 'services/old/Dockerfile': 'FROM scratch\n' });
    const projects = await infer(root, ['services/old/project.json', 'services/old/Dockerfile']);
    expect(Object.keys(projects['services/old'].targets)).toEqual(['docker-build', 'docker-build-single', 'docker-lint']);
  });

  it('names a bad plugin option', async () => {
    const root = workspace({ 'a/Dockerfile': 'FROM scratch\n' });
    await expect(infer(root, ['a/Dockerfile'], { engine: 'rkt' })).rejects.toThrow(/unknown engine "rkt"/);
  });
});
