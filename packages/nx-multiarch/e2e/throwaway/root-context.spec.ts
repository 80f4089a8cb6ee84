/**
 * The usual Go monorepo (tools/fixtures/go-monorepo-workspace.ts): the workspace root as every image's context, one
 * Dockerfile per service in docker/, each `COPY . .`. Copy-derived project-graph edges must not order builds (they
 * made a cycle), base-image edges must; `nx affected` must reach exactly the images a change can reach. Builds are
 * counted from podman's event log, not from Nx's cache notes. Real nx, real podman, nothing faked.
 */
import { execFileSync } from 'node:child_process';
import { appendFileSync, readFileSync, realpathSync } from 'node:fs';
import { join } from 'node:path';
import { SYNC_LIMITS } from '../processes';
import { createGoMonorepo, FROM_GO_BASE, GO_BASE, GO_SERVICES } from '../../../../tools/fixtures/go-monorepo-workspace';
import { engineBuildsDuring } from '../engine-builds';
import { requireRealParts, runNxOk, tempDir } from '../harness';

const dir = realpathSync(tempDir('nx-multiarch-gomono-'));
const IMAGES = [GO_BASE, ...GO_SERVICES].sort();
const rootOf = (project: string) => (project === GO_BASE ? 'docker/go-base' : `cmd/${project}`);
const projectOf = (root: string) => IMAGES.find((project) => rootOf(project) === root) ?? `unknown root ${root}`;

const nxOk = async (args: string[]) => (await runNxOk(args, { cwd: dir, stripAnsi: true })).output;

/** The projects whose docker-build ran the engine while these nx arguments ran, in the order they finished. */
async function engineBuilds(args: string[]): Promise<{ built: string[]; output: string }> {
  const { result, builds } = await engineBuildsDuring(dir, () =>
    runNxOk(args, { cwd: dir, staticOutput: true, parallel: 2, stripAnsi: true }),
  );
  return { built: builds.map((build) => projectOf(build.root)), output: result.output };
}

const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8'));

beforeAll(async () => {
  await requireRealParts();
  createGoMonorepo(dir);
}, 30_000);

// Timeouts are about 3x what each took on a 2-core machine (at least 10 s: an nx start alone can take 3 s there).

describe('a root-context Go monorepo with COPY . . in every service Dockerfile', () => {
  it('project graph: copy edges to the library every Dockerfile copies, base-image edges to go-base, and none between services', async () => {
    await nxOk(['graph', `--file=${join(dir, 'graph.json')}`]);
    const { graph } = readJson(join(dir, 'graph.json')) as { graph: { dependencies: Record<string, Array<{ target: string }>> } };
    const edges = Object.fromEntries(IMAGES.map((project) => [project, graph.dependencies[project].map((d) => d.target).sort()]));
    expect(edges).toEqual({
      datastorage: ['shared'],
      gateway: [GO_BASE, 'shared'],
      [GO_BASE]: [],
      notification: ['shared'],
      orders: [GO_BASE, 'shared'],
      users: ['shared'],
    });
  }, 10_000);

  it('task graph: docker-build waits for the base image it builds FROM and for nothing else', async () => {
    await nxOk(['run-many', '-t', 'docker-build', `--graph=${join(dir, 'tasks.json')}`]);
    // Nx 24 writes { id } objects, older majors task ids
    const { tasks } = readJson(join(dir, 'tasks.json')) as { tasks: { dependencies: Record<string, Array<string | { id: string }>> } };
    const waits = Object.fromEntries(
      IMAGES.map((project) => [project, tasks.dependencies[`${project}:docker-build`].map((d) => (typeof d === 'string' ? d : d.id))]),
    );
    expect(waits).toEqual(
      Object.fromEntries(IMAGES.map((project) => [project, FROM_GO_BASE.includes(project) ? [`${GO_BASE}:docker-build`] : []])),
    );
  }, 10_000);

  it('nx run-many -t docker-build builds every image (no circular dependency), go-base before the two built FROM it', async () => {
    const { built, output } = await engineBuilds(['run-many', '-t', 'docker-build']);
    expect([...built].sort()).toEqual(IMAGES);
    for (const dependent of FROM_GO_BASE) expect(built.indexOf(GO_BASE)).toBeLessThan(built.indexOf(dependent));
    // podman built both FROM go-base's fresh output, not a registry copy (the registry has none)
    expect(output.split(`Using the fresh build output of ${GO_BASE} as base image`).length - 1).toBe(FROM_GO_BASE.length);
  }, 900_000);
});

// Timeouts: a quiet 2-core machine went past 150 s for the shared library and 75 s for the base with --jobs and the
// bases pulled first (a full run on 2026-12-01); these are about 3x that, for a machine 3x slower.
type Row = [change: string, file: string, affected: string[], built: string[], timeout: number];
const rows: Row[] = [
  ["one service's Dockerfile", 'docker/users.Dockerfile', ['users'], ['users'], 180_000],
  ['README.md, which .dockerignore excludes', 'README.md', [], [], 60_000],
  ['the shared library every Dockerfile copies', 'pkg/shared/shared.go', ['shared', ...GO_SERVICES].sort(), GO_SERVICES, 900_000],
  [
    "the base image's Dockerfile",
    'docker/go-base/Dockerfile',
    [GO_BASE, ...FROM_GO_BASE].sort(),
    [GO_BASE, ...FROM_GO_BASE].sort(),
    600_000,
  ],
];

describe('nx affected: what a change can reach, and exactly those engine builds', () => {
  for (const [change, file, affected, built, timeout] of rows) {
    it(
      `${change} (${file})`,
      async () => {
        appendFileSync(join(dir, file), file.endsWith('.go') ? '// changed\n' : file.endsWith('.md') ? 'more\n' : 'LABEL changed=yes\n');
        try {
          // without a target: Nx's project-level affected (what Nx 20-22, and legacy mode, use for every command)
          const listed = (await nxOk(['show', 'projects', '--affected', `--files=${file}`, '--json'])).trim();
          expect(JSON.parse(listed.slice(listed.indexOf('['))).sort()).toEqual(affected);
          expect((await engineBuilds(['affected', '-t', 'docker-build', `--files=${file}`])).built.sort()).toEqual(built);
        } finally {
          execFileSync('git', ['checkout', '--', '.'], { cwd: dir, ...SYNC_LIMITS });
        }
      },
      timeout,
    );
  }
});
