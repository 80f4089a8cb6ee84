import childProcess from 'node:child_process';
import fs, { existsSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CODE_FINGERPRINT_FILE, codeFingerprint } from './inference-cache';
import type { CreateNodesContextV2 } from '../devkit';
import { throwawayWorkspace } from './test-workspace';
import { tempDir } from '../../../../tools/fixtures/workspace-kit';

type Plugin = typeof import('./create-nodes');

/**
 * `use` run with the plugin as a new nx process loads it: fresh modules, so nothing parsed or read by an earlier
 * computation is still in memory, and dockerfile-ast's parser (loaded on first use) counted. Only the cache on disk
 * carries over.
 */
async function withFreshPlugin<R>(use: (plugin: Plugin, parses: jest.SpyInstance) => Promise<R>): Promise<R> {
  let result: R | undefined;
  await jest.isolateModulesAsync(async () => {
    const plugin = jest.requireActual<Plugin>('./create-nodes');
    const parses = jest.spyOn(jest.requireActual<typeof import('dockerfile-ast')>('dockerfile-ast').DockerfileParser, 'parse');
    result = await use(plugin, parses);
  });
  return result as R;
}

const FILES = ['services/api/project.json', 'services/api/Dockerfile', 'services/web/project.json', 'services/web/Dockerfile'];

function baseWorkspace(): string {
  return throwawayWorkspace({
    '.gitignore': 'node_modules\n',
    'services/api/project.json': JSON.stringify({ name: 'api' }),
    'services/api/Dockerfile': 'FROM scratch\nCOPY src/ /app/\n',
    'services/api/.dockerignore': '*.md\n',
    'services/api/src/main.sh': 'echo api\n',
    'services/web/project.json': JSON.stringify({ name: 'web' }),
    'services/web/Dockerfile': 'FROM scratch\nCOPY . /app/\n',
    'services/web/index.html': '<html></html>\n',
  });
}

async function computeWith(plugin: Plugin, root: string, options: Record<string, unknown> = {}, files = FILES) {
  const context: CreateNodesContextV2 = { workspaceRoot: root, nxJsonConfiguration: {} };
  const results = await plugin.createNodesV2[1](files, options, context);
  return Object.assign({}, ...results.map(([, result]) => result.projects ?? {})) as Record<string, any>;
}

/** One graph computation in a new process: the projects, and how many Dockerfiles it parsed. */
async function compute(root: string, options: Record<string, unknown> = {}, files = FILES) {
  return withFreshPlugin(async (plugin, parses) => {
    const projects = await computeWith(plugin, root, options, files);
    return { projects, parsed: parses.mock.calls.length };
  });
}

const dataDirectory = (root: string) => join(root, '.nx', 'workspace-data');
const cacheFiles = (dir: string) => readdirSync(dir).filter((name) => name.startsWith('nx-multiarch-'));

/** What inference gives with no cache at all: the answer every cached computation must equal. */
async function uncached(root: string, options: Record<string, unknown> = {}) {
  rmSync(join(root, '.nx'), { recursive: true, force: true });
  return (await compute(root, options)).projects;
}

afterEach(() => jest.restoreAllMocks());

// Nx's default place, .nx/workspace-data in each throwaway workspace, whatever the machine running the tests sets
const placeSettings = ['NX_WORKSPACE_DATA_DIRECTORY', 'NX_PROJECT_GRAPH_CACHE_DIRECTORY'];
const savedPlaces = placeSettings.map((name) => process.env[name]);
beforeAll(() => placeSettings.forEach((name) => delete process.env[name]));
afterAll(() =>
  placeSettings.forEach((name, i) => {
    if (savedPlaces[i] !== undefined) process.env[name] = savedPlaces[i];
  }),
);

describe('the inference cache', () => {
  it('parses no Dockerfile on a second computation when nothing changed, and gives the same targets', async () => {
    const root = baseWorkspace();
    const first = await compute(root);
    expect(first.parsed).toBe(2);
    const second = await compute(root);
    expect(second.parsed).toBe(0);
    expect(second.projects).toEqual(first.projects);
    expect(Object.keys(second.projects).sort()).toEqual(['services/api', 'services/web']);
  });

  it('lives under the workspace data directory, where NX_WORKSPACE_DATA_DIRECTORY puts it too', async () => {
    const root = baseWorkspace();
    await compute(root);
    expect(cacheFiles(dataDirectory(root))).toHaveLength(1);
    expect(cacheFiles(dataDirectory(root))[0]).toMatch(/^nx-multiarch-[0-9a-f]{64}\.hash$/);

    const elsewhere = tempDir('nx-multiarch-data-');
    const saved = process.env.NX_WORKSPACE_DATA_DIRECTORY;
    process.env.NX_WORKSPACE_DATA_DIRECTORY = elsewhere;
    try {
      const other = baseWorkspace();
      await compute(other);
      expect(cacheFiles(elsewhere)).toHaveLength(1);
      expect(() => readdirSync(join(other, '.nx'))).toThrow();
    } finally {
      if (saved === undefined) delete process.env.NX_WORKSPACE_DATA_DIRECTORY;
      else process.env.NX_WORKSPACE_DATA_DIRECTORY = saved;
    }
  });

  // Each change must reach the targets: a cache serving the old ones fails the first expectation or the second.
  const changes: Array<[string, (root: string) => void, (projects: Record<string, any>) => unknown]> = [
    [
      'the Dockerfile',
      (root) => writeFileSync(join(root, 'services/api/Dockerfile'), 'FROM scratch\nCOPY lib/ /app/\n'),
      (projects) => projects['services/api'].targets['docker-build'].inputs,
    ],
    [
      'the .dockerignore',
      (root) => writeFileSync(join(root, 'services/api/.dockerignore'), '*.txt\n'),
      (projects) => projects['services/api'].targets['docker-build'].inputs,
    ],
    [
      'a <Dockerfile>.dockerignore appearing beside the context one',
      (root) => writeFileSync(join(root, 'services/api/Dockerfile.dockerignore'), 'tests\n'),
      (projects) => projects['services/api'].targets['docker-build'].inputs,
    ],
    [
      'project.json',
      (root) => writeFileSync(join(root, 'services/api/project.json'), JSON.stringify({ name: 'api', tags: ['deprecated'] })),
      (projects) => Object.keys(projects['services/api'].targets),
    ],
    [
      'a package.json appearing (its version is the image label)',
      (root) => writeFileSync(join(root, 'services/api/package.json'), JSON.stringify({ name: 'api', version: '1.0.0' })),
      (projects) => projects['services/api'].targets['docker-build'].inputs,
    ],
    [
      'the context of a COPY . gaining a file',
      (root) => writeFileSync(join(root, 'services/web/style.css'), 'body {}\n'),
      (projects) => projects['services/web'].targets['docker-build'].inputs,
    ],
    [
      'the root .gitignore (which copies are build outputs)',
      (root) => writeFileSync(join(root, '.gitignore'), 'node_modules\nsrc\n'),
      (projects) => projects['services/api'].targets['docker-build'].inputs,
    ],
    [
      'the Dockerfile, now FROM the image of another project',
      (root) => writeFileSync(join(root, 'services/web/Dockerfile'), 'FROM api\nCOPY . /app/\n'),
      (projects) => projects['services/web'].targets['docker-build'].dependsOn,
    ],
    [
      "another project's project.json, now naming the image this Dockerfile builds FROM (nothing of this project changed)",
      (root) => {
        writeFileSync(join(root, 'services/web/Dockerfile'), 'FROM team/base\nCOPY . /app/\n');
        writeFileSync(
          join(root, 'services/api/project.json'),
          JSON.stringify({ name: 'api', targets: { 'docker-build-single': { options: { imageName: 'team/base' } } } }),
        );
      },
      (projects) => projects['services/web'].targets['docker-build'].dependsOn,
    ],
  ];

  it.each(changes)('gives the new targets after a change to %s', async (_, change, part) => {
    const root = baseWorkspace();
    const before = (await compute(root)).projects;
    change(root);
    const after = await compute(root);
    const expected = await uncached(root);
    expect(part(after.projects)).not.toEqual(part(before));
    expect(after.projects).toEqual(expected);
  });

  it('gives the new targets after a change to a plugin option', async () => {
    const root = baseWorkspace();
    const before = (await compute(root, { registry: 'a.example.com' })).projects;
    const after = (await compute(root, { registry: 'b.example.com' })).projects;
    expect(before['services/api'].targets['docker-push'].options.registry).toBe('a.example.com');
    expect(after['services/api'].targets['docker-push'].options.registry).toBe('b.example.com');
    const renamed = (await compute(root, { registry: 'b.example.com', buildTargetName: 'image' })).projects;
    expect(Object.keys(renamed['services/api'].targets)).toContain('image');
  });

  it.each([
    ['cut short', (text: string) => text.slice(0, text.length / 2)],
    ['not JSON', () => 'not json at all'],
    ['changed inside, its checksum left as it was', (text: string) => text.replace('services/api/src', 'services/api/lib')],
  ])('ignores a cache file %s, and computes the targets afresh', async (_, damage) => {
    const root = baseWorkspace();
    const expected = (await compute(root)).projects;
    const [file] = cacheFiles(dataDirectory(root));
    const path = join(dataDirectory(root), file);
    const damaged = damage(readFileSync(path, 'utf8'));
    expect(damaged).not.toEqual(readFileSync(path, 'utf8'));
    writeFileSync(path, damaged);
    const again = await compute(root);
    expect(again.parsed).toBe(2);
    expect(again.projects).toEqual(expected);
  });

  it('writes the cache file whole, leaving no temporary file behind', async () => {
    const root = baseWorkspace();
    const renames = jest.spyOn(fs, 'renameSync');
    await compute(root);
    expect(renames).toHaveBeenCalledTimes(1);
    const [temporary, final] = renames.mock.calls[0] as [string, string];
    expect(final).toBe(join(dataDirectory(root), cacheFiles(dataDirectory(root))[0]));
    expect(temporary).not.toBe(final);
    expect(readdirSync(dataDirectory(root)).filter((name) => name.endsWith('.tmp'))).toEqual([]);
    // nothing changed: nothing written
    await compute(root);
    expect(renames).toHaveBeenCalledTimes(1);
  });

  it('records every file inference read from the disk (a read it did not record could not invalidate an entry)', async () => {
    const root = throwawayWorkspace({
      '.gitignore': 'dist\n',
      '.nxignore': 'tmp\n',
      'apps/api/project.json': JSON.stringify({ name: 'api' }),
      'apps/api/Dockerfile': 'FROM scratch\nCOPY dist/libs/ui /ui\nCOPY . /app/\n',
      'apps/api/.dockerignore': '*.md\n',
      'libs/ui/project.json': JSON.stringify({ name: 'ui' }),
      'apps/web/package.json': JSON.stringify({ name: 'web', version: '1.0.0' }),
      'apps/web/Containerfile': 'FROM scratch\n',
    });
    // what the disk was asked, as `read <path>`, `list <path>` or `exists <path>` (a read answers whether it exists too)
    const touched = new Set<string>();
    const asked = (op: string) => (path: unknown) => {
      const text = String(path);
      if (text.startsWith(`${root}/`) && !text.startsWith(`${root}/.nx/`)) touched.add(`${op} ${text.slice(root.length + 1)}`);
    };
    const ops = {
      readFileSync: 'read',
      openSync: 'read',
      readdirSync: 'list',
      existsSync: 'exists',
      statSync: 'exists',
      lstatSync: 'exists',
    };
    for (const [name, op] of Object.entries(ops) as Array<[keyof typeof ops, string]>) {
      const original = fs[name] as (...args: unknown[]) => unknown;
      jest.spyOn(fs, name).mockImplementation(((...args: unknown[]) => (asked(op)(args[0]), original(...args))) as never);
    }
    await compute(root, {}, ['apps/api/project.json', 'apps/api/Dockerfile', 'apps/web/package.json', 'apps/web/Containerfile']);
    jest.restoreAllMocks();
    const [file] = cacheFiles(dataDirectory(root));
    const text = readFileSync(join(dataDirectory(root), file), 'utf8');
    const reads = Object.values(JSON.parse(text.slice(text.indexOf('\n') + 1)).entries as Record<string, { reads: string[][] }>).flatMap(
      (entry) => entry.reads,
    );
    const recorded = new Set(reads.flatMap(([op, path]) => [`${op} ${path}`, ...(op === 'read' ? [`exists ${path}`] : [])]));
    // .git and .git/config give the source URL, which is in the key of the whole file; Nx looks for lerna.json to place
    // its workspace data directory
    const global = ['.git', '.git/config', 'lerna.json'];
    const unrecorded = [...touched].filter((question) => !recorded.has(question) && !global.includes(question.replace(/^\w+ /, '')));
    expect(touched.size).toBeGreaterThan(5);
    expect(unrecorded).toEqual([]);
  });

  it('starts no process (git, podman, docker) while the graph is computed', async () => {
    const root = baseWorkspace();
    const started = await withFreshPlugin(async (plugin) => {
      // loaded first: Nx 24's own modules run git when they load (in nx, before any plugin)
      const { createDependencies } = jest.requireActual<typeof import('./dependencies')>('./dependencies');
      const spies = (['spawn', 'spawnSync', 'execFile', 'execFileSync', 'exec', 'execSync', 'fork'] as const).map((name) =>
        jest.spyOn(childProcess, name),
      );
      const projects = await computeWith(plugin, root);
      await computeWith(plugin, root);
      await createDependencies({}, {
        workspaceRoot: root,
        projects: Object.fromEntries(Object.values(projects).map((project) => [project.name, project])),
      } as never);
      return spies.flatMap((spy) => spy.mock.calls);
    });
    expect(started).toEqual([]);
  });
});

describe("the cache key's code fingerprint", () => {
  it('the build writes the fingerprint of the code it built (a stale one would keep inference from an older plugin)', () => {
    const dist = join(__dirname, '..', '..', 'dist');
    if (!existsSync(join(dist, 'index.js')))
      throw new Error('packages/nx-multiarch/dist is missing: run npm run build first (npm test does)');
    expect(readFileSync(join(dist, CODE_FINGERPRINT_FILE), 'utf8')).toBe(codeFingerprint(dist));
  });
});
