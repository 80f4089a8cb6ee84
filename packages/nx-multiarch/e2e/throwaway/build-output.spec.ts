/**
 * The common Nx app layout: a `build` target writes dist/ (git-ignored), the Dockerfile copies it with the workspace
 * root as context. docker-build must run the build first and hash what it wrote: after a source change the new image
 * holds the new bytes (read back out of its layer), and an unchanged rerun is a cache hit. A copy of an ignored path
 * that no target declares gets a docker-lint warning with file:line. A FROM after a stage on $BUILDPLATFORM that names
 * no platform gets docker-build's podman warning (containers/buildah#5971) with file:line.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { commitAll, installPlugin, writeFiles } from '../../../../tools/fixtures/workspace-kit';
import type { ImageRecord } from '../../src/image/record';
import { fileInImage, localCacheNote, REGISTRY, requireRealParts, RUN_ID, runNxOk, tempDir } from '../harness';

jest.setTimeout(5 * 60 * 1000);

const dir = tempDir('nx-multiarch-build-output-');
const HOST_PLATFORM = `linux/${process.arch === 'arm64' ? 'arm64' : 'amd64'}`;

const copyBuild = (from: string, to: string) => ({
  executor: 'nx:run-commands',
  cache: true,
  inputs: ['{projectRoot}/src/**/*'],
  outputs: [`{workspaceRoot}/${to}`],
  options: { command: `mkdir -p ${to} && cp ${from}/* ${to}/` },
});

/** nx in the throwaway workspace; its output (no colour codes) when it succeeded. */
const nx = async (args: string[]) => (await runNxOk(args, { cwd: dir, stripAnsi: true })).output;

/** One file's bytes in the host platform's image of the last build. */
async function fileOfImage(projectRoot: string, path: string): Promise<string> {
  const record = JSON.parse(readFileSync(join(dir, 'dist/images', projectRoot, 'image.json'), 'utf8')) as ImageRecord;
  const image = record.platforms.find((p) => p.platform === HOST_PLATFORM);
  if (!image) throw new Error(`${projectRoot}: no ${HOST_PLATFORM} image in image.json`);
  return (await fileInImage(projectRoot, image.digest, path, dir)).toString();
}

beforeAll(async () => {
  await requireRealParts(['podman', 'git']);
  installPlugin(dir);
  writeFiles(dir, {
    '.gitignore': 'node_modules\ndist\n.nx\ngenerated\n',
    '.dockerignore': 'node_modules\n.git\n.nx\ndist/images\n',
    'nx.json': `${JSON.stringify(
      {
        plugins: [
          {
            plugin: 'nx-multiarch',
            options: {
              context: '.',
              platforms: [HOST_PLATFORM],
              registry: REGISTRY,
              imageName: `${RUN_ID}-out/{projectName}`,
              buildArgs: { BASE_IMAGE: `${REGISTRY}/fixtures/busybox:latest` },
            },
          },
        ],
      },
      null,
      2,
    )}\n`,
    'apps/api/project.json': JSON.stringify({ name: 'api', targets: { build: copyBuild('apps/api/src', 'dist/apps/api') } }),
    'apps/api/src/message.txt': 'api v1\n',
    'apps/api/Dockerfile': 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nCOPY dist/apps/api /app\n',
    'libs/ui/project.json': JSON.stringify({ name: 'ui', targets: { build: copyBuild('libs/ui/src', 'dist/libs/ui') } }),
    'libs/ui/src/ui.txt': 'ui v1\n',
    'apps/web/project.json': JSON.stringify({ name: 'web' }),
    // A stage on $BUILDPLATFORM, then a FROM without --platform: the shape podman 4.x leaks the platform into
    // (containers/buildah#5971). Harmless here (one platform, the host's), and docker-build must warn about it.
    'apps/web/Dockerfile':
      'ARG BASE_IMAGE\nFROM --platform=$BUILDPLATFORM ${BASE_IMAGE} AS assets\nCOPY dist/libs/ui /ui\nFROM ${BASE_IMAGE}\nCOPY --from=assets /ui /ui\n',
    'apps/orphan/project.json': JSON.stringify({ name: 'orphan' }),
    'apps/orphan/Dockerfile': 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\n\nCOPY generated /gen\n',
    'generated/schema.json': '{}\n',
  });
  commitAll(dir, 'apps');
});

it("docker-build depends on the project's own build, and on another project's build whose output it copies", async () => {
  const api = JSON.parse(await nx(['show', 'project', 'api', '--json']));
  expect(api.targets['docker-build'].dependsOn).toContain('build');
  const web = JSON.parse(await nx(['show', 'project', 'web', '--json']));
  expect(web.targets['docker-build'].dependsOn).toContainEqual({ projects: ['ui'], target: 'build' });
});

it('a source change reaches the image: the new layer holds the new bytes; an unchanged rerun is a cache hit', async () => {
  const first = await nx(['run', 'api:docker-build']);
  expect(first).toMatch(/nx run api:build/);
  expect(await fileOfImage('apps/api', 'app/message.txt')).toBe('api v1\n');

  writeFileSync(join(dir, 'apps/api/src/message.txt'), 'api v2\n');
  const second = await nx(['run', 'api:docker-build']);
  expect(second).not.toMatch(localCacheNote('api:docker-build'));
  expect(await fileOfImage('apps/api', 'app/message.txt')).toBe('api v2\n');

  const third = await nx(['run', 'api:docker-build']);
  expect(third).toMatch(localCacheNote('api:docker-build'));
  expect(await fileOfImage('apps/api', 'app/message.txt')).toBe('api v2\n');

  // back to the first source: the cache restores the first image, never the second
  writeFileSync(join(dir, 'apps/api/src/message.txt'), 'api v1\n');
  await nx(['run', 'api:docker-build']);
  expect(await fileOfImage('apps/api', 'app/message.txt')).toBe('api v1\n');
});

it("docker-build warns, with the Dockerfile's file:line and the fix, about a FROM that podman may give another stage's --platform", async () => {
  const output = await nx(['run', 'web:docker-build']);
  // the real build's warning names the podman version it asked (a dry run's says "(version not asked)")
  expect(output).toMatch(
    /^apps\/web\/Dockerfile:4: FROM \$\{BASE_IMAGE\} names no --platform after a stage on \$BUILDPLATFORM; podman \d+\.\d+\.\d+ may use the \$BUILDPLATFORM image in every platform's image \(containers\/buildah#5971\)\. Write FROM --platform=\$TARGETPLATFORM \$\{BASE_IMAGE\}\.$/m,
  );
  expect(await fileOfImage('apps/web', 'ui/ui.txt')).toBe('ui v1\n');
});

it("a change to another project's source reaches the image that copies its build output", async () => {
  await nx(['run', 'web:docker-build']);
  expect(await fileOfImage('apps/web', 'ui/ui.txt')).toBe('ui v1\n');
  writeFileSync(join(dir, 'libs/ui/src/ui.txt'), 'ui v2\n');
  const rebuilt = await nx(['run', 'web:docker-build']);
  expect(rebuilt).not.toMatch(localCacheNote('web:docker-build'));
  expect(await fileOfImage('apps/web', 'ui/ui.txt')).toBe('ui v2\n');
});

it('docker-lint warns, with file:line, about a copied ignored path that no target declares as an output', async () => {
  const output = await nx(['run', 'orphan:docker-lint', '--checkRegistry=false']);
  expect(output).toMatch(/apps\/orphan\/Dockerfile:4.*uncovered-build-output/);
  expect(output).toContain('git ignores generated and no target declares it as an output');
  const api = await nx(['run', 'api:docker-lint', '--checkRegistry=false']);
  expect(api).not.toContain('build-output');
});
