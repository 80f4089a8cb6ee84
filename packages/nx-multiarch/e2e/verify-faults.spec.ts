/**
 * Verification must fail when the registry serves something else than what was pushed (issue 13). The real registry
 * sits behind the fault proxy (fault-proxy.ts), which lets every push through unchanged and then, for GET/HEAD of the
 * pushed tag, serves a rewritten manifest list: one missing linux/arm64, or one whose arm64 entry is the amd64 image.
 * docker-push and docker-manifest must exit non-zero naming the platform and both digests, write a push record with
 * ok: false, and `nx g nx-multiarch:status --check` must then fail naming the project. Straight from 127.0.0.1:5000
 * the tag is the right list: only the read-back lied.
 *
 * The push records are this workspace's (dist/push-records/services/context-api*.json): they are saved before and put
 * back after, so the main job's status check is not left failing.
 */
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ImageRecord } from '../src/image/record';
import type { PushRecord } from '../src/image/push-record';
import { describeIndex } from '../src/image/oci-layout';
import { startFaultProxy, type Fault, type FaultProxy } from './fault-proxy';
import { nx, readRecordSync, REGISTRY, remoteRaw, requireRealParts, RUN_ID, runNx, workspaceRoot } from './harness';

// measured on 2 cores, each test with its status check: the pushes 4-14 s, the stitch 13-15 s (two runs); about 3x that
const PUSH_TIMEOUT = 45 * 1000;
const STITCH_TIMEOUT = 45 * 1000;
const PROJECT = 'context-api';
const PROJECT_ROOT = 'services/context-api';
const NAMESPACE = `${RUN_ID}-verify`;
const STATUS_OUTPUT = `dist/status-verify-e2e-${RUN_ID}.md`;
const RECORD_FILES = ['', '.amd64', '.arm64'].map((arch) => join(workspaceRoot, 'dist', 'push-records', `${PROJECT_ROOT}${arch}.json`));
const saved = new Map<string, string | undefined>();

let record: ImageRecord;
let amd64: ImageRecord['platforms'][number];
let arm64: ImageRecord['platforms'][number];

beforeAll(
  async () => {
    await requireRealParts(['podman', 'skopeo']);
    for (const path of RECORD_FILES) saved.set(path, existsSync(path) ? readFileSync(path, 'utf8') : undefined);
    const build = await nx(['run', `${PROJECT}:docker-build`]);
    if (build.exitCode !== 0) throw new Error(`${PROJECT} build failed:\n${build.output}`);
    record = readRecordSync(PROJECT_ROOT);
    amd64 = record.platforms.find((p) => p.platform === 'linux/amd64')!;
    arm64 = record.platforms.find((p) => p.platform === 'linux/arm64')!;
    if (!amd64 || !arm64)
      throw new Error(
        `${PROJECT} must be built for linux/amd64 and linux/arm64, image.json lists ${record.platforms.map((p) => p.platform)}`,
      );
  },
  15 * 60 * 1000,
);

afterAll(() => {
  for (const [path, text] of saved) {
    if (text === undefined) rmSync(path, { force: true });
    else writeFileSync(path, text);
  }
  rmSync(join(workspaceRoot, STATUS_OUTPUT), { force: true });
});

const naming = (proxy: FaultProxy, name: string) => [
  `--registry=${proxy.registry}`,
  `--imageName=${NAMESPACE}/${name}/{projectName}`,
  '--tlsVerify=false',
];
const push = (proxy: FaultProxy, name: string, tag: string, extra: string[] = []) =>
  nx(['run', `${PROJECT}:docker-push`, ...naming(proxy, name), `--tag=${tag}`, '--exclude-task-dependencies', ...extra]);
const status = () => runNx(['g', 'nx-multiarch:status', `--output=${STATUS_OUTPUT}`, '--check', '--no-interactive']);
const readPushRecord = (arch = '') =>
  JSON.parse(readFileSync(join(workspaceRoot, 'dist', 'push-records', `${PROJECT_ROOT}${arch}.json`), 'utf8')) as PushRecord;

/** The list with its linux/arm64 entry pointing at the amd64 image (a real manifest of the repository). */
const arm64IsAmd64 = (list: any) => ({
  ...list,
  manifests: list.manifests.map((m: any) =>
    m.platform?.architecture === 'arm64' ? { ...m, digest: amd64.digest, size: amd64.manifestSize } : m,
  ),
});
const withoutArm64 = (list: any) => ({ ...list, manifests: list.manifests.filter((m: any) => m.platform?.architecture !== 'arm64') });

async function withProxy<T>(body: (proxy: FaultProxy) => Promise<T>): Promise<T> {
  const proxy = await startFaultProxy(5000);
  try {
    return await body(proxy);
  } finally {
    await proxy.close();
  }
}

/** Straight from the registry, without the proxy: the tag holds both platforms as built. */
async function expectRegistryHoldsBuild(repository: string, tag: string): Promise<void> {
  const remote = await remoteRaw(`${REGISTRY}/${repository}:${tag}`);
  expect(describeIndex(remote.json).map(({ platform, digest }) => ({ platform, digest }))).toEqual([
    { platform: 'linux/amd64', digest: amd64.digest },
    { platform: 'linux/arm64', digest: arm64.digest },
  ]);
}

async function expectStatusCheckFails(problem: string): Promise<void> {
  const result = await status();
  expect(result.exitCode).not.toBe(0);
  expect(result.output).toContain(`- ${PROJECT}: last verify failed (dist/push-records/${PROJECT_ROOT}.json): `);
  expect(result.output).toContain(problem);
}

describe('verification through a registry that serves another manifest for the pushed tag', () => {
  it(
    'docker-push fails when the arm64 entry has another digest, naming the platform and both digests; ok: false; status --check fails',
    async () => {
      const name = 'arm64-swapped';
      const fault: Fault = { kind: 'serve-other-manifest', rewrite: arm64IsAmd64 };
      const problem = `linux/arm64 is ${amd64.digest}, expected ${arm64.digest}`;
      await withProxy(async (proxy) => {
        proxy.fault = fault;
        const result = await push(proxy, name, 'swapped');
        expect(proxy.firedOn.length).toBeGreaterThan(0);
        expect(proxy.firedOn.every((r) => /^(GET|HEAD) \/v2\/\S+\/manifests\/swapped$/.test(r))).toBe(true);
        expect(result.exitCode).not.toBe(0);
        expect(result.output).toContain(`Verification of ${proxy.registry}/${NAMESPACE}/${name}/${PROJECT}:swapped failed`);
        expect(result.output).toContain(problem);
        expect(result.output).toContain(`index digest is ${proxy.served[0]}, expected ${record.index.digest}`);
        expect(result.output).not.toContain('Pushed and verified');

        const written = readPushRecord();
        expect(written).toMatchObject({
          project: PROJECT,
          ok: false,
          references: [`${proxy.registry}/${NAMESPACE}/${name}/${PROJECT}:swapped`],
        });
        expect(written.problems!.join('\n')).toContain(problem);
      });
      await expectRegistryHoldsBuild(`${NAMESPACE}/${name}/${PROJECT}`, 'swapped');
      await expectStatusCheckFails(problem);
    },
    PUSH_TIMEOUT,
  );

  it(
    'docker-push fails when the list lacks linux/arm64, naming the platform and the served and expected index digests',
    async () => {
      const name = 'arm64-missing';
      await withProxy(async (proxy) => {
        proxy.fault = { kind: 'serve-other-manifest', rewrite: withoutArm64 };
        const result = await push(proxy, name, 'missing');
        expect(proxy.fired).toBeGreaterThan(0);
        expect(result.exitCode).not.toBe(0);
        const reference = `${proxy.registry}/${NAMESPACE}/${name}/${PROJECT}:missing`;
        expect(result.output).toContain(`${reference} lacks linux/arm64`);
        expect(proxy.served[0]).not.toBe(record.index.digest);
        expect(result.output).toContain(`${reference} index digest is ${proxy.served[0]}, expected ${record.index.digest}`);

        const written = readPushRecord();
        expect(written).toMatchObject({ project: PROJECT, ok: false, references: [reference] });
        expect(written.problems!.join('\n')).toContain(`${reference} lacks linux/arm64`);
      });
      await expectRegistryHoldsBuild(`${NAMESPACE}/${name}/${PROJECT}`, 'missing');
      await expectStatusCheckFails('lacks linux/arm64');
    },
    PUSH_TIMEOUT,
  );

  it(
    'docker-manifest fails when the stitched list is read back with the arm64 entry swapped; ok: false; status --check fails',
    async () => {
      const name = 'stitch-swapped';
      const problem = `linux/arm64 is ${amd64.digest}, expected ${arm64.digest}`;
      await withProxy(async (proxy) => {
        // the per-arch tags, as docker-push -c amd64 / -c arm64 push them (from the multi-arch build output here)
        for (const platform of ['linux/amd64', 'linux/arm64']) {
          const perArch = await push(proxy, name, 'stitched', [`--platform=${platform}`]);
          expect(`${platform}: ${perArch.exitCode}`).toBe(`${platform}: 0`);
        }
        expect(proxy.fired).toBe(0);
        proxy.fault = { kind: 'serve-other-manifest', rewrite: arm64IsAmd64, match: /\/manifests\/stitched$/ };
        const result = await nx([
          'run',
          `${PROJECT}:docker-manifest`,
          ...naming(proxy, name),
          '--tag=stitched',
          '--platforms=linux/amd64,linux/arm64',
        ]);
        expect(proxy.firedOn.length).toBeGreaterThan(0);
        expect(proxy.firedOn.every((r) => /^(GET|HEAD) \/v2\/\S+\/manifests\/stitched$/.test(r))).toBe(true);
        expect(result.exitCode).not.toBe(0);
        expect(result.output).toContain(`Verification of ${proxy.registry}/${NAMESPACE}/${name}/${PROJECT}:stitched failed`);
        expect(result.output).toContain(problem);
        expect(result.output).not.toContain('Stitched and verified');

        const written = readPushRecord();
        expect(written).toMatchObject({
          project: PROJECT,
          mode: 'stitched',
          ok: false,
          references: [`${proxy.registry}/${NAMESPACE}/${name}/${PROJECT}:stitched`],
        });
        expect(written.problems!.join('\n')).toContain(problem);
      });
      await expectRegistryHoldsBuild(`${NAMESPACE}/${name}/${PROJECT}`, 'stitched');
      await expectStatusCheckFails(problem);
    },
    STITCH_TIMEOUT,
  );
});
