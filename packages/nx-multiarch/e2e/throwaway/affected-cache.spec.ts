/**
 * Affected-only, cache-correct builds on a throwaway workspace (tools/fixtures/matrix-workspace.ts): six services in
 * both layouts sharing two libs. Real nx, real podman, the real registry; nothing is faked. Hits and misses are read
 * twice: from Nx's notes (`[local cache]`) and from the engine (podman's event log, e2e/engine-builds.ts), so a task
 * Nx calls a hit but that ran the engine is caught.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, readFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { execa, SYNC_LIMITS } from '../processes';
import { createMatrixWorkspace, MATRIX_SERVICES } from '../../../../tools/fixtures/matrix-workspace';
import { cloneWorkspace, isolatedStorage } from '../../../../tools/fixtures/workspace-kit';
import type { ImageRecord } from '../../src/image/record';
import { fileInImage, remoteRaw, requireRealParts, RUN_ID, runNx, tasksIn, tempDir } from '../harness';
import { describeIndex } from '../../src/image/oci-layout';
import { startRemoteCache, type RemoteCache } from '../remote-cache-server';
import { engineBuildsDuring, hostStorageDriver, imagesInStore } from '../engine-builds';

jest.setTimeout(20 * 60 * 1000);

const cloneA = tempDir('nx-multiarch-a-');
let remoteCache: RemoteCache;

/** Each clone keeps its own local cache and workspace data; what they share is the remote cache. */
function cloneEnv(dir: string): Record<string, string> {
  return {
    NX_CACHE_DIRECTORY: join(dir, '.nx', 'own-cache'),
    NX_WORKSPACE_DATA_DIRECTORY: join(dir, '.nx', 'own-data'),
    NX_SELF_HOSTED_REMOTE_CACHE_SERVER: remoteCache.url,
  };
}

interface TaskRun {
  exitCode: number;
  output: string;
  ran: string[];
  misses: string[];
  /** the projects whose docker-build ran the engine (podman's event log), sorted; a project built twice is listed twice */
  built: string[];
}

async function nxIn(dir: string, args: string[], extraEnv: Record<string, string> = {}): Promise<TaskRun> {
  const { result, builds } = await engineBuildsDuring(dir, () =>
    runNx(args, { cwd: dir, env: { ...cloneEnv(dir), ...extraEnv }, staticOutput: true, parallel: 2, stripAnsi: true }),
  );
  const tasks = tasksIn(result.output);
  return {
    exitCode: result.exitCode,
    output: result.output,
    ran: [...new Set(tasks.filter((t) => t.target === 'docker-build').map((t) => t.project))].sort(),
    misses: [...new Set(tasks.filter((t) => t.target === 'docker-build' && !t.fromCache).map((t) => t.project))].sort(),
    built: builds.map((build) => basename(build.root)).sort(),
  };
}

const record = (dir: string, root: string): ImageRecord =>
  JSON.parse(readFileSync(join(dir, 'dist', 'images', root, 'image.json'), 'utf8'));
const git = (dir: string, ...args: string[]) =>
  execFileSync('git', ['-c', 'user.email=fixture@example.com', '-c', 'user.name=fixture', ...args], {
    cwd: dir,
    encoding: 'utf8',
    ...SYNC_LIMITS,
  });

beforeAll(async () => {
  await requireRealParts();
  remoteCache = await startRemoteCache();
  createMatrixWorkspace(cloneA);
  const baseline = await nxIn(cloneA, ['run-many', '-t', 'docker-build']);
  if (baseline.exitCode !== 0) throw new Error(`baseline build failed:\n${baseline.output}`);
  if (baseline.built.join() !== MATRIX_SERVICES.join())
    throw new Error(`baseline: the engine built [${baseline.built}], not each of [${MATRIX_SERVICES}] once`);
});

type Row = [name: string, change: (dir: string) => void, files: string[], ran: string[], misses: string[]];
const edit = (path: string, text: string) => (dir: string) => appendFileSync(join(dir, path), text);
const setJson = (path: string, update: (json: any) => void) => (dir: string) => {
  const json = JSON.parse(readFileSync(join(dir, path), 'utf8'));
  update(json);
  writeFileSync(join(dir, path), JSON.stringify(json));
};
const FIXTURE = '127.0.0.1:5000/fixtures/busybox:latest';

const rows: Row[] = [
  ["a service's own source", edit('services/svc-a/src/app.sh', '# x\n'), ['services/svc-a/src/app.sh'], ['svc-a'], ['svc-a']],
  ['a file its .dockerignore excludes', edit('services/svc-a/README.md', 'more\n'), ['services/svc-a/README.md'], [], []],
  [
    'a lib its Dockerfile copies',
    edit('libs/common/common.txt', 'v2\n'),
    ['libs/common/common.txt'],
    ['svc-c', 'svc-d'],
    ['svc-c', 'svc-d'],
  ],
  [
    'a lib it does not copy (svc-c and svc-d do not copy proto)',
    edit('libs/proto/proto.txt', 'v2\n'),
    ['libs/proto/proto.txt'],
    ['svc-e'],
    ['svc-e'],
  ],
  // svc-b builds FROM base-image, so base-image's build runs first: restored from the cache.
  ['the Dockerfile', edit('services/svc-b/Dockerfile', 'LABEL x=y\n'), ['services/svc-b/Dockerfile'], ['base-image', 'svc-b'], ['svc-b']],
  ['a central Dockerfile', edit('docker/svc-e.Dockerfile', 'LABEL x=y\n'), ['docker/svc-e.Dockerfile'], ['svc-e'], ['svc-e']],
  [
    'a build arg',
    setJson('services/svc-a/project.json', (j) => {
      j.targets = { 'docker-build': { options: { buildArgs: { BASE_IMAGE: FIXTURE, GREETING: 'hola' } } } };
    }),
    ['services/svc-a/project.json'],
    ['svc-a'],
    ['svc-a'],
  ],
  [
    'the target stage',
    setJson('apps/svc-d/project.json', (j) => {
      j.targets = { 'docker-build': { options: { target: 'debug' } } };
    }),
    ['apps/svc-d/project.json'],
    ['svc-d'],
    ['svc-d'],
  ],
  ['an unrelated README', edit('README.md', 'more\n'), ['README.md'], [], []],
  [
    'the root .dockerignore (workspace-root context)',
    edit('.dockerignore', 'nothing-here\n'),
    ['.dockerignore'],
    ['svc-c', 'svc-d', 'svc-e'],
    ['svc-c', 'svc-d', 'svc-e'],
  ],
  [
    'a base-image project (svc-b builds FROM it)',
    edit('services/base-image/src/base.txt', 'v2\n'),
    ['services/base-image/src/base.txt'],
    ['base-image', 'svc-b'],
    ['base-image', 'svc-b'],
  ],
  ['a lockfile the Dockerfile copies', edit('deps.lock', 'v2\n'), ['deps.lock'], ['svc-c'], ['svc-c']],
  // Nx itself hashes nx.json into every task, so any edit there rebuilds everything (an Nx limit, see README).
  [
    'plugin options in nx.json (labels)',
    setJson('nx.json', (j) => {
      j.plugins[0].options.labels = { team: 'platform' };
    }),
    ['nx.json'],
    MATRIX_SERVICES,
    MATRIX_SERVICES,
  ],
];

describe('nx affected -t docker-build: exactly what changed is rebuilt', () => {
  it.each(rows)(
    '%s',
    async (_name, change, files, ran, misses) => {
      change(cloneA);
      try {
        const result = await nxIn(cloneA, ['affected', '-t', 'docker-build', `--files=${files.join(',')}`]);
        expect({ exitCode: result.exitCode, tail: result.exitCode === 0 ? '' : result.output.slice(-3000) }).toEqual({
          exitCode: 0,
          tail: '',
        });
        // The engine built exactly the misses: a task Nx reports as a hit ran no build.
        expect({ ran: result.ran, misses: result.misses, built: result.built }).toEqual({ ran, misses, built: misses });
      } finally {
        git(cloneA, 'checkout', '--', '.');
      }
    },
    900_000,
  ); // the slowest row (nx.json) took 62-82 s here; CI machines are up to 3.5x slower, so about 3x of that

  it('PLATFORMS rebuilds every service, and going back restores every one from the cache', async () => {
    const single = await nxIn(cloneA, ['run-many', '-t', 'docker-build'], { PLATFORMS: 'linux/amd64' });
    expect({ misses: single.misses, built: single.built }).toEqual({ misses: MATRIX_SERVICES, built: MATRIX_SERVICES });
    expect(record(cloneA, 'services/svc-a').platforms.map((p) => p.platform)).toEqual(['linux/amd64']);
    const back = await nxIn(cloneA, ['run-many', '-t', 'docker-build']);
    expect({ ran: back.ran, misses: back.misses, built: back.built }).toEqual({ ran: MATRIX_SERVICES, misses: [], built: [] });
    expect(record(cloneA, 'services/svc-a').platforms.map((p) => p.platform)).toEqual(['linux/amd64', 'linux/arm64']);
  }, 400_000); // 29-36 s here, x3.5 on a slow machine, x3
});

describe('base images built in the workspace', () => {
  it('svc-b is built FROM the fresh base-image build output, not a registry copy (there is none)', async () => {
    edit('services/base-image/src/base.txt', 'fresh\n')(cloneA);
    try {
      const result = await nxIn(cloneA, ['run', 'svc-b:docker-build']);
      expect(result.exitCode).toBe(0);
      expect(result.output).toContain('Using the fresh build output of base-image as base image');
      for (const image of record(cloneA, 'services/svc-b').platforms) {
        expect((await fileInImage('services/svc-b', image.digest, 'base/base.txt', cloneA)).toString()).toBe('base v1\nfresh\n');
      }
    } finally {
      git(cloneA, 'checkout', '--', '.');
    }
  });
});

describe('reproducible digests', () => {
  it('two clean builds give the same digests; a one-byte source change gives others', async () => {
    const clean = ['run', 'svc-f:docker-build', '--skip-nx-cache', '--extraArgs=--no-cache'];
    expect(await nxIn(cloneA, clean)).toMatchObject({ exitCode: 0, built: ['svc-f'] });
    const first = record(cloneA, 'services/svc-f');
    expect(await nxIn(cloneA, clean)).toMatchObject({ exitCode: 0, built: ['svc-f'] });
    const second = record(cloneA, 'services/svc-f');
    expect(second.index.digest).toBe(first.index.digest);
    expect(second.platforms.map((p) => p.digest)).toEqual(first.platforms.map((p) => p.digest));

    edit('services/svc-f/src/app.sh', '#')(cloneA);
    try {
      expect((await nxIn(cloneA, clean)).exitCode).toBe(0);
      const changed = record(cloneA, 'services/svc-f');
      expect(changed.index.digest).not.toBe(first.index.digest);
      for (const platform of changed.platforms)
        expect(platform.digest).not.toBe(first.platforms.find((p) => p.platform === platform.platform)!.digest);
    } finally {
      git(cloneA, 'checkout', '--', '.');
      await nxIn(cloneA, ['run', 'svc-f:docker-build', '--skip-nx-cache']);
    }
  }, 700_000); // 49-65 s here, x3.5 on a slow machine, x3

  it('after an unrelated commit, a rebuild with no Nx cache in an empty engine store gives the same digests', async () => {
    // Both layouts: svc-a (project-root context) and svc-e (workspace-root context, copies a lib). Not svc-c: clone B
    // below compares its restored svc-c record with clone A's, and a rebuild's record has its own buildSeconds.
    const projects = ['svc-a', 'svc-e'];
    const roots = ['services/svc-a', 'apps/svc-e'];
    const settled = await nxIn(cloneA, ['run-many', '-t', 'docker-build', `--projects=${projects.join(',')}`]);
    expect(settled.exitCode).toBe(0);
    const digests = () =>
      roots.map((root) => {
        const { index, platforms } = record(cloneA, root);
        return { root, index: index.digest, platforms: platforms.map(({ platform, digest }) => ({ platform, digest })) };
      });
    const before = digests();
    const head = git(cloneA, 'rev-parse', 'HEAD').trim();

    // A commit no image copies (a new file outside every Dockerfile's COPY sources), one second later at least, so
    // that a source epoch taken from HEAD rather than from the commit touching the image's inputs would show.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    writeFileSync(join(cloneA, 'NOTES.txt'), 'unrelated\n');
    git(cloneA, 'add', 'NOTES.txt');
    git(cloneA, 'commit', '-q', '-m', 'unrelated');
    expect(git(cloneA, 'rev-parse', 'HEAD').trim()).not.toBe(head);

    // No Nx cache, and an engine store of its own, empty: no layer of an earlier build can be reused. The host's
    // storage driver: on vfs, svc-e's last RUN layer lacked the `run/` directory overlay put in it.
    const driver = await hostStorageDriver();
    const store = isolatedStorage(driver);
    const rebuilt = await nxIn(cloneA, ['run-many', '-t', 'docker-build', `--projects=${projects.join(',')}`, '--skip-nx-cache'], store);
    expect({ exitCode: rebuilt.exitCode, built: rebuilt.built }).toEqual({ exitCode: 0, built: projects });
    expect((await imagesInStore(store)).length).toBeGreaterThan(0); // the build did use that store
    expect(digests()).toEqual(before);

    // A store whose layer cache was filled by a build naming the same base another way (another repository, same
    // layers): podman reuses those steps with that name in their history comments ("FROM <alias>") and in the
    // manifests' base annotations, which src/image/store-traces.ts must drop for the digests to stay the same.
    const alias = `127.0.0.1:5000/${RUN_ID}-alias/busybox:latest`;
    await execa('skopeo', [
      'copy',
      '--all',
      '--src-tls-verify=false',
      '--dest-tls-verify=false',
      'docker://127.0.0.1:5000/fixtures/busybox:latest',
      `docker://${alias}`,
    ]);
    const primed = isolatedStorage(driver);
    expect(await nxIn(cloneA, ['run', 'svc-a:docker-build', '--skip-nx-cache', `--buildArgs.BASE_IMAGE=${alias}`], primed)).toMatchObject({
      exitCode: 0,
      built: ['svc-a'],
    });
    expect(await nxIn(cloneA, ['run', 'svc-a:docker-build', '--skip-nx-cache'], primed)).toMatchObject({ exitCode: 0, built: ['svc-a'] });
    expect(digests()[0]).toEqual(before[0]);
  }, 600_000); // 34-40 s here (22 s, then two builds of svc-a), x3.5 on a slow machine, x3
});

afterAll(async () => {
  await remoteCache?.close();
});

describe('push from a cache hit in another clone', () => {
  it('clone B, sharing only the (remote) Nx cache and with an empty engine store, pushes exactly clone A digests without building', async () => {
    const cloneB = tempDir('nx-multiarch-b-');
    cloneWorkspace(cloneA, cloneB);
    // An engine store of its own, empty: if anything tried to build, it would have no layers to reuse.
    const store = isolatedStorage();
    const result = await nxIn(cloneB, ['run', 'svc-c:docker-push', `--imageName=${RUN_ID}-cache/{projectName}`, '--tag=from-cache'], store);
    expect(result.exitCode).toBe(0);
    expect(result.ran).toEqual(['svc-c']);
    expect(result.misses).toEqual([]);
    // The engine's view: no build of clone B in podman's event log, and its store still holds no image.
    expect(result.built).toEqual([]);
    expect(await imagesInStore(store)).toEqual([]);
    expect(remoteCache.hits.length).toBeGreaterThan(0);
    const local = record(cloneA, 'apps/svc-c');
    expect(record(cloneB, 'apps/svc-c')).toEqual(local);
    const remote = await remoteRaw(`127.0.0.1:5000/${RUN_ID}-cache/svc-c:from-cache`);
    expect(
      describeIndex(remote.json)
        .map((p) => p.digest)
        .sort(),
    ).toEqual(local.platforms.map((p) => p.digest).sort());
  }, 60_000); // 2-3 s here, x3.5 on a slow machine, x3
});
