/**
 * The plugin as a user meets it, on every Nx major it supports: a fresh workspace with only `nx` of that major from
 * the npm registry, `nx add nx-multiarch@file:<the packed tarball>`, init, the service generator, inference. On the
 * oldest and newest major a real multi-arch docker-push, read back from the registry; on the others a dry run.
 * Nx 23 also registers @nx/docker beside it; Nx 24 runs nx release (version + changelog, dry run).
 */
import { mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { freshNxWorkspace, latestNxOf, npmIn, NPM_FLAGS, nxIn, ownNx, packPlugin } from '../packed-workspace';
import { commitAll, writeFiles } from '../../../../tools/fixtures/workspace-kit';
import { FROM_GO_BASE, GO_BASE, GO_SERVICES, goMonorepoFiles } from '../../../../tools/fixtures/go-monorepo-workspace';
import type { ImageRecord } from '../../src/image/record';
import { CACHE_NOTE, REGISTRY, remoteRaw, requireRealParts, RUN_ID, runNxOk } from '../harness';

jest.setTimeout(10 * 60 * 1000);

const MAJORS = [20, 21, 22, 23, 24];
const BUILT_ON = new Set([MAJORS[0], MAJORS[MAJORS.length - 1]]);
const TARGETS = ['docker-build', 'docker-build-single', 'docker-push', 'docker-manifest', 'docker-lint'];
const PLUGIN_FOLDERS = ['dist/images', 'dist/images-per-arch', 'dist/lint', 'dist/push-records'];

let tarball: string;
const workspaces = new Map<number, { dir: string; nx: string }>();

const nxOk = async (dir: string, args: string[]) => (await runNxOk(args, ownNx(dir))).output;

const readJson = (dir: string, file: string) => JSON.parse(readFileSync(join(dir, file), 'utf8'));
const writeJson = (dir: string, file: string, value: unknown) => writeFileSync(join(dir, file), `${JSON.stringify(value, null, 2)}\n`);
const workspace = (major: number) => {
  const found = workspaces.get(major);
  if (!found) throw new Error(`no Nx ${major} workspace: its set-up failed (see beforeAll)`);
  return found;
};

beforeAll(async () => {
  await requireRealParts(['podman', 'skopeo', 'git', 'npm']);
  tarball = await packPlugin();
  // One after another: parallel npm installs on a 2-core machine gain little and make failures hard to read.
  for (const major of MAJORS) {
    const nx = await latestNxOf(major);
    workspaces.set(major, { dir: await freshNxWorkspace(nx), nx });
  }
});

describe.each(MAJORS)('Nx %i', (major) => {
  it('nx add nx-multiarch@file:<tarball> installs the packed package and runs init', async () => {
    const { dir, nx } = workspace(major);
    const output = await nxOk(dir, ['add', `nx-multiarch@file:${tarball}`]);
    expect(output).toContain('nx-multiarch');
    expect(readJson(dir, 'node_modules/nx/package.json').version).toBe(nx);
    // installed from the tarball: a real folder with dist/, not a link to this repository
    expect(readJson(dir, 'node_modules/nx-multiarch/package.json').name).toBe('nx-multiarch');
    expect(readJson(dir, 'package.json').devDependencies['nx-multiarch']).toMatch(/^file:.*\.tgz$/);
    expect(readJson(dir, 'nx.json').plugins).toEqual([expect.objectContaining({ plugin: 'nx-multiarch' })]);
    const ignored = readFileSync(join(dir, '.gitignore'), 'utf8').split('\n');
    for (const folder of PLUGIN_FOLDERS) expect(ignored).toContain(`/${folder}`);
  });

  it('init --registry refuses a repository path, naming the fix, and leaves nx.json as it was', async () => {
    const { dir } = workspace(major);
    const before = readFileSync(join(dir, 'nx.json'), 'utf8');
    const result = await nxIn(dir, ['g', 'nx-multiarch:init', '--registry=quay.io/acme', '--no-interactive']);
    expect(result.exitCode).not.toBe(0);
    expect(result.output).toContain('quay.io/acme');
    expect(result.output).toContain('imageName');
    expect(readFileSync(join(dir, 'nx.json'), 'utf8')).toBe(before);
  });

  it('the service generator writes a project that gets every target through inference', async () => {
    const { dir } = workspace(major);
    const nxJson = readJson(dir, 'nx.json');
    nxJson.plugins[0].options = {
      ...nxJson.plugins[0].options,
      registry: REGISTRY,
      imageName: `${RUN_ID}-nx${major}/{projectName}`,
      buildArgs: { BASE_IMAGE: `${REGISTRY}/fixtures/busybox:latest` },
    };
    writeJson(dir, 'nx.json', nxJson);
    await nxOk(dir, ['g', 'nx-multiarch:service', 'apps/web-api', '--language=static', '--no-interactive']);
    const project = JSON.parse(await nxOk(dir, ['show', 'project', 'web-api', '--json']));
    expect(project.root).toBe('apps/web-api');
    expect(Object.keys(project.targets)).toEqual(expect.arrayContaining(TARGETS));
    expect(project.targets['docker-build'].executor).toBe('nx-multiarch:docker-build');
    expect(project.targets['docker-build'].options).toMatchObject({ dockerfile: 'apps/web-api/Dockerfile', context: 'apps/web-api' });
    commitAll(dir, 'service');
  });

  it('docker-push --dry-run plans the docker-build it depends on too, runs nothing and caches nothing', async () => {
    const { dir } = workspace(major);
    const dryPush = () => nxOk(dir, ['run', 'web-api:docker-push', '--dry-run', '--tag=dry']);
    // the second one would replay the first from the Nx cache if the first had been cached
    for (const output of [await dryPush(), await dryPush()]) {
      expect(output).toContain('Dry run of web-api:docker-build: nothing was run');
      expect(output).toMatch(/Dry run of web-api:docker-push: nothing was run[^]*skopeo copy /);
      expect(output).not.toMatch(CACHE_NOTE);
    }
    expect(() => readFileSync(join(dir, 'dist/images/apps/web-api/image.json'))).toThrow();
  });

  if (major === 20) {
    it('Nx 20 with isolated plugins does not hand the hook the command line: the build a dry run depends on refuses to run', async () => {
      const { dir } = workspace(major);
      const result = await nxIn(dir, ['run', 'web-api:docker-push', '--dry-run', '--tag=dry'], { NX_ISOLATE_PLUGINS: 'true' });
      expect(result.exitCode).not.toBe(0);
      expect(result.output).toContain('web-api:docker-push is a dry run that depends on web-api:docker-build');
      expect(() => readFileSync(join(dir, 'dist/images/apps/web-api/image.json'))).toThrow();
    });
  }

  if (BUILT_ON.has(major)) {
    it('docker-push builds both platforms, pushes the manifest list and the registry serves what image.json says', async () => {
      const { dir } = workspace(major);
      await nxOk(dir, ['run', 'web-api:docker-push', `--tag=nx${major}`]);
      const record = readJson(dir, 'dist/images/apps/web-api/image.json') as ImageRecord;
      const remote = await remoteRaw(`${REGISTRY}/${RUN_ID}-nx${major}/web-api:nx${major}`);
      expect(remote.digest).toBe(record.index.digest);
      const platforms = (remote.json.manifests as Array<{ digest: string; platform: { os: string; architecture: string } }>).map((m) => [
        `${m.platform.os}/${m.platform.architecture}`,
        m.digest,
      ]);
      expect(platforms).toEqual(record.platforms.map((p) => [p.platform, p.digest]));
      expect(platforms.map(([platform]) => platform)).toEqual(['linux/amd64', 'linux/arm64']);
    });
  } else {
    it('docker-build --dry-run plans one multi-platform build and runs nothing', async () => {
      const { dir } = workspace(major);
      const output = await nxOk(dir, ['run', 'web-api:docker-build', '--dry-run']);
      expect(output).toMatch(/podman build .*--platform linux\/amd64,linux\/arm64/);
      expect(() => readFileSync(join(dir, 'dist/images/apps/web-api/image.json'))).toThrow();
    });
  }

  it('a root-context Go monorepo: base images alone order builds, affected reaches what a change can reach, project.json names Dockerfiles, exclude works', async () => {
    const { dir } = workspace(major);
    const files = goMonorepoFiles(REGISTRY);
    const entry = JSON.parse(files['nx.json']).plugins[0];
    entry.exclude.push('apps/**'); // web-api, from the tests above
    const nxJsonBefore = readFileSync(join(dir, 'nx.json'), 'utf8');
    writeJson(dir, 'nx.json', { ...JSON.parse(nxJsonBefore), plugins: [entry] });
    writeFiles(dir, Object.fromEntries(Object.entries(files).filter(([path]) => path !== 'nx.json' && path !== '.gitignore')));
    try {
      const images = [GO_BASE, ...GO_SERVICES].sort();
      expect(JSON.parse(await nxOk(dir, ['show', 'projects', '--with-target', 'docker-build', '--json'])).sort()).toEqual(images);
      const datastorage = JSON.parse(await nxOk(dir, ['show', 'project', 'datastorage', '--json']));
      expect(datastorage.targets['docker-build'].options.dockerfile).toBe('docker/data-storage.Dockerfile');
      expect(datastorage.targets['docker-build'].inputs).toContain('{workspaceRoot}/docker/data-storage.Dockerfile');

      await nxOk(dir, ['run-many', '-t', 'docker-build', '--graph=tasks.json']);
      const { tasks } = readJson(dir, 'tasks.json') as { tasks: { dependencies: Record<string, Array<string | { id: string }>> } };
      const waits = Object.fromEntries(
        images.map((p) => [p, tasks.dependencies[`${p}:docker-build`].map((d) => (typeof d === 'string' ? d : d.id))]),
      );
      expect(waits).toEqual(Object.fromEntries(images.map((p) => [p, FROM_GO_BASE.includes(p) ? [`${GO_BASE}:docker-build`] : []])));
      // Nx accepts the task graph (no cycle) and runs it; dry runs build nothing
      expect(await nxOk(dir, ['run-many', '-t', 'docker-build', '--dry-run', '--skip-nx-cache'])).toMatch(
        /Successfully ran target docker-build for 6 projects/,
      );

      const affected = async (file: string) =>
        JSON.parse(await nxOk(dir, ['show', 'projects', '--affected', `--files=${file}`, '--json'])).sort();
      expect(await affected('README.md')).toEqual([]);
      expect(await affected('docker/users.Dockerfile')).toEqual(['users']);
      expect(await affected('docker/go-base/Dockerfile')).toEqual([GO_BASE, ...FROM_GO_BASE].sort());
    } finally {
      writeFileSync(join(dir, 'nx.json'), nxJsonBefore);
      for (const folder of ['cmd', 'pkg', 'docker', 'testdata', 'docs']) rmSync(join(dir, folder), { recursive: true, force: true });
      for (const file of ['.dockerignore', 'README.md', 'go.mod', 'tasks.json']) rmSync(join(dir, file), { force: true });
    }
  }, 40_000);
});

describe('beside other Nx plugins (Nx 23)', () => {
  beforeAll(async () => {
    // The newest 23.x of each on the registry: @nx/docker and @nx/js releases trail nx's by a patch or two.
    await npmIn(workspace(23).dir, ['install', '-D', ...NPM_FLAGS, '@nx/docker@^23.0.0', '@nx/js@^23.0.0']);
  });

  it('@nx/docker and nx-multiarch both registered: each infers its own targets on the same project', async () => {
    const { dir } = workspace(23);
    const nxJson = readJson(dir, 'nx.json');
    nxJson.plugins.push('@nx/docker');
    writeJson(dir, 'nx.json', nxJson);
    const project = JSON.parse(await nxOk(dir, ['show', 'project', 'web-api', '--json']));
    expect(project.targets['docker-build'].executor).toBe('nx-multiarch:docker-build');
    expect(Object.keys(project.targets)).toEqual(expect.arrayContaining(['docker:build']));
    // ours claim 'oci', so nx release (release.docker) never hands them to @nx/docker's versioning
    for (const name of TARGETS) expect(project.targets[name].metadata.technologies).toEqual(['oci']);
    expect(await nxOk(dir, ['run', 'web-api:docker-build', '--dry-run'])).toMatch(/podman build /);
  });

  it('nx release (version and changelog, dry run) works in a workspace with the plugin', async () => {
    const { dir } = workspace(23);
    mkdirSync(join(dir, 'libs/util'), { recursive: true });
    writeJson(dir, 'libs/util/package.json', { name: '@user/util', version: '1.0.0' });
    const pkg = readJson(dir, 'package.json');
    writeJson(dir, 'package.json', { ...pkg, workspaces: ['libs/*'] });
    const nxJson = readJson(dir, 'nx.json');
    writeJson(dir, 'nx.json', { ...nxJson, release: { projects: ['@user/util'] } });
    commitAll(dir, 'feat: util');
    const output = await nxOk(dir, ['release', '--dry-run', '--skip-publish', '--first-release', '--specifier=1.1.0']);
    expect(output).toContain('New version 1.1.0 written to manifest: libs/util/package.json');
    expect(output).toContain('CREATE CHANGELOG.md');
  });
});
