import { copiedOutputs, covers, gitIgnoreOf, ignoredCopies, producerOf } from './build-outputs';
import { throwawayWorkspace } from './test-workspace';
import { diskFiles } from './workspace-files';

describe('covers', () => {
  it.each([
    ['dist/apps/api', 'dist/apps/api', true],
    ['dist/apps/api', 'dist/apps/api/main.js', true],
    ['dist/apps/api/main.js', 'dist/apps/api', true],
    ['dist/apps/api', 'dist/apps/api2', false],
    ['dist/apps', 'dist/libs/ui', false],
  ])('%s and %s: %s', (output, path, expected) => expect(covers(output, path)).toBe(expected));
});

describe('ignoredCopies', () => {
  const ignored = (path: string) => path === 'dist' || path.startsWith('dist/') || path.startsWith('apps/web/build');
  it('keeps the context-relative sources git ignores, as workspace paths; not variables, globs or URLs', () => {
    expect(ignoredCopies(['dist/apps/api', 'src', '$OUT', 'dist/*.js', 'https://x/y.tgz', './dist/libs/ui/'], '', ignored)).toEqual([
      'dist/apps/api',
      'dist/libs/ui',
    ]);
    expect(ignoredCopies(['build', 'src'], 'apps/web', ignored)).toEqual(['apps/web/build']);
  });

  it('reads the root .gitignore', () => {
    const root = throwawayWorkspace({ '.gitignore': 'node_modules\n/dist\n*.log\n' });
    const isIgnored = gitIgnoreOf(diskFiles(root));
    expect(['dist/apps/api', 'dist', 'src/dist', 'a.log', 'src/index.ts', ''].map(isIgnored)).toEqual([
      true,
      true,
      false,
      true,
      false,
      false,
    ]);
  });
});

describe('producerOf', () => {
  const root = throwawayWorkspace({
    'apps/api/project.json': JSON.stringify({ name: 'api', targets: { compile: { outputs: ['{workspaceRoot}/out/{projectName}'] } } }),
    'libs/ui/project.json': JSON.stringify({
      name: 'ui',
      targets: { bundle: { outputs: ['{options.outputPath}'], options: { outputPath: 'dist/libs/ui' } } },
    }),
    'libs/util/package.json': JSON.stringify({ name: '@acme/util' }),
    'apps/web/project.json': JSON.stringify({ name: 'web' }),
  });
  const api = { name: 'api', root: 'apps/api' };

  it("finds the image's own target by the outputs its project.json declares", () => {
    expect(producerOf(diskFiles(root), 'out/api', api)).toEqual({ project: 'api', target: 'compile', self: true });
  });

  it('finds another project by its declared outputs, filling {options.outputPath}', () => {
    expect(producerOf(diskFiles(root), 'dist/libs/ui/index.js', api)).toEqual({ project: 'ui', target: 'bundle', self: false });
  });

  it("falls back to Nx's conventions, dist/<projectRoot> and <projectRoot>/dist, with the build target", () => {
    expect(producerOf(diskFiles(root), 'dist/apps/api', api)).toEqual({ project: 'api', target: 'build', self: true });
    expect(producerOf(diskFiles(root), 'dist/libs/util', api)).toEqual({ project: '@acme/util', target: 'build', self: false });
    expect(producerOf(diskFiles(root), 'apps/web/dist/assets', api)).toEqual({ project: 'web', target: 'build', self: false });
  });

  it('finds none for a path no project can be the producer of', () => {
    expect(producerOf(diskFiles(root), 'generated/schema.json', api)).toBeUndefined();
    expect(producerOf(diskFiles(root), 'dist/nowhere', api)).toBeUndefined();
  });

  it('copiedOutputs pairs every ignored copy with its producer', () => {
    const ws = throwawayWorkspace({ '.gitignore': 'dist\ngenerated\n', 'apps/api/project.json': JSON.stringify({ name: 'api' }) });
    expect(copiedOutputs(diskFiles(ws), ['dist/apps/api', 'generated', 'apps/api/src'], '', api)).toEqual([
      { path: 'dist/apps/api', producer: { project: 'api', target: 'build', self: true } },
      { path: 'generated', producer: undefined },
    ]);
  });
});
