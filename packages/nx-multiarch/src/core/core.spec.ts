import { executorId, isPluginExecutor, isPluginRegistration } from './conventions';
import { fillPattern, fillProjectTokens, normalisePath } from './paths';

describe('normalisePath (one for the plugin, the executors and the status page)', () => {
  it('makes paths workspace-relative and POSIX; "" is the workspace root', () => {
    expect(normalisePath('.')).toBe('');
    expect(normalisePath('./')).toBe('');
    expect(normalisePath('/')).toBe('');
    expect(normalisePath('./src/')).toBe('src');
    expect(normalisePath('/libs/common/')).toBe('libs/common');
    expect(normalisePath('a//b/./c')).toBe('a/b/c');
    expect(normalisePath('services\\gw\\Dockerfile')).toBe('services/gw/Dockerfile');
  });
  it('drops a leading {workspaceRoot} token, as Nx option values may carry it', () => {
    expect(normalisePath('{workspaceRoot}/dist/images/gw')).toBe('dist/images/gw');
    expect(normalisePath('{workspaceRoot}')).toBe('');
  });
  it('resolves ".." inside the path and keeps it at the front (outside the workspace)', () => {
    expect(normalisePath('a/../b')).toBe('b');
    expect(normalisePath('../outside.md')).toBe('../outside.md');
  });
});

describe('patterns', () => {
  it('fills {projectName} and {projectRoot}', () => {
    expect(fillProjectTokens('team/{projectName}', 'api', 'apps/api')).toBe('team/api');
    expect(fillProjectTokens('{projectRoot}/Dockerfile', 'api', 'apps/api')).toBe('apps/api/Dockerfile');
  });
  it('path patterns drop a leading {workspaceRoot}/ and give "." for the root', () => {
    expect(fillPattern('{workspaceRoot}/docker/{projectName}.Dockerfile', 'api', 'apps/api')).toBe('docker/api.Dockerfile');
    expect(fillPattern('{workspaceRoot}', 'api', 'apps/api')).toBe('.');
  });
});

describe('executors and registrations', () => {
  it('knows its executors by name, installed or as a local path', () => {
    expect(executorId('docker-build')).toBe('nx-multiarch:docker-build');
    expect(isPluginExecutor('nx-multiarch:docker-build', 'docker-build')).toBe(true);
    expect(isPluginExecutor('./packages/nx-multiarch:docker-build', 'docker-build')).toBe(true);
    expect(isPluginExecutor('nx-multiarch:docker-build-single', 'docker-build')).toBe(false);
    expect(isPluginExecutor('nx-multiarch:docker-push')).toBe(true);
    expect(isPluginExecutor('@nx/docker:build')).toBe(false);
    expect(isPluginExecutor('other-nx-multiarch:docker-build')).toBe(false);
    expect(isPluginExecutor(undefined)).toBe(false);
  });
  it('knows its nx.json registration, installed or as a local path', () => {
    expect(isPluginRegistration('nx-multiarch')).toBe(true);
    expect(isPluginRegistration('./packages/nx-multiarch/src/index.ts')).toBe(true);
    expect(isPluginRegistration('@nx/docker')).toBe(false);
  });
});
