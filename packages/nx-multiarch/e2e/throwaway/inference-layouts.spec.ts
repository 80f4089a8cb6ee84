/**
 * Inference in the Go monorepo of tools/fixtures/go-monorepo-workspace.ts, as the real nx CLI sees it:
 * - services whose Dockerfile is named differently (cmd/datastorage -> docker/data-storage.Dockerfile) name it in
 *   project.json and get every target, with inputs computed from that Dockerfile; one is pushed for real;
 * - the plugin entry's include/exclude in nx.json (Nx's own, for createNodesV2) keeps test fixtures and docs spikes
 *   that hold a Dockerfile from becoming image projects.
 */
import { existsSync, mkdirSync, readFileSync, realpathSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  createGoMonorepo,
  dockerfileOf,
  GO_BASE,
  GO_SERVICES,
  RENAMED_DOCKERFILES,
} from '../../../../tools/fixtures/go-monorepo-workspace';
import type { ImageRecord } from '../../src/image/record';
import { describeIndex } from '../../src/image/oci-layout';
import { fileInImage, REGISTRY, remoteRaw, requireRealParts, RUN_ID, runNx, tempDir } from '../harness';

const dir = realpathSync(tempDir('nx-multiarch-layouts-'));
const TARGETS = ['docker-build', 'docker-build-single', 'docker-lint', 'docker-manifest', 'docker-push'];

const nx = (args: string[]) => runNx(args, { cwd: dir, stripAnsi: true });

async function nxJson<T>(args: string[]): Promise<T> {
  const result = await nx([...args, '--json']);
  if (result.exitCode !== 0) throw new Error(`nx ${args.join(' ')} failed (exit ${result.exitCode}):\n${result.output.slice(-4000)}`);
  return JSON.parse(result.stdout.slice(result.stdout.search(/[[{]/)));
}

const readText = (path: string) => readFileSync(join(dir, path), 'utf8');
const writeText = (path: string, text: string) => writeFileSync(join(dir, path), text);
const imageProjects = async () => (await nxJson<string[]>(['show', 'projects', '--with-target', 'docker-build'])).sort();

interface Target {
  executor: string;
  inputs?: unknown[];
  options: Record<string, unknown>;
}

beforeAll(async () => {
  await requireRealParts();
  createGoMonorepo(dir);
}, 30_000);

// Timeouts are about 3x what each took on a 2-core machine (at least 10 s: an nx start alone can take 3 s there).
describe('a Dockerfile named in project.json (targets["docker-build"].options.dockerfile)', () => {
  it.each(Object.entries(RENAMED_DOCKERFILES))(
    '%s gets all five targets, built from %s, with inputs computed from it',
    async (project, dockerfile) => {
      const { targets } = await nxJson<{ targets: Record<string, Target> }>(['show', 'project', project]);
      expect(Object.keys(targets).sort()).toEqual(TARGETS);
      for (const name of TARGETS) expect(targets[name].executor).toBe(`nx-multiarch:${name}`);
      for (const name of ['docker-build', 'docker-build-single', 'docker-lint'])
        expect(targets[name].options).toMatchObject({ dockerfile, context: '.' });
      expect(targets['docker-build'].inputs).toEqual(
        expect.arrayContaining([`{workspaceRoot}/${dockerfile}`, '{workspaceRoot}/cmd/**/*', '{workspaceRoot}/pkg/**/*']),
      );
      expect(targets['docker-build'].inputs).not.toContain(`{workspaceRoot}/docker/${project}.Dockerfile`);
      expect(targets['docker-lint'].inputs).toContain(`{workspaceRoot}/${dockerfile}`);
    },
    10_000,
  );

  it('docker-push of one lands in the registry with both platforms, built from the Dockerfile project.json names', async () => {
    const project = 'notification';
    const result = await nx([
      'run',
      `${project}:docker-push`,
      `--imageName=${RUN_ID}-layouts/{projectName}`,
      '--tag=named-dockerfile',
      '--outputStyle=static',
    ]);
    if (result.exitCode !== 0) throw new Error(`docker-push failed:\n${result.output.slice(-4000)}`);
    const record = JSON.parse(readText(`dist/images/cmd/${project}/image.json`)) as ImageRecord;
    const remote = await remoteRaw(`${REGISTRY}/${RUN_ID}-layouts/${project}:named-dockerfile`);
    expect(remote.digest).toBe(record.index.digest);
    expect(describeIndex(remote.json).map((image) => [image.platform, image.digest])).toEqual(
      record.platforms.map((p) => [p.platform, p.digest]),
    );
    expect(record.platforms.map((p) => p.platform)).toEqual(['linux/amd64', 'linux/arm64']);
    // the image is what docker/notification-controller.Dockerfile makes: /app/notification from cmd/notification/main.go
    for (const image of record.platforms) {
      expect((await fileInImage(`cmd/${project}`, image.digest, 'app/notification', dir)).toString()).toContain('println("notification")');
    }
    expect(dockerfileOf(project)).toBe('docker/notification-controller.Dockerfile');
  }, 300_000); // a two-platform build and push: over 60 s here when other builds shared the 2 cores

  it('a Dockerfile project.json names that does not exist: every nx command fails, naming the file and the project.json', async () => {
    const path = 'cmd/datastorage/project.json';
    const original = readText(path);
    writeText(path, original.replace('docker/data-storage.Dockerfile', 'docker/data-storag.Dockerfile'));
    try {
      const result = await nx(['show', 'projects']);
      expect(result.exitCode).not.toBe(0);
      expect(result.output).toContain(
        `${path}: targets["docker-build"].options.dockerfile names "docker/data-storag.Dockerfile", which does not exist.`,
      );
    } finally {
      writeText(path, original);
    }
  }, 10_000);
});

describe('a folder with a Dockerfile and a package.json, and no project.json', () => {
  // One inside the root package.json's npm workspaces (services/*), where Nx's own package.json inference names the
  // project too, and one outside them, where only this plugin does.
  const folders: Record<string, string> = { 'services/catalog-web': '@acme/catalog', 'apps/orders-folder': 'orders-api' };

  beforeAll(() => {
    for (const top of ['services', 'apps'])
      if (existsSync(join(dir, top))) throw new Error(`the fixture has a ${top}/ folder: pick other folders`);
    for (const [folder, name] of Object.entries(folders)) {
      mkdirSync(join(dir, folder), { recursive: true });
      writeText(`${folder}/package.json`, JSON.stringify({ name, version: '1.0.0', private: true }));
      writeText(`${folder}/Dockerfile`, 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nCOPY . /app/\n');
    }
  });
  afterAll(() => {
    for (const folder of Object.keys(folders)) rmSync(join(dir, folder.split('/')[0]), { recursive: true, force: true });
  });

  it.each(Object.entries(folders))(
    '%s is a project named after its package.json (%s), with all five targets',
    async (folder, name) => {
      const project = await nxJson<{ name: string; root: string; targets: Record<string, Target> }>(['show', 'project', name]);
      expect([project.name, project.root]).toEqual([name, folder]);
      expect(Object.keys(project.targets).sort()).toEqual(TARGETS);
      for (const target of TARGETS) expect(project.targets[target].executor).toBe(`nx-multiarch:${target}`);
      // the Dockerfile in the project root (docker/<name>.Dockerfile, the plugin's pattern, does not exist); nx.json's context
      expect(project.targets['docker-build'].options).toMatchObject({ dockerfile: `${folder}/Dockerfile`, context: '.' });
    },
    10_000,
  );

  it('no project is named after either folder', async () => {
    const projects = await imageProjects();
    expect(projects).toEqual(expect.arrayContaining(Object.values(folders)));
    expect(projects).not.toContain('catalog-web');
    expect(projects).not.toContain('orders-folder');
  }, 10_000);
});

describe("include/exclude on the plugin's nx.json entry (Nx's own, applied to the files createNodesV2 gets)", () => {
  const editPlugin = (change: (entry: Record<string, unknown>) => void) => {
    const nxJsonText = readText('nx.json');
    const parsed = JSON.parse(nxJsonText);
    change(parsed.plugins[0]);
    writeText('nx.json', JSON.stringify(parsed, null, 2));
    return () => writeText('nx.json', nxJsonText);
  };

  it('exclude keeps the Dockerfiles under testdata/ and docs/ from becoming image projects', async () => {
    expect(await imageProjects()).toEqual([GO_BASE, ...GO_SERVICES].sort());
    const restore = editPlugin((entry) => delete entry.exclude);
    try {
      expect(await imageProjects()).toEqual([GO_BASE, ...GO_SERVICES, 'broken-image', 'spike'].sort());
    } finally {
      restore();
    }
  }, 10_000);

  it('include narrows inference to the folders it names, project.json-matched projects included', async () => {
    const restore = editPlugin((entry) => {
      entry.include = ['cmd/**'];
    });
    try {
      expect(await imageProjects()).toEqual(GO_SERVICES);
    } finally {
      restore();
    }
  }, 10_000);
});
