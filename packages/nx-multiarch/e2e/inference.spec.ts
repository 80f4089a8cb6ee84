/** Inference as Nx itself sees it in this workspace (the real plugin loaded by the real nx CLI). */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describeIndex } from '../src/image/oci-layout';
import { REGISTRY, remoteRaw, requireRealParts, runNx, workspaceRoot } from './harness';

jest.setTimeout(120_000);

async function targetsOf(project: string): Promise<Record<string, { executor: string; dependsOn?: string[] }>> {
  const result = await runNx(['show', 'project', project, '--json'], { ci: false });
  if (result.exitCode !== 0) throw new Error(`nx show project ${project} failed:\n${result.output}`);
  return JSON.parse(result.stdout).targets;
}

it('gateway-service has docker-build, docker-build-single, docker-push, docker-manifest and docker-lint with no target config written', async () => {
  const targets = await targetsOf('gateway-service');
  expect(Object.keys(targets).sort()).toEqual(['docker-build', 'docker-build-single', 'docker-lint', 'docker-manifest', 'docker-push']);
  expect(targets['docker-push'].dependsOn).toEqual(['docker-build']);
  expect(targets['docker-build'].executor).toBe('nx-multiarch:docker-build');
});

it('the deprecated executor-service has no docker-push (nor docker-manifest)', async () => {
  expect(Object.keys(await targetsOf('executor-service')).sort()).toEqual(['docker-build', 'docker-build-single', 'docker-lint']);
});

it('every service Dockerfile in this workspace is multi-arch ready (docker-lint, real nx)', async () => {
  const result = await runNx(['run-many', '-t', 'docker-lint', '--skip-nx-cache', '--outputStyle=static'], { ci: false });
  if (result.exitCode !== 0) throw new Error(`docker-lint failed:\n${result.output}`);
  expect(result.output).toMatch(/gateway-service: multi-arch ready/);
});

it('every service is a project with the build target, and nothing else is', async () => {
  const result = await runNx(['show', 'projects', '--with-target', 'docker-build', '--json'], { ci: false });
  expect(JSON.parse(result.stdout).sort()).toEqual([
    'aianalysis',
    'context-api',
    'data-storage',
    'dynamic-toolset',
    'effectiveness-monitor',
    'executor-service',
    'gateway-service',
    'holmesgpt-api',
    'notification-controller',
    'remediationorchestrator',
    'remediationprocessor',
    'workflowexecution',
  ]);
});

it('docker-lint fails on a Dockerfile that is not multi-arch ready, with file:line findings as JSON', async () => {
  const dockerfile = 'packages/nx-multiarch/src/lint/corpus/goarch-hardcoded.bad.Dockerfile';
  const result = await runNx(
    [
      'run',
      'context-api:docker-lint',
      `--dockerfile=${dockerfile}`,
      '--format=json',
      '--outputPath=dist/lint-e2e/bad.json',
      '--skip-nx-cache',
      '--outputStyle=static',
    ],
    { ci: false },
  );
  expect(result.exitCode).not.toBe(0);
  expect(result.output).toMatch(/context-api: \d+ error\(s\) and \d+ warning\(s\) make the Dockerfile not multi-arch ready/);
  const written = JSON.parse(readFileSync(join(workspaceRoot, 'dist', 'lint-e2e', 'bad.json'), 'utf8')) as Array<{
    rule: string;
    level: string;
    path: string;
    line: number;
  }>;
  expect(written).toContainEqual(expect.objectContaining({ rule: 'hardcoded-arch', level: 'error', path: dockerfile, line: 2 }));
  expect(result.stdout).toContain('"rule": "hardcoded-arch"');
});

it('docker-lint asks the plain-HTTP loopback registry about a digest-pinned base: one platform is an error, the list is fine; checkRegistry: false asks nothing', async () => {
  await requireRealParts(['skopeo']);
  const base = `${REGISTRY}/fixtures/busybox`;
  const list = await remoteRaw(`${base}:latest`);
  const amd64 = describeIndex(list.json).find((image) => image.platform === 'linux/amd64')!.digest;
  const lint = async (from: string, ...extra: string[]) => {
    const dockerfile = `dist/lint-e2e/pinned-${from.slice(-12)}.Dockerfile`;
    mkdirSync(join(workspaceRoot, 'dist', 'lint-e2e'), { recursive: true });
    writeFileSync(join(workspaceRoot, dockerfile), `FROM ${from}\nRUN true\n`);
    const output = `dist/lint-e2e/pinned-${from.slice(-12)}${extra.length > 0 ? '-no-registry' : ''}.json`;
    const result = await runNx(
      [
        'run',
        'context-api:docker-lint',
        `--dockerfile=${dockerfile}`,
        `--outputPath=${output}`,
        ...extra,
        '--skip-nx-cache',
        '--outputStyle=static',
      ],
      { ci: false },
    );
    const rules = (JSON.parse(readFileSync(join(workspaceRoot, output), 'utf8')) as Array<{ rule: string }>).map((finding) => finding.rule);
    return { dockerfile, exitCode: result.exitCode, output: result.output, rules };
  };

  const single = await lint(`${base}@${amd64}`);
  expect(single.output).not.toMatch(/Could not ask the registry/);
  expect(single.rules).toContain('single-platform-base');
  expect(single.exitCode).not.toBe(0);
  // the default format, text: one line per finding, file:line: level [rule] message Fix: fix
  expect(single.output).toMatch(
    new RegExp(`^${single.dockerfile.replace(/[.]/g, '\\.')}:1: error \\[single-platform-base\\] .*${amd64}.* Fix: \\S.*$`, 'm'),
  );
  expect(single.output).not.toContain('"rule": "single-platform-base"');

  const multi = await lint(`${base}@${list.digest}`);
  expect(multi.output).not.toMatch(/Could not ask the registry/);
  expect(multi.rules).not.toContain('single-platform-base');

  // checkRegistry: false: the same single-platform pin is not asked about, so it is not an error
  const unchecked = await lint(`${base}@${amd64}`, '--checkRegistry=false');
  expect(unchecked.rules).not.toContain('single-platform-base');
  expect(unchecked.exitCode).toBe(0);
  expect(unchecked.output).toMatch(/context-api: multi-arch ready/);
});
