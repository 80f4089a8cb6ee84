import type { CreateDependenciesContext } from '@nx/devkit';
import { throwawayWorkspace } from './test-workspace';
import { createDependencies, copiedPaths } from './dependencies';

const workspace = throwawayWorkspace;

const build = (dockerfile: string, context: string) => ({ 'docker-build': { executor: 'nx-multiarch:docker-build', options: { dockerfile, context } } });

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
        app: { root: 'services/app', targets: { 'docker-build': { executor: 'nx-multiarch:docker-build', options: { dockerfile: 'services/app/Dockerfile', context: 'services/app', buildArgs: { BASE_IMAGE: 'quay.io/team/base:1.2' } } }, 'docker-build-single': single } },
        base: { root: 'services/base', targets: { ...build('services/base/Dockerfile', 'services/base'), 'docker-build-single': single } },
      },
    } as unknown as CreateDependenciesContext;
    expect(await createDependencies({}, context)).toEqual([{ source: 'app', target: 'base', type: 'implicit' }]);
  });

  it('resolves sources against the context; `.` at the workspace root reaches everything', () => {
    expect(copiedPaths(['libs/', './go.mod', '${X}'], '.')).toEqual(['libs', 'go.mod', '']);
    expect(copiedPaths(['.'], 'services/a')).toEqual(['services/a']);
  });
});
