import { join } from 'node:path';
import { throwawayWorkspace } from '../plugin/test-workspace';
import { outputInContextWarning } from './output-in-context';

describe('outputInContextWarning', () => {
  const warningFor = (files: Record<string, string>, dockerfile: string, context: string) => {
    const root = throwawayWorkspace(files);
    return outputInContextWarning('gateway', root, join(root, dockerfile), join(root, context), join(root, 'dist/images/cmd/gateway'));
  };

  it('warns when COPY . . in the workspace-root context reaches dist/ and .dockerignore does not exclude it, naming the fix', () => {
    expect(
      warningFor({ '.dockerignore': '*.md\n.git\n', 'docker/gateway.Dockerfile': 'FROM x\nCOPY . .\n' }, 'docker/gateway.Dockerfile', '.'),
    ).toBe(
      'gateway: the build context . holds dist/images/cmd/gateway, where docker-build writes its output, and no .dockerignore excludes it: ' +
        "every build copies earlier builds' outputs into the image, and builds running in parallel can fail reading each other's half-written output. " +
        'Add "dist" to .dockerignore.',
    );
  });

  it('says nothing when an ignore file excludes it, when COPY does not reach it, or when the context does not hold it', () => {
    expect(
      warningFor({ '.dockerignore': '*.md\ndist\n', 'docker/gateway.Dockerfile': 'FROM x\nCOPY . .\n' }, 'docker/gateway.Dockerfile', '.'),
    ).toBeUndefined();
    expect(
      warningFor(
        { 'docker/gateway.Dockerfile.dockerignore': 'dist/images\n', 'docker/gateway.Dockerfile': 'FROM x\nCOPY . .\n' },
        'docker/gateway.Dockerfile',
        '.',
      ),
    ).toBeUndefined();
    expect(
      warningFor({ 'docker/gateway.Dockerfile': 'FROM x\nCOPY cmd/gateway /src\n' }, 'docker/gateway.Dockerfile', '.'),
    ).toBeUndefined();
    expect(warningFor({ 'cmd/gateway/Dockerfile': 'FROM x\nCOPY . .\n' }, 'cmd/gateway/Dockerfile', 'cmd/gateway')).toBeUndefined();
  });
});
