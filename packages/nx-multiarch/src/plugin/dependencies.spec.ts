import type { CreateDependenciesContext } from '@nx/devkit';
import { throwawayWorkspace } from './test-workspace';
import { createDependencies, copiedPaths } from './dependencies';
import { logger } from '../devkit';

const workspace = throwawayWorkspace;

const build = (dockerfile: string, context: string) => ({
  'docker-build': { executor: 'nx-multiarch:docker-build', options: { dockerfile, context } },
});

describe('createDependencies', () => {
  it('links a service to the projects its Dockerfile copies from the workspace-root context, and to no other', async () => {
    const root = workspace({
      'docker/gateway.Dockerfile': 'FROM x\nCOPY go.mod ./\nCOPY libs/common ./libs/common\nCOPY services/gateway ./services/gateway\n',
      'services/solo/Dockerfile': 'FROM x\nCOPY . .\n',
    });
    const context = {
      workspaceRoot: root,
      projects: {
        gateway: { root: 'services/gateway', targets: build('docker/gateway.Dockerfile', '.') },
        solo: { root: 'services/solo', targets: build('services/solo/Dockerfile', 'services/solo') },
        common: { root: 'libs/common' },
        other: { root: 'libs/other' },
      },
    } as unknown as CreateDependenciesContext;
    expect(await createDependencies({}, context)).toEqual([{ source: 'gateway', target: 'common', type: 'implicit' }]);
  });

  it('links a service to the workspace project whose image it builds FROM, through build args too', async () => {
    const root = workspace({
      'services/app/Dockerfile': 'ARG BASE_IMAGE=busybox\nFROM ${BASE_IMAGE} AS production\n',
      'services/base/Dockerfile': 'FROM busybox\n',
    });
    const single = { executor: 'nx-multiarch:docker-build-single', options: { imageName: 'team/{projectName}' } };
    const context = {
      workspaceRoot: root,
      projects: {
        app: {
          root: 'services/app',
          targets: {
            'docker-build': {
              executor: 'nx-multiarch:docker-build',
              dependsOn: [{ projects: ['base'], target: 'docker-build' }],
              options: {
                dockerfile: 'services/app/Dockerfile',
                context: 'services/app',
                buildArgs: { BASE_IMAGE: 'quay.io/team/base:1.2' },
              },
            },
            'docker-build-single': single,
          },
        },
        base: { root: 'services/base', targets: { ...build('services/base/Dockerfile', 'services/base'), 'docker-build-single': single } },
      },
    } as unknown as CreateDependenciesContext;
    expect(await createDependencies({}, context)).toEqual([{ source: 'app', target: 'base', type: 'implicit' }]);
  });

  it('with COPY . . in the workspace-root context: edges to libraries and base images, none to other images or to folders .dockerignore excludes', async () => {
    const root = workspace({
      '.dockerignore': '*.md\ndocker/\n',
      'docker/gateway.Dockerfile': 'FROM busybox AS build\nCOPY . .\nFROM go-base\nCOPY --from=build /out /app\n',
      'docker/users.Dockerfile': 'FROM busybox\nCOPY . .\n',
      'docker/go-base/Dockerfile': 'FROM busybox\n',
    });
    const image = (dockerfile: string, extra: Record<string, unknown> = {}) => ({
      'docker-build': { executor: 'nx-multiarch:docker-build', options: { dockerfile, context: '.' }, ...extra },
      'docker-build-single': { executor: 'nx-multiarch:docker-build-single', options: {} },
    });
    const context = {
      workspaceRoot: root,
      projects: {
        gateway: {
          root: 'cmd/gateway',
          targets: image('docker/gateway.Dockerfile', { dependsOn: [{ projects: ['go-base'], target: 'docker-build' }] }),
        },
        users: { root: 'cmd/users', targets: image('docker/users.Dockerfile') },
        'go-base': { root: 'docker/go-base', targets: image('docker/go-base/Dockerfile') },
        shared: { root: 'pkg/shared' },
        'docker-tools': { root: 'docker/tools' },
      },
    } as unknown as CreateDependenciesContext;
    expect(await createDependencies({}, context)).toEqual([
      { source: 'gateway', target: 'shared', type: 'implicit' },
      { source: 'gateway', target: 'go-base', type: 'implicit' },
      { source: 'users', target: 'shared', type: 'implicit' },
    ]);
  });

  it('warns, naming the fix, when a build does not wait for the base image it builds FROM (a base from another plugin entry)', async () => {
    const root = workspace({ 'a/Dockerfile': 'FROM base:1\n', 'b/Dockerfile': 'FROM busybox\n' });
    const single = { executor: 'nx-multiarch:docker-build-single', options: {} };
    const context = {
      workspaceRoot: root,
      projects: {
        'unordered-app': { root: 'a', targets: { ...build('a/Dockerfile', 'a'), 'docker-build-single': single } },
        base: { root: 'b', targets: { ...build('b/Dockerfile', 'b'), 'docker-build-single': single } },
      },
    } as unknown as CreateDependenciesContext;
    const warn = jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
    try {
      expect(await createDependencies({}, context)).toEqual([{ source: 'unordered-app', target: 'base', type: 'implicit' }]);
      expect(warn).toHaveBeenCalledTimes(1);
      expect(warn.mock.calls[0][0]).toContain(
        '"targets": { "docker-build": { "dependsOn": [{ "projects": ["base"], "target": "docker-build" }] } }',
      );
    } finally {
      warn.mockRestore();
    }
  });

  it('resolves sources against the context; `.` at the workspace root reaches everything', () => {
    expect(copiedPaths(['libs/', './go.mod', '${X}'], '.')).toEqual(['libs', 'go.mod', '']);
    expect(copiedPaths(['.'], 'services/a')).toEqual(['services/a']);
  });
});
