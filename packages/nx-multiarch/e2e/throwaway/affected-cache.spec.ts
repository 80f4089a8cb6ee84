/**
 * Affected-only, cache-correct builds on a throwaway workspace (tools/fixtures/matrix-workspace.ts): six services in
 * both layouts sharing two libs. Real nx, real podman, the real registry; nothing is faked.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa, SYNC_LIMITS } from '../processes';
import { createMatrixWorkspace, MATRIX_SERVICES } from '../../../../tools/fixtures/matrix-workspace';
import { cloneWorkspace, isolatedStorage } from '../../../../tools/fixtures/workspace-kit';
import type { ImageRecord } from '../../src/image/record';
import { fileInImage, NX_BIN, remoteRaw, requireRealParts, RUN_ID } from '../harness';
import { describeIndex } from '../../src/image/oci-layout';
import { startRemoteCache, type RemoteCache } from '../remote-cache-server';

jest.setTimeout(20 * 60 * 1000);

const cloneA = mkdtempSync(join(tmpdir(), 'nx-multiarch-a-'));
let remoteCache: RemoteCache;

/** Each clone keeps its own local cache and workspace data; what they share is the remote cache. */
function cloneEnv(dir: string): Record<string, string> {
  return {
    NX_DAEMON: 'false', NX_TUI: 'false', NX_NO_CLOUD: 'true', CI: 'true',
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
}

async function nxIn(dir: string, args: string[], extraEnv: Record<string, string> = {}): Promise<TaskRun> {
  const result = await execa(NX_BIN, [...args, '--outputStyle=static', '--parallel=2'], { cwd: dir, env: { ...cloneEnv(dir), ...extraEnv }, all: true, reject: false });
  const output = String(result.all).replace(/\x1b\[[0-9;]*m/g, '');
  const tasks = [...output.matchAll(/^> nx run (\S+?):(\S+)(.*)$/gm)].map(([, project, target, rest]) => ({ project, target, hit: /local cache|remote cache|existing outputs match/.test(rest) }));
  const builds = tasks.filter((t) => t.target === 'docker-build');
  return {
    exitCode: result.exitCode ?? 1,
    output,
    ran: [...new Set(builds.map((t) => t.project))].sort(),
    misses: [...new Set(builds.filter((t) => !t.hit).map((t) => t.project))].sort(),
  };
}

const record = (dir: string, root: string): ImageRecord => JSON.parse(readFileSync(join(dir, 'dist', 'images', root, 'image.json'), 'utf8'));
const git = (dir: string, ...args: string[]) => execFileSync('git', args, { cwd: dir, encoding: 'utf8', ...SYNC_LIMITS });

beforeAll(async () => {
  await requireRealParts();
  remoteCache = await startRemoteCache();
  createMatrixWorkspace(cloneA);
  const baseline = await nxIn(cloneA, ['run-many', '-t', 'docker-build']);
  if (baseline.exitCode !== 0) throw new Error(`baseline build failed:\n${baseline.output}`);
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
  ['a lib its Dockerfile copies', edit('libs/common/common.txt', 'v2\n'), ['libs/common/common.txt'], ['svc-c', 'svc-d'], ['svc-c', 'svc-d']],
  ['a lib it does not copy (svc-c and svc-d do not copy proto)', edit('libs/proto/proto.txt', 'v2\n'), ['libs/proto/proto.txt'], ['svc-e'], ['svc-e']],
  // svc-b builds FROM base-image, so base-image's build runs first: restored from the cache.
  ['the Dockerfile', edit('services/svc-b/Dockerfile', 'LABEL x=y\n'), ['services/svc-b/Dockerfile'], ['base-image', 'svc-b'], ['svc-b']],
  ['a central Dockerfile', edit('docker/svc-e.Dockerfile', 'LABEL x=y\n'), ['docker/svc-e.Dockerfile'], ['svc-e'], ['svc-e']],
  ['a build arg', setJson('services/svc-a/project.json', (j) => { j.targets = { 'docker-build': { options: { buildArgs: { BASE_IMAGE: FIXTURE, GREETING: 'hola' } } } }; }), ['services/svc-a/project.json'], ['svc-a'], ['svc-a']],
  ['the target stage', setJson('apps/svc-d/project.json', (j) => { j.targets = { 'docker-build': { options: { target: 'debug' } } }; }), ['apps/svc-d/project.json'], ['svc-d'], ['svc-d']],
  ['an unrelated README', edit('README.md', 'more\n'), ['README.md'], [], []],
  ['the root .dockerignore (workspace-root context)', edit('.dockerignore', 'nothing-here\n'), ['.dockerignore'], ['svc-c', 'svc-d', 'svc-e'], ['svc-c', 'svc-d', 'svc-e']],
  ['a base-image project (svc-b builds FROM it)', edit('services/base-image/src/base.txt', 'v2\n'), ['services/base-image/src/base.txt'], ['base-image', 'svc-b'], ['base-image', 'svc-b']],
  ['a lockfile the Dockerfile copies', edit('deps.lock', 'v2\n'), ['deps.lock'], ['svc-c'], ['svc-c']],
  // Nx itself hashes nx.json into every task, so any edit there rebuilds everything (an Nx limit, see README).
  ['plugin options in nx.json (labels)', setJson('nx.json', (j) => { j.plugins[0].options.labels = { team: 'platform' }; }), ['nx.json'], MATRIX_SERVICES, MATRIX_SERVICES],
];

describe('nx affected -t docker-build: exactly what changed is rebuilt', () => {
  it.each(rows)('%s', async (_name, change, files, ran, misses) => {
    change(cloneA);
    try {
      const result = await nxIn(cloneA, ['affected', '-t', 'docker-build', `--files=${files.join(',')}`]);
      expect({ exitCode: result.exitCode, tail: result.exitCode === 0 ? '' : result.output.slice(-3000) }).toEqual({ exitCode: 0, tail: '' });
      expect({ ran: result.ran, misses: result.misses }).toEqual({ ran, misses });
    } finally {
      git(cloneA, 'checkout', '--', '.');
    }
  });

  it('PLATFORMS rebuilds every service, and going back restores every one from the cache', async () => {
    const single = await nxIn(cloneA, ['run-many', '-t', 'docker-build'], { PLATFORMS: 'linux/amd64' });
    expect(single.misses).toEqual(MATRIX_SERVICES);
    expect(record(cloneA, 'services/svc-a').platforms.map((p) => p.platform)).toEqual(['linux/amd64']);
    const back = await nxIn(cloneA, ['run-many', '-t', 'docker-build']);
    expect({ ran: back.ran, misses: back.misses }).toEqual({ ran: MATRIX_SERVICES, misses: [] });
    expect(record(cloneA, 'services/svc-a').platforms.map((p) => p.platform)).toEqual(['linux/amd64', 'linux/arm64']);
  });
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
    expect((await nxIn(cloneA, clean)).exitCode).toBe(0);
    const first = record(cloneA, 'services/svc-f');
    expect((await nxIn(cloneA, clean)).exitCode).toBe(0);
    const second = record(cloneA, 'services/svc-f');
    expect(second.index.digest).toBe(first.index.digest);
    expect(second.platforms.map((p) => p.digest)).toEqual(first.platforms.map((p) => p.digest));

    edit('services/svc-f/src/app.sh', '#')(cloneA);
    try {
      expect((await nxIn(cloneA, clean)).exitCode).toBe(0);
      const changed = record(cloneA, 'services/svc-f');
      expect(changed.index.digest).not.toBe(first.index.digest);
      for (const platform of changed.platforms) expect(platform.digest).not.toBe(first.platforms.find((p) => p.platform === platform.platform)!.digest);
    } finally {
      git(cloneA, 'checkout', '--', '.');
      await nxIn(cloneA, ['run', 'svc-f:docker-build', '--skip-nx-cache']);
    }
  });
});

afterAll(async () => {
  await remoteCache?.close();
});

describe('push from a cache hit in another clone', () => {
  it('clone B, sharing only the (remote) Nx cache and with an empty engine store, pushes exactly clone A digests without building', async () => {
    const cloneB = mkdtempSync(join(tmpdir(), 'nx-multiarch-b-'));
    cloneWorkspace(cloneA, cloneB);
    // An engine store of its own, empty: if anything tried to build, it would have no layers to reuse.
    const result = await nxIn(cloneB, ['run', 'svc-c:docker-push', `--imageName=${RUN_ID}-cache/{projectName}`, '--tag=from-cache'], isolatedStorage());
    expect(result.exitCode).toBe(0);
    expect(result.ran).toEqual(['svc-c']);
    expect(result.misses).toEqual([]);
    expect(remoteCache.hits.length).toBeGreaterThan(0);
    const local = record(cloneA, 'apps/svc-c');
    expect(record(cloneB, 'apps/svc-c')).toEqual(local);
    const remote = await remoteRaw(`127.0.0.1:5000/${RUN_ID}-cache/svc-c:from-cache`);
    expect(describeIndex(remote.json).map((p) => p.digest).sort()).toEqual(local.platforms.map((p) => p.digest).sort());
  });
});
