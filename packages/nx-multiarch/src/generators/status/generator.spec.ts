import { addProjectConfiguration, logger, readNxJson, updateNxJson, type ProjectGraph, type Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { createHash } from 'node:crypto';
import { createProjectGraphAsync } from '../../devkit';
import { pluginSchema } from '../../config/schemas';
import { formatSize, type ImageRecord } from '../../image/record';
import type { PushRecord } from '../../image/push-record';
import { targetsFor } from '../../plugin/create-nodes';
import { registryStorage } from './facts';
import { StatusCheckError } from '../../core/errors';
import { statusGenerator } from './generator';
import { parsePageTables } from './parse';
import type { StatusProject } from './projects';
import { DEFAULT_OUTPUT, GENERATED_MARKER } from './render';

// The projects come from the project graph; here the graph is whatever the test says it is.
jest.mock('../../devkit', () => ({ ...jest.requireActual('../../devkit'), createProjectGraphAsync: jest.fn() }));
const graphMock = jest.mocked(createProjectGraphAsync);

/** A project graph holding these projects (no dependencies: the page does not read them). */
function useGraph(projects: StatusProject[]): void {
  const nodes = Object.fromEntries(
    projects.map(({ name, root, tags, targets }) => [name, { name, type: 'app' as const, data: { name, root, tags, targets } }]),
  );
  graphMock.mockResolvedValue({ nodes, dependencies: {} } as ProjectGraph);
}

const PLUGIN_OPTIONS = pluginSchema.parse({ platforms: ['linux/amd64', 'linux/arm64'] });

/** What the plugin infers for services/<name>/Dockerfile (its own targetsFor), as the graph would hold it. */
const inferred = (name: string, tags: string[]) =>
  targetsFor(`services/${name}`, { name, tags }, `services/${name}/Dockerfile`, PLUGIN_OPTIONS);

/** A target with project.json options merged over the inferred ones, as Nx's graph holds it. */
const withOptions = (target: StatusProject['targets'][string], options: Record<string, unknown>) => ({
  ...target,
  options: { ...target.options, ...options },
});

const INDEX = 'application/vnd.oci.image.index.v1+json';
const MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
const CONFIG = 'application/vnd.oci.image.config.v1+json';
const LAYER = 'application/vnd.oci.image.layer.v1.tar+gzip';
const sha = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;
const blob = (dir: string, digest: string) => `${dir}/blobs/sha256/${digest.slice('sha256:'.length)}`;

interface ImageSpec {
  platform: string;
  config: number;
  /** [name, size]: layers with equal names are one blob */
  layers: Array<[string, number]>;
  seconds?: number;
}

/** A tiny OCI layout (index, manifests as real JSON blobs; configs and layers only as descriptors) and its image.json. */
function writeBuild(tree: Tree, outputPath: string, project: string, images: ImageSpec[], extra: Partial<ImageRecord> = {}): ImageRecord {
  const dir = `${outputPath}/oci`;
  const platforms = images.map((image) => {
    const [os, architecture] = image.platform.split('/');
    const config = { mediaType: CONFIG, digest: sha(`config ${project} ${image.platform}`), size: image.config };
    const manifest = JSON.stringify({
      schemaVersion: 2,
      mediaType: MANIFEST,
      config,
      layers: image.layers.map(([name, size]) => ({ mediaType: LAYER, digest: sha(name), size })),
    });
    tree.write(blob(dir, sha(manifest)), manifest);
    const layerBytes = image.layers.reduce((sum, [, size]) => sum + size, 0);
    return {
      entry: { mediaType: MANIFEST, digest: sha(manifest), size: manifest.length, platform: { os, architecture } },
      record: {
        platform: image.platform,
        digest: sha(manifest),
        mediaType: MANIFEST,
        manifestSize: manifest.length,
        configDigest: config.digest,
        size: manifest.length + image.config + layerBytes,
        ...(image.seconds !== undefined ? { seconds: image.seconds } : {}),
      },
    };
  });
  const index = JSON.stringify({ schemaVersion: 2, mediaType: INDEX, manifests: platforms.map((p) => p.entry) });
  tree.write(blob(dir, sha(index)), index);
  tree.write(
    `${dir}/index.json`,
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        { mediaType: INDEX, digest: sha(index), size: index.length, annotations: { 'org.opencontainers.image.ref.name': 'latest' } },
      ],
    }),
  );
  tree.write(`${dir}/oci-layout`, '{"imageLayoutVersion":"1.0.0"}');
  const record: ImageRecord = {
    schemaVersion: 1,
    project,
    layout: { path: 'oci', tag: 'latest' },
    index: { digest: sha(index), mediaType: INDEX, size: index.length },
    platforms: platforms.map((p) => p.record),
    engine: { name: 'podman', version: '4.3.1' },
    buildSeconds: 20,
    revision: 'abc123',
    created: '2026-01-02T03:04:05.000Z',
    ...extra,
  };
  tree.write(`${outputPath}/image.json`, JSON.stringify(record, null, 2));
  return record;
}

function pushRecord(tree: Tree, name: string, record: ImageRecord, extra: Record<string, unknown> = {}, arch?: string): PushRecord {
  const push: PushRecord = {
    project: name,
    references: [`127.0.0.1:5000/acme/${name}:v1`],
    mode: 'index',
    digest: record.index.digest,
    platforms: record.platforms.map(({ platform, digest }) => ({ platform, digest })),
    verifiedAt: '2026-01-03T10:00:00.000Z',
  };
  tree.write(`dist/push-records/services/${name}${arch ? `.${arch}` : ''}.json`, JSON.stringify({ ...push, ...extra }, null, 2));
  return push;
}

const CLEAN = 'FROM busybox:1.36\nCOPY www/ /www/\nCMD ["httpd", "-f"]\n';
const HARDCODED = 'FROM busybox:1.36\nRUN wget https://example.com/tool-linux-amd64.tar.gz\nCMD ["tool"]\n';

function service(tree: Tree, name: string, dockerfile: string, config: { tags?: string[]; targets?: Record<string, unknown> } = {}) {
  addProjectConfiguration(tree, name, {
    root: `services/${name}`,
    tags: ['type:service', ...(config.tags ?? [])],
    targets: (config.targets ?? {}) as never,
  });
  tree.write(`services/${name}/Dockerfile`, dockerfile);
  tree.write(`services/${name}/.dockerignore`, 'node_modules\n');
}

const API_IMAGES: ImageSpec[] = [
  {
    platform: 'linux/amd64',
    config: 1500,
    layers: [
      ['busybox base', 700_000],
      ['api app amd64', 30_000],
    ],
    seconds: 4,
  },
  {
    platform: 'linux/arm64',
    config: 1600,
    layers: [
      ['busybox base', 700_000],
      ['api app arm64', 40_000],
    ],
    seconds: 12.5,
  },
];

/**
 * api: clean, built, pushed and verified, with a measured per-arch (amd64) build.
 * broken: a hard-coded arch (error), docker-build overridden in project.json (outputPath), built, no per-arch build.
 * legacy: deprecated, same error, never built.
 * web: context is the workspace root with no .dockerignore (warning only), its last verify failed.
 * lib: no Dockerfile, no nx-multiarch target, not on the page.
 * The tree holds the files (project.json, Dockerfiles, build outputs); the mocked graph holds the projects.
 */
function workspace(): { tree: Tree; projects: StatusProject[]; api: ImageRecord; broken: ImageRecord; web: ImageRecord } {
  const tree = createTreeWithEmptyWorkspace({ formatter: 'none' });
  updateNxJson(tree, {
    ...readNxJson(tree)!,
    plugins: [{ plugin: 'nx-multiarch', options: { platforms: ['linux/amd64', 'linux/arm64'] } }],
  });
  service(tree, 'api', CLEAN);
  service(tree, 'broken', HARDCODED, { targets: { 'docker-build': { options: { outputPath: 'dist/custom/broken' } } } });
  service(tree, 'legacy', HARDCODED, { tags: ['deprecated'] });
  service(tree, 'web', CLEAN, { targets: { 'docker-build': { options: { context: '.' } } } });
  tree.delete('services/web/.dockerignore');
  addProjectConfiguration(tree, 'lib', { root: 'libs/lib', targets: {} });

  const node = (name: string, tags: string[], targets = inferred(name, tags)): StatusProject => ({
    name,
    root: `services/${name}`,
    tags,
    targets,
  });
  const brokenTargets = inferred('broken', ['type:service']);
  const webTargets = inferred('web', ['type:service']);
  const projects = [
    node('api', ['type:service']),
    node('broken', ['type:service'], {
      ...brokenTargets,
      'docker-build': withOptions(brokenTargets['docker-build'], { outputPath: 'dist/custom/broken' }),
    }),
    node('legacy', ['type:service', 'deprecated']),
    node('web', ['type:service'], { ...webTargets, 'docker-build': withOptions(webTargets['docker-build'], { context: '.' }) }),
    { name: 'lib', root: 'libs/lib', tags: [], targets: {} },
  ];
  useGraph(projects);

  const api = writeBuild(tree, 'dist/images/services/api', 'api', API_IMAGES);
  writeBuild(tree, 'dist/images-per-arch/amd64/services/api', 'api', [API_IMAGES[0]], { buildSeconds: 6 });
  pushRecord(tree, 'api', api);
  pushRecord(
    tree,
    'api',
    api,
    { references: ['127.0.0.1:5000/acme/api:v1-arm64'], mode: 'platform', verifiedAt: '2026-01-03T09:00:00.000Z' },
    'arm64',
  );

  const broken = writeBuild(
    tree,
    'dist/custom/broken',
    'broken',
    [
      { platform: 'linux/amd64', config: 900, layers: [['broken amd64', 2048]], seconds: 3 },
      { platform: 'linux/arm64', config: 900, layers: [['broken arm64', 4096]], seconds: 9 },
    ],
    { buildSeconds: 10 },
  );

  const web = writeBuild(tree, 'dist/images/services/web', 'web', [{ platform: 'linux/amd64', config: 100, layers: [['web', 500]] }], {
    buildSeconds: 2,
  });
  pushRecord(tree, 'web', web, { ok: false, problems: ['127.0.0.1:5000/acme/web:v1 lacks linux/arm64'] });
  return { tree, projects, api, broken, web };
}

async function page(tree: Tree, options: Parameters<typeof statusGenerator>[1] = {}) {
  const callback = await statusGenerator(tree, options, { hostArch: 'amd64' });
  const text = tree.read(options.output ?? DEFAULT_OUTPUT, 'utf-8')!;
  const tables = parsePageTables(text);
  const row = (section: string, project: string) => tables[section].find((r) => r.project === project)!;
  return { callback, text, tables, row };
}

describe('status generator', () => {
  beforeEach(() => {
    jest.spyOn(logger, 'info').mockImplementation(() => undefined);
    jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => {
    jest.restoreAllMocks();
    graphMock.mockReset();
  });

  it('writes the page with a do-not-edit header, three sections, and a row per docker-build project by name', async () => {
    const { tree } = workspace();
    const { text, tables } = await page(tree);
    expect(text.startsWith(`${GENERATED_MARKER}\n`)).toBe(true);
    expect(text).toContain('Do not edit this file by hand');
    expect(Object.keys(tables)).toEqual(['Services with Dockerfiles', 'Verification', 'Performance']);
    for (const rows of Object.values(tables)) expect(rows.map((r) => r.project)).toEqual(['api', 'broken', 'legacy', 'web']);
  });

  it('services: Dockerfile path, inferred or overridden targets, readiness with error and warning counts, deprecated', async () => {
    const { row } = await page(workspace().tree);
    const api = row('Services with Dockerfiles', 'api');
    expect(api.Dockerfile).toBe('`services/api/Dockerfile`');
    expect(api.targets).toMatch(/^inferred: docker-build, docker-build-single,/);
    expect(api.targets).not.toContain('overridden');
    expect(api['multi-arch ready']).toBe('yes (0 errors, 0 warnings)');
    expect(api.deprecated).toBe('no');

    const broken = row('Services with Dockerfiles', 'broken');
    expect(broken.targets).toContain('overridden in project.json: docker-build');
    expect(broken.targets.split('\n')[0].replace('inferred: ', '').split(', ')).not.toContain('docker-build');
    expect(broken['multi-arch ready']).toBe('no (1 error, 0 warnings)\nerror services/broken/Dockerfile:2 [hardcoded-arch]');

    expect(row('Services with Dockerfiles', 'legacy')).toMatchObject({
      deprecated: 'yes',
      'multi-arch ready': expect.stringMatching(/^no \(1 error/),
    });
    // context "." without a .dockerignore: a warning, still ready
    expect(row('Services with Dockerfiles', 'web')['multi-arch ready']).toBe(
      'yes (0 errors, 1 warning)\nwarning services/web/Dockerfile:1 [root-context-no-dockerignore]',
    );
  });

  it('readiness uses the findings docker-lint wrote for this Dockerfile (registry checks included)', async () => {
    const { tree } = workspace();
    const pinned = {
      rule: 'single-platform-base',
      level: 'error',
      path: 'services/api/Dockerfile',
      line: 1,
      message: 'one platform',
      fix: 'pin the list',
    };
    tree.write('dist/lint/services/api.json', JSON.stringify([pinned]));
    expect((await page(tree)).row('Services with Dockerfiles', 'api')['multi-arch ready']).toBe(
      'no (1 error, 0 warnings)\nerror services/api/Dockerfile:1 [single-platform-base]',
    );

    // findings written for another Dockerfile (an outputPath shared by hand, say) are not this one's
    tree.write('dist/lint/services/api.json', JSON.stringify([{ ...pinned, path: 'services/other/Dockerfile' }]));
    expect((await page(tree)).row('Services with Dockerfiles', 'api')['multi-arch ready']).toBe('yes (0 errors, 0 warnings)');
  });

  it('verification: build date, platforms, index and platform digests, push and verify dates, references, result', async () => {
    const { tree, api, broken, web } = workspace();
    const { row } = await page(tree);
    expect(row('Verification', 'api')).toEqual({
      project: 'api',
      'last build': '2026-01-02T03:04:05.000Z (image created)',
      platforms: 'linux/amd64, linux/arm64',
      'index digest': `\`${api.index.digest}\``,
      'platform digests': api.platforms.map((p) => `${p.platform}: \`${p.digest}\``).join('\n'),
      'last push + verify': '2026-01-03T10:00:00.000Z\narm64: 2026-01-03T09:00:00.000Z',
      'pushed references': '127.0.0.1:5000/acme/api:v1\narm64: 127.0.0.1:5000/acme/api:v1-arm64',
      'verify result': 'ok (index)\narm64: ok (platform)',
    });
    // read from the overridden outputPath; never pushed
    expect(row('Verification', 'broken')).toMatchObject({
      'index digest': `\`${broken.index.digest}\``,
      'last push + verify': 'not pushed',
      'verify result': '—',
    });
    expect(row('Verification', 'legacy')).toMatchObject({ 'last build': 'not built', 'last push + verify': 'not pushed (deprecated)' });
    expect(row('Verification', 'web')).toMatchObject({
      platforms: 'linux/amd64',
      'index digest': `\`${web.index.digest}\``,
      'verify result': 'failed: 127.0.0.1:5000/acme/web:v1 lacks linux/arm64',
    });
  });

  it('verification: a push of an older build says so; ok: false without problems is a failure; a single-arch fallback names what was pushed', async () => {
    const { tree, api } = workspace();
    pushRecord(tree, 'api', api, { digest: sha('older index') });
    tree.delete('dist/push-records/services/api.arm64.json');
    pushRecord(tree, 'broken', api, { ok: false });
    pushRecord(tree, 'web', api, { mode: 'single', platforms: [{ platform: 'linux/amd64', digest: api.platforms[0].digest }] });
    const { row } = await page(tree);
    expect(row('Verification', 'api')['verify result']).toBe(
      `ok (index), but the current build's index is \`${api.index.digest}\`, the registry's \`${sha('older index')}\`: push again`,
    );
    expect(row('Verification', 'broken')['verify result']).toBe('failed: the record says ok: false');
    expect(row('Verification', 'web')['verify result']).toBe('ok (single): the registry refused the list, only linux/amd64 was pushed');
  });

  it('registry storage counts every distinct blob once: index, manifests, configs, and layers shared by platforms', () => {
    const { tree, api } = workspace();
    const manifests = api.platforms.reduce((sum, p) => sum + p.manifestSize, 0);
    const expected = api.index.size + manifests + 1500 + 1600 + 700_000 + 30_000 + 40_000;
    expect(registryStorage(tree, 'dist/images/services/api/oci')).toEqual({ bytes: expected });
    // less than the per-arch sizes added up, by the shared base layer
    expect(api.platforms[0].size + api.platforms[1].size - expected).toBe(700_000 - api.index.size);
  });

  it('performance: measured or estimated single-arch seconds, multi-arch seconds, ratio, sizes, index size, registry storage', async () => {
    const { tree, api, broken } = workspace();
    const { row } = await page(tree);
    const storage = registryStorage(tree, 'dist/images/services/api/oci').bytes!;
    expect(row('Performance', 'api')).toEqual({
      project: 'api',
      'single-arch seconds': '6.0 (measured: amd64 per-arch build)',
      'multi-arch seconds': '20.0',
      'multi/single': '3.33',
      'size per arch': api.platforms.map((p) => `${p.platform}: ${formatSize(p.size)}`).join('\n'),
      'manifest list size': `${api.index.size} B`,
      'registry storage': formatSize(storage),
    });
    expect(row('Performance', 'broken')).toMatchObject({
      'single-arch seconds': '9.0 (estimated: slowest platform of the multi-arch build, linux/arm64)',
      'multi-arch seconds': '10.0',
      'multi/single': '1.11',
      'manifest list size': `${broken.index.size} B`,
    });
    // web's record has no per-platform seconds and no per-arch build: nothing to compare with
    expect(row('Performance', 'web')).toMatchObject({ 'single-arch seconds': '—', 'multi-arch seconds': '2.0', 'multi/single': '—' });
    expect(row('Performance', 'legacy')).toMatchObject({ 'multi-arch seconds': '—', 'registry storage': '—' });
  });

  it('the per-arch build of another arch does not count as the host one', async () => {
    const { tree } = workspace();
    await statusGenerator(tree, {}, { hostArch: 'arm64' });
    const { Performance } = parsePageTables(tree.read(DEFAULT_OUTPUT, 'utf-8')!);
    expect(Performance[0]['single-arch seconds']).toBe('12.5 (estimated: slowest platform of the multi-arch build, linux/arm64)');
  });

  it('an incomplete OCI layout makes registry storage unknown, naming the missing blob', async () => {
    const { tree, api } = workspace();
    tree.delete(blob('dist/images/services/api/oci', api.platforms[1].digest));
    const { row } = await page(tree);
    expect(row('Performance', 'api')['registry storage']).toBe(
      `unknown: ${blob('dist/images/services/api/oci', api.platforms[1].digest)} is missing from the layout`,
    );
  });

  it('--check fails after writing, listing non-deprecated services that are not ready (file:line) or whose last verify failed', async () => {
    const { tree } = workspace();
    const { callback, text } = await page(tree, { check: true });
    expect(text).toContain('## Performance');
    let error: unknown;
    try {
      await callback();
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(StatusCheckError);
    expect((error as StatusCheckError).problems).toEqual([
      expect.stringMatching(/^broken: not multi-arch ready:\n {4}services\/broken\/Dockerfile:2: \[hardcoded-arch\] /),
      'web: last verify failed (dist/push-records/services/web.json): 127.0.0.1:5000/acme/web:v1 lacks linux/arm64',
    ]);
    expect((error as Error).message).toContain(`2 problems (details in ${DEFAULT_OUTPUT})`);
    expect((error as Error).message).not.toContain('legacy');
  });

  it('--check passes once the errors are fixed and the verify passes; without --check nothing fails', async () => {
    const { tree, web } = workspace();
    await expect(page(tree).then(({ callback }) => callback())).resolves.toBeUndefined();
    tree.write('services/broken/Dockerfile', CLEAN);
    pushRecord(tree, 'web', web);
    const { callback } = await page(tree, { check: true });
    expect(() => callback()).not.toThrow();
    expect(logger.info).toHaveBeenCalledWith(expect.stringContaining('--check: every service'));
  });

  it('is deterministic: the same facts in any order give the same page, a second run writes nothing, no generation time', async () => {
    const { tree, projects } = workspace();
    const first = (await page(tree)).text;
    expect(tree.listChanges().some((c) => c.path === DEFAULT_OUTPUT)).toBe(true);
    expect(first).not.toMatch(/generated (at|on)/i);

    const reversed = createTreeWithEmptyWorkspace({ formatter: 'none' });
    for (const change of tree.listChanges()) if (change.content) reversed.write(change.path, change.content);
    reversed.delete(DEFAULT_OUTPUT);
    useGraph([...projects].reverse());
    await statusGenerator(reversed, {}, { hostArch: 'amd64' });
    expect(reversed.read(DEFAULT_OUTPUT, 'utf-8')).toBe(first);

    const callback = await statusGenerator(tree, {}, { hostArch: 'amd64' });
    expect(tree.read(DEFAULT_OUTPUT, 'utf-8')).toBe(first);
    callback();
    expect(logger.info).toHaveBeenCalledWith(`${DEFAULT_OUTPUT} is up to date (4 services).`);
  });

  it('--output moves the page; a path outside the workspace is refused', async () => {
    const { tree } = workspace();
    await page(tree, { output: './reports/status.md' });
    expect(tree.exists('reports/status.md')).toBe(true);
    expect(tree.exists(DEFAULT_OUTPUT)).toBe(false);
    await expect(statusGenerator(tree, { output: '../outside.md' })).rejects.toThrow('--output must be a file inside the workspace');
  });

  it('takes the projects from the project graph, not the tree: matched by executor, any target name, targets as the graph has them', async () => {
    const { tree, projects } = workspace();
    // bare: only the graph knows it (no project.json), its build target is called "image" and writes to {projectRoot}/out
    tree.write('docker/bare.Dockerfile', CLEAN);
    const bare: StatusProject = {
      name: 'bare',
      root: 'apps/bare',
      tags: [],
      targets: {
        image: {
          executor: 'nx-multiarch:docker-build',
          options: { dockerfile: 'docker/bare.Dockerfile', context: 'apps/bare', outputPath: '{projectRoot}/out' },
        },
        other: { executor: 'nx:run-commands' },
      },
    };
    const notDocker: StatusProject = { name: 'tool', root: 'tools/tool', tags: [], targets: { build: { executor: 'nx:run-commands' } } };
    const bareBuild = writeBuild(tree, 'apps/bare/out', 'bare', [{ platform: 'linux/amd64', config: 10, layers: [['bare', 20]] }]);
    // web, broken and legacy have project.json and a Dockerfile in the tree but are not in this graph: not on the page
    useGraph([notDocker, bare, projects[0]]);
    await statusGenerator(tree, {}, { hostArch: 'amd64' });
    expect(graphMock).toHaveBeenCalledTimes(1);
    expect(graphMock).toHaveBeenCalledWith({ exitOnError: false });
    const tables = parsePageTables(tree.read(DEFAULT_OUTPUT, 'utf-8')!);
    expect(tables['Services with Dockerfiles'].map((row) => row.project)).toEqual(['api', 'bare']);
    expect(tables['Services with Dockerfiles'][1]).toEqual({
      project: 'bare',
      Dockerfile: '`docker/bare.Dockerfile`',
      targets: 'inferred: image',
      'multi-arch ready': 'yes (0 errors, 0 warnings)',
      deprecated: 'no',
    });
    expect(tables.Verification[1]['index digest']).toBe(`\`${bareBuild.index.digest}\``);
  });

  it('a project graph that cannot be created fails the generator, naming the cause, and nothing is written', async () => {
    const { tree } = workspace();
    graphMock.mockRejectedValue(new Error('Failed to process project graph: services/api/project.json is not valid JSON'));
    await expect(statusGenerator(tree, {}, { hostArch: 'amd64' })).rejects.toThrow(
      'The status page lists the projects of the project graph, and it could not be created: ' +
        'Failed to process project graph: services/api/project.json is not valid JSON',
    );
    expect(tree.exists(DEFAULT_OUTPUT)).toBe(false);
  });
});
