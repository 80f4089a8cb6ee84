import type { CreateNodesContextV2 } from '@nx/devkit';
import { throwawayWorkspace } from './test-workspace';
import { createNodesV2 } from './create-nodes';

const workspace = throwawayWorkspace;

async function infer(root: string, files: string[], options: Record<string, unknown> = {}) {
  const context: CreateNodesContextV2 = { workspaceRoot: root, nxJsonConfiguration: {} };
  const results = await createNodesV2[1](files, options, context);
  return Object.assign({}, ...results.map(([, result]) => result.projects ?? {}));
}

/** The per-file errors Nx reports (createNodesFromFiles gathers them into one AggregateCreateNodesError). */
async function inferErrors(root: string, files: string[], options: Record<string, unknown> = {}): Promise<Array<[string, string]>> {
  try {
    await infer(root, files, options);
  } catch (error) {
    return ((error as { errors?: Array<[string, Error]> }).errors ?? []).map(([file, cause]) => [file, cause.message]);
  }
  throw new Error('createNodesV2 did not fail');
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
    const projects = await infer(root, [
      'services/gw/project.json',
      'services/gw/Dockerfile',
      'services/cf/project.json',
      'services/cf/Containerfile',
      'libs/common/project.json',
    ]);
    expect(Object.keys(projects).sort()).toEqual(['services/cf', 'services/gw']);
    const gw = projects['services/gw'];
    expect(gw.name).toBe('gateway-service');
    expect(Object.keys(gw.targets)).toEqual(['docker-build', 'docker-build-single', 'docker-lint', 'docker-push', 'docker-manifest']);
    expect(gw.targets['docker-lint']).toMatchObject({
      executor: 'nx-multiarch:docker-lint',
      cache: true,
      inputs: [
        '{workspaceRoot}/services/gw/Dockerfile',
        '{workspaceRoot}/services/gw/Dockerfile.dockerignore',
        '{workspaceRoot}/services/gw/.dockerignore',
        '{workspaceRoot}/.gitignore',
      ],
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
    const technologies = Object.values(targets as Record<string, { metadata?: { technologies?: string[] } }>).map(
      (t) => t.metadata?.technologies,
    );
    expect(technologies).toEqual(Object.keys(targets).map(() => ['oci']));
  });

  it('makes docker-build depend on the targets that write what the Dockerfile copies, and hash their outputs', async () => {
    const root = workspace({
      '.gitignore': 'node_modules\ndist\n',
      'apps/api/project.json': JSON.stringify({ name: 'api' }),
      'apps/api/Dockerfile': 'FROM scratch\nCOPY dist/apps/api /app\nCOPY dist/libs/ui /ui\nCOPY apps/api/config.yml /etc/\n',
      'libs/ui/project.json': JSON.stringify({ name: 'ui' }),
    });
    const { targets } = (await infer(root, ['apps/api/project.json', 'apps/api/Dockerfile'], { context: '.' }))['apps/api'];
    expect(targets['docker-build'].dependsOn).toEqual(['build', { projects: ['ui'], target: 'build' }]);
    expect(targets['docker-build'].inputs).toEqual(
      expect.arrayContaining([
        { dependentTasksOutputFiles: 'dist/apps/api' },
        { dependentTasksOutputFiles: 'dist/apps/api/**/*' },
        { dependentTasksOutputFiles: 'dist/libs/ui' },
        { dependentTasksOutputFiles: 'dist/libs/ui/**/*' },
      ]),
    );
    // docker-build-single builds the same image: it needs the same files written first
    expect(targets['docker-build-single'].dependsOn).toEqual(['build', { projects: ['ui'], target: 'build' }]);
  });

  it('adds no producer for copies of tracked files', async () => {
    const root = workspace({
      '.gitignore': 'dist\n',
      'services/gw/project.json': JSON.stringify({ name: 'gw' }),
      'services/gw/Dockerfile': 'FROM scratch\nCOPY src /src\n',
    });
    const { targets } = (await infer(root, ['services/gw/project.json', 'services/gw/Dockerfile']))['services/gw'];
    expect(targets['docker-build'].dependsOn).toBeUndefined();
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
    expect(await sourceOf('https://gitlab-ci-token:glcbt-SECRET123@gitlab.example.com/acme/platform.git')).toBe(
      'https://gitlab.example.com/acme/platform',
    );
    expect(await sourceOf('git@gitlab.example.com:acme/platform.git')).toBe('https://gitlab.example.com/acme/platform');
    expect(await sourceOf('https://gitlab.example.com/fork/platform.git')).toBe('https://gitlab.example.com/fork/platform');
    expect(await sourceOf('/srv/git/platform.git')).toBeUndefined();
    expect(await sourceOf('git@gitlab.example.com:acme/platform.git', { sourceUrl: 'https://u:p@code.example.com/acme/x' })).toBe(
      'https://code.example.com/acme/x',
    );
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
    expect(projects['services/gateway'].targets['docker-build'].options).toMatchObject({
      dockerfile: 'docker/gateway.Dockerfile',
      context: '.',
      target: 'production',
    });
  });

  it('uses the configured target names and passes plugin options to the targets that use them', async () => {
    const root = workspace({ 'svc/a/Dockerfile': 'FROM scratch\n' });
    const projects = await infer(root, ['svc/a/Dockerfile'], {
      buildTargetName: 'image',
      buildSingleTargetName: 'image-local',
      pushTargetName: 'image-push',
      manifestTargetName: 'image-stitch',
      registry: 'quay.io',
      platforms: ['linux/arm64', 'linux/arm/v7'],
      latest: true,
      archTagSuffix: '_{arch}',
      url: 'tcp://builder:8080',
    });
    const targets = projects['svc/a'].targets;
    expect(Object.keys(targets)).toEqual(['image', 'image-local', 'docker-lint', 'image-push', 'image-stitch']);
    expect(Object.keys(targets.image.configurations)).toEqual(['arm64', 'armv7']);
    expect(targets['image-push'].options.archTagSuffix).toBe('_{arch}');
    expect(targets['image-stitch'].options).toMatchObject({
      archTagSuffix: '_{arch}',
      platforms: ['linux/arm64', 'linux/arm/v7'],
      url: 'tcp://builder:8080',
    });
    expect(targets.image.options.url).toBe('tcp://builder:8080');
    expect(targets['image-local'].options.url).toBe('tcp://builder:8080');
    expect(projects['svc/a'].name).toBe('a');
    expect(targets['image-push']).toMatchObject({ dependsOn: ['image'], options: { registry: 'quay.io', latest: true } });
    expect(targets.image.options.platforms).toEqual(['linux/arm64', 'linux/arm/v7']);
    expect(targets.image.options.registry).toBeUndefined();
  });

  it('gives deprecated projects no push target', async () => {
    const root = workspace({
      'services/old/project.json': JSON.stringify({ name: 'old', tags: ['deprecated'] }),
      'services/old/Dockerfile': 'FROM scratch\n',
    });
    const projects = await infer(root, ['services/old/project.json', 'services/old/Dockerfile']);
    expect(Object.keys(projects['services/old'].targets)).toEqual(['docker-build', 'docker-build-single', 'docker-lint']);
  });

  it('names a bad plugin option', async () => {
    const root = workspace({ 'a/Dockerfile': 'FROM scratch\n' });
    await expect(infer(root, ['a/Dockerfile'], { engine: 'rkt' })).rejects.toThrow(/unknown engine "rkt"/);
  });
});

describe('createNodesV2: root-context services and base images', () => {
  const service = (finalBase: string) =>
    `ARG BASE_IMAGE=busybox\nFROM \${BASE_IMAGE} AS build\nCOPY . .\nFROM ${finalBase}\nCOPY --from=build /out /app\n`;
  const files = {
    '.dockerignore': '*.md\n.git\ndocker/\n',
    'cmd/gateway/project.json': JSON.stringify({ name: 'gateway' }),
    'cmd/users/project.json': JSON.stringify({ name: 'users' }),
    'cmd/billing/project.json': JSON.stringify({
      name: 'billing',
      targets: { 'docker-build-single': { options: { imageName: 'team/billing-base' } } },
    }),
    'docker/go-base/project.json': JSON.stringify({ name: 'go-base' }),
    'docker/go-base/Dockerfile': 'FROM busybox\n',
    'docker/gateway.Dockerfile': service('quay.io/go-base:1.0'),
    'docker/users.Dockerfile': service('${BASE_IMAGE}'),
    'docker/billing.Dockerfile': service('${BASE_IMAGE}'),
  };
  const options = { dockerfile: 'docker/{projectName}.Dockerfile', context: '.' };
  const configFiles = Object.keys(files).filter((file) => /(project\.json|\/Dockerfile)$/.test(file));

  it('orders a build after the projects whose images it builds FROM, and after nothing else (no ^docker-build: COPY . . would make a cycle)', async () => {
    const projects = await infer(workspace(files), configFiles, options);
    expect(projects['cmd/gateway'].targets['docker-build'].dependsOn).toEqual([{ projects: ['go-base'], target: 'docker-build' }]);
    expect(projects['cmd/users'].targets['docker-build'].dependsOn).toBeUndefined();
    expect(projects['docker/go-base'].targets['docker-build'].dependsOn).toBeUndefined();
    // the bases' image.json is still part of the hash
    expect(projects['cmd/gateway'].targets['docker-build'].inputs).toContainEqual({ dependentTasksOutputFiles: '**/image.json' });
  });

  it("finds a base through a build arg and through the imageName a project.json gives, with the build target's configured name", async () => {
    const root = workspace({
      ...files,
      'cmd/users/project.json': JSON.stringify({
        name: 'users',
        targets: { image: { options: { buildArgs: { BASE_IMAGE: 'registry.example.com/team/billing-base:2' } } } },
      }),
    });
    const projects = await infer(root, configFiles, { ...options, buildTargetName: 'image' });
    expect(projects['cmd/users'].targets.image.dependsOn).toEqual([{ projects: ['billing'], target: 'image' }]);
  });

  it("computes a whole-context COPY's inputs from the workspace's top-level entries, leaving out what .dockerignore excludes", async () => {
    const projects = await infer(workspace({ ...files, 'README.md': '# x\n', 'go.mod': 'module x\n' }), configFiles, options);
    const inputs = projects['cmd/users'].targets['docker-build'].inputs;
    expect(inputs).toEqual(
      expect.arrayContaining(['{workspaceRoot}/docker/users.Dockerfile', '{workspaceRoot}/cmd/**/*', '{workspaceRoot}/go.mod']),
    );
    expect(
      inputs.filter((input: unknown) => typeof input === 'string' && /README|\*\*\/\*$/.test(input) && !input.includes('cmd/')),
    ).toEqual([]);
  });
});

describe('createNodesV2: a Dockerfile named in project.json', () => {
  const files = {
    'cmd/datastorage/project.json': JSON.stringify({
      name: 'datastorage',
      targets: { 'docker-build': { options: { dockerfile: 'docker/data-storage.Dockerfile' } } },
    }),
    'cmd/datastorage/main.go': 'package main\n',
    'docker/data-storage.Dockerfile': 'FROM busybox\nCOPY cmd/datastorage /src\n',
    'cmd/notification/project.json': JSON.stringify({
      name: 'notification',
      targets: {
        'docker-build': {
          options: { dockerfile: '{workspaceRoot}/docker/notification-controller.Dockerfile', context: 'cmd/notification' },
        },
      },
    }),
    'docker/notification-controller.Dockerfile': 'FROM busybox\nCOPY main.go /src/\n',
    'docker/notification.Dockerfile': 'FROM busybox\n',
  };

  it('gives the project every target, built from that Dockerfile, with inputs computed from it and its context', async () => {
    const projects = await infer(workspace(files), ['cmd/datastorage/project.json', 'cmd/notification/project.json'], {
      dockerfile: 'docker/{projectName}.Dockerfile',
      context: '.',
    });
    const datastorage = projects['cmd/datastorage'].targets;
    expect(Object.keys(datastorage)).toEqual(['docker-build', 'docker-build-single', 'docker-lint', 'docker-push', 'docker-manifest']);
    for (const name of ['docker-build', 'docker-build-single', 'docker-lint']) {
      expect(datastorage[name].options).toMatchObject({ dockerfile: 'docker/data-storage.Dockerfile', context: '.' });
    }
    expect(datastorage['docker-build'].inputs).toEqual(
      expect.arrayContaining(['{workspaceRoot}/docker/data-storage.Dockerfile', '{workspaceRoot}/cmd/datastorage/**/*']),
    );
    expect(datastorage['docker-lint'].inputs).toContain('{workspaceRoot}/docker/data-storage.Dockerfile');
    // project.json names it even though the plugin's pattern finds docker/notification.Dockerfile; its context too
    const notification = projects['cmd/notification'].targets['docker-build'];
    expect(notification.options).toMatchObject({ dockerfile: 'docker/notification-controller.Dockerfile', context: 'cmd/notification' });
    expect(notification.inputs).toEqual(
      expect.arrayContaining(['{workspaceRoot}/cmd/notification/main.go', '{workspaceRoot}/cmd/notification/.dockerignore']),
    );
  });

  it('is an error naming the missing Dockerfile and the project.json that names it', async () => {
    const root = workspace({
      ...files,
      'cmd/datastorage/project.json': JSON.stringify({
        name: 'datastorage',
        targets: { 'docker-build': { options: { dockerfile: 'docker/data-storag.Dockerfile' } } },
      }),
    });
    expect(await inferErrors(root, ['cmd/datastorage/project.json', 'cmd/notification/project.json'])).toEqual([
      [
        'cmd/datastorage/project.json',
        'cmd/datastorage/project.json: targets["docker-build"].options.dockerfile names "docker/data-storag.Dockerfile", which does not exist. ' +
          "Give the Dockerfile's path relative to the workspace root, or remove the option to use a Dockerfile or Containerfile in cmd/datastorage.",
      ],
    ]);
  });

  it('is an error naming a missing context and the project.json', async () => {
    const root = workspace({
      ...files,
      'cmd/datastorage/project.json': JSON.stringify({
        name: 'datastorage',
        targets: { 'docker-build': { options: { dockerfile: 'docker/data-storage.Dockerfile', context: 'cmd/nowhere' } } },
      }),
    });
    const [[file, message]] = await inferErrors(root, ['cmd/datastorage/project.json']);
    expect(file).toBe('cmd/datastorage/project.json');
    expect(message).toMatch(
      /^cmd\/datastorage\/project\.json: targets\["docker-build"\]\.options\.context names "cmd\/nowhere", which does not exist/,
    );
  });

  it("ignores the options of a docker-build target that another executor runs (it is the user's own target)", async () => {
    const root = workspace({
      'svc/project.json': JSON.stringify({
        name: 'svc',
        targets: { 'docker-build': { executor: 'nx:run-commands', options: { dockerfile: 'elsewhere.Dockerfile' } } },
      }),
    });
    expect(await infer(root, ['svc/project.json'])).toEqual({});
  });
});

describe('createNodesV2: the dockerfile option as a list', () => {
  it('tries the patterns in order; the first existing file wins', async () => {
    const root = workspace({
      'apps/a/project.json': JSON.stringify({ name: 'a' }),
      'apps/b/project.json': JSON.stringify({ name: 'b' }),
      'docker/a.Dockerfile': 'FROM scratch\n',
      'build/a/Dockerfile': 'FROM scratch\n',
      'build/b/Dockerfile': 'FROM scratch\n',
    });
    const projects = await infer(root, ['apps/a/project.json', 'apps/b/project.json'], {
      dockerfile: ['docker/{projectName}.Dockerfile', 'build/{projectName}/Dockerfile'],
    });
    expect(projects['apps/a'].targets['docker-build'].options.dockerfile).toBe('docker/a.Dockerfile');
    expect(projects['apps/b'].targets['docker-build'].options.dockerfile).toBe('build/b/Dockerfile');
  });

  it('refuses an empty list, naming the option', async () => {
    const root = workspace({ 'a/Dockerfile': 'FROM scratch\n' });
    await expect(infer(root, ['a/Dockerfile'], { dockerfile: [] })).rejects.toThrow(/option "dockerfile"/);
  });
});

describe("createNodesV2: the files Nx passes after the registration's include/exclude", () => {
  it('infers a folder from its Dockerfile when only the Dockerfile was passed, named by the project.json on disk', async () => {
    const root = workspace({ 'svc/project.json': JSON.stringify({ name: 'my-svc' }), 'svc/Dockerfile': 'FROM scratch\n' });
    const projects = await infer(root, ['svc/Dockerfile']);
    expect(projects.svc.name).toBe('my-svc');
    expect(projects.svc.targets['docker-build'].options.dockerfile).toBe('svc/Dockerfile');
  });

  it('infers nothing for folders whose files were not passed', async () => {
    const root = workspace({
      'svc/project.json': JSON.stringify({ name: 'svc' }),
      'svc/Dockerfile': 'FROM scratch\n',
      'fixtures/x/Dockerfile': 'FROM scratch\n',
    });
    expect(Object.keys(await infer(root, ['svc/project.json', 'svc/Dockerfile']))).toEqual(['svc']);
  });
});

describe('createNodesV2: project names, package.json and secrets', () => {
  it('names a project without project.json after its package.json, else its folder; project.json wins over both', async () => {
    const root = workspace({
      'apps/web-folder/package.json': JSON.stringify({ name: '@acme/web', version: '1.0.0' }),
      'apps/web-folder/Dockerfile': 'FROM scratch\n',
      'apps/bare-folder/Dockerfile': 'FROM scratch\n',
      'apps/both/project.json': JSON.stringify({ name: 'from-project-json' }),
      'apps/both/package.json': JSON.stringify({ name: 'from-package-json' }),
      'apps/both/Dockerfile': 'FROM scratch\n',
    });
    const projects = await infer(root, [
      'apps/web-folder/Dockerfile',
      'apps/bare-folder/Dockerfile',
      'apps/both/project.json',
      'apps/both/Dockerfile',
    ]);
    expect(Object.fromEntries(Object.entries(projects).map(([folder, project]: [string, any]) => [folder, project.name]))).toEqual({
      'apps/web-folder': '@acme/web',
      'apps/bare-folder': 'bare-folder',
      'apps/both': 'from-project-json',
    });
    expect(Object.keys(projects['apps/web-folder'].targets)).toEqual([
      'docker-build',
      'docker-build-single',
      'docker-lint',
      'docker-push',
      'docker-manifest',
    ]);
  });

  it("hashes the project's package.json into docker-build, whose version is the version label, also when the image does not copy it", async () => {
    const root = workspace({
      'apps/web/package.json': JSON.stringify({ name: 'web', version: '1.0.0' }),
      'apps/web/Dockerfile': 'FROM scratch\nCOPY app.txt /\n',
      'apps/plain/project.json': JSON.stringify({ name: 'plain' }),
      'apps/plain/Dockerfile': 'FROM scratch\nCOPY app.txt /\n',
    });
    const projects = await infer(root, ['apps/web/Dockerfile', 'apps/plain/project.json', 'apps/plain/Dockerfile']);
    expect(projects['apps/web'].targets['docker-build'].inputs).toContain('{workspaceRoot}/apps/web/package.json');
    expect(JSON.stringify(projects['apps/plain'].targets['docker-build'].inputs)).not.toContain('package.json');
  });

  it('leaves a workspace-relative secret of the plugin options out of the build inputs; absolute and outside paths are not inputs anyway', async () => {
    // COPY . .: every entry of the context is an input, the secret CI wrote into it too
    const root = workspace({
      'svc/project.json': JSON.stringify({ name: 'svc' }),
      'svc/Dockerfile': 'FROM scratch\nCOPY . /app/\n',
      'svc/.npmrc': 'token\n',
    });
    const secrets = { npmrc: 'svc/.npmrc', cert: './certs//ca.pem', abs: '/home/ci/.npmrc', outside: '../ci/token' };
    const projects = await infer(root, ['svc/project.json', 'svc/Dockerfile'], { secrets });
    const inputs = projects['svc'].targets['docker-build'].inputs as unknown[];
    expect(inputs.filter((input) => typeof input === 'string' && /\.npmrc|ca\.pem|token/.test(input))).toEqual([
      '{workspaceRoot}/svc/.npmrc',
      '!{workspaceRoot}/svc/.npmrc',
      '!{workspaceRoot}/certs/ca.pem',
    ]);
    // the executor still gets every secret
    expect(projects['svc'].targets['docker-build'].options.secrets).toEqual(secrets);
  });
});
