/**
 * Every service of this workspace built at once (--parallel=6) on the real engine: no cross-talk between builds (each
 * index holds only its own images), no shared temporary names. And an output folder that can't be written: a clear
 * error, no partial folder, and nothing cached for that task.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { blobPath } from '../src/image/oci-layout';
import type { ImageRecord } from '../src/image/record';
import { CACHE_NOTE, requireRealParts, runNx, workspaceRoot } from './harness';

jest.setTimeout(30 * 60 * 1000);

const OUT = join('dist', 'e2e-parallel');

const nxRun = (args: string[]) => runNx(args, { staticOutput: true });

beforeAll(async () => {
  await requireRealParts(['podman', 'skopeo', 'git']);
});

afterAll(() => rmSync(join(workspaceRoot, OUT), { recursive: true, force: true }));

it('--parallel=6 over every service: each index holds only its own two images, and no two builds share a temporary name', async () => {
  const projects = JSON.parse(
    (await runNx(['show', 'projects', '--with-target', 'docker-build', '--json'], { ci: false })).stdout,
  ) as string[];
  expect(projects.length).toBeGreaterThanOrEqual(12);
  const result = await nxRun(['run-many', '-t', 'docker-build', '--parallel=6', '--skip-nx-cache']);
  if (result.exitCode !== 0) throw new Error(`parallel build failed:\n${result.output}`);

  // One temporary list per build, named after its project; a build podman's pull race made start again (it says so)
  // reuses its own name, so distinct names = projects.
  const workNames = [...new Set([...result.output.matchAll(/--manifest (localhost\/nx-multiarch-work\/\S+)/g)].map((match) => match[1]))];
  expect(workNames.map((name) => name.split('/')[2].split(':')[0]).sort()).toEqual([...projects].sort());

  for (const project of projects) {
    const dir = join(workspaceRoot, 'dist', 'images', 'services', project);
    const record: ImageRecord = JSON.parse(readFileSync(join(dir, 'image.json'), 'utf8'));
    expect(record.project).toBe(project);
    expect(record.platforms.map((p) => p.platform)).toEqual(['linux/amd64', 'linux/arm64']);
    for (const image of record.platforms) {
      const config = JSON.parse(readFileSync(blobPath(join(dir, 'oci'), image.configDigest), 'utf8'));
      expect({ project, title: config.config.Labels['org.opencontainers.image.title'] }).toEqual({ project, title: project });
    }
  }
});

it('an output folder that cannot be written: a clear error naming it, no partial folder, nothing cached', async () => {
  // As root no permission bit stops a write; a file where the output's parent folder should be does.
  const blocker = join(OUT, 'blocker');
  mkdirSync(join(workspaceRoot, OUT), { recursive: true });
  writeFileSync(join(workspaceRoot, blocker), 'not a folder\n');
  const args = ['run', 'context-api:docker-build', `--outputPath=${blocker}/context-api`];
  for (const attempt of [1, 2]) {
    const result = await nxRun(args);
    expect({ attempt, exitCode: result.exitCode === 0 }).toEqual({ attempt, exitCode: false });
    expect(result.output).toContain(`Cannot write the build output under ${join(workspaceRoot, blocker)}`);
    expect(result.output).toContain('set outputPath');
    // the second attempt ran again: a failed build left no cache entry to restore
    expect(result.output).not.toMatch(CACHE_NOTE);
  }
  expect(readdirSync(join(workspaceRoot, OUT)).filter((name) => name.includes('.partial-'))).toEqual([]);
});
