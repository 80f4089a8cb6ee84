/**
 * The docker engine end to end through nx, with a stand-in for docker: docker buildx cannot be installed on these
 * machines (no Debian 12 package, no downloads), so `docker` is tools/fixtures/docker-stand-in.ts first on PATH. It
 * records its command lines and writes what buildx would (an OCI layout for `buildx build --output type=oci`, a
 * manifest list in the registry for `imagetools create`); everything else is real: nx, the plugin's executors, skopeo
 * and the registry on 127.0.0.1:5000. So this proves the commands the plugin gives docker and that its flow around them
 * (build output, push, verification, per-arch stitch, KIND load) works; it does not prove what BuildKit builds.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { SYNC_LIMITS } from '../processes';
import { writeDockerStandIn, type DockerStandIn } from '../../../../tools/fixtures/docker-stand-in';
import { commitAll, installPlugin, writeFiles } from '../../../../tools/fixtures/workspace-kit';
import { hostPlatform } from '../../src/image/platform';
import type { ImageRecord } from '../../src/image/record';
import { REGISTRY, remoteRaw, requireRealParts, RUN_ID, runNx, runNxOk, tempDir, type NxOptions } from '../harness';

// Measured here on 2 cores: 27-34 s for the whole file (seven nx commands), the longest test 10-16 s; CI machines are up
// to 3.5x slower: about 3x of that.
jest.setTimeout(180_000);

const dir = tempDir('nx-multiarch-docker-');
const bin = tempDir('nx-multiarch-docker-bin-');
const NAMESPACE = `${RUN_ID}-docker`;
const NAME = `${REGISTRY}/${NAMESPACE}/api`;
let docker: DockerStandIn;
let epoch: string;

const KIND_LOG = join(bin, 'kind-calls');
const kindCalls = () =>
  existsSync(KIND_LOG)
    ? readFileSync(KIND_LOG, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((line) => JSON.parse(line) as string[])
    : [];

/** nx in the workspace, the stand-ins first on PATH, a cache folder of its own. */
const inWorkspace = (env: Record<string, string>): NxOptions => ({
  cwd: dir,
  env: { IMAGE_TAG: 'v1', PATH: `${bin}${delimiter}${process.env.PATH}`, NX_CACHE_DIRECTORY: join(dir, '.nx', 'own-cache'), ...env },
  staticOutput: true,
  stripAnsi: true,
  timeout: 170_000,
});
const nxIn = (args: string[], env: Record<string, string> = {}) => runNx(args, inWorkspace(env));
const nxOk = async (args: string[], env: Record<string, string> = {}) => (await runNxOk(args, inWorkspace(env))).output;

const record = (root: string, base = 'dist/images'): ImageRecord => JSON.parse(readFileSync(join(dir, base, root, 'image.json'), 'utf8'));
const calls = (match: (argv: string[]) => boolean) => docker.calls().filter((call) => match(call.argv));
const platformsOf = (list: { manifests: Array<{ platform: { os: string; architecture: string } }> }) =>
  list.manifests.map((m) => `${m.platform.os}/${m.platform.architecture}`);

beforeAll(async () => {
  await requireRealParts(['skopeo', 'git']);
  docker = writeDockerStandIn(bin, { registry: true });
  writeFileSync(
    join(bin, 'kind'),
    `#!${process.execPath}\n// kind stand-in (no kind binary on these machines)\nrequire('node:fs').appendFileSync(${JSON.stringify(KIND_LOG)}, JSON.stringify(['kind', ...process.argv.slice(2)]) + '\\n');\n`,
  );
  chmodSync(join(bin, 'kind'), 0o755);
  installPlugin(dir);
  writeFiles(dir, {
    '.gitignore': 'node_modules\ndist\n.nx\n',
    'nx.json': `${JSON.stringify({ plugins: [{ plugin: 'nx-multiarch', options: { registry: REGISTRY, imageName: `${NAMESPACE}/{projectName}`, engine: 'docker' } }] }, null, 2)}\n`,
    'services/api/project.json': JSON.stringify({ name: 'api' }),
    'services/api/Dockerfile': 'FROM scratch\nCOPY www/ /www/\n',
    'services/api/www/index.html': 'api\n',
    'services/attested/project.json': JSON.stringify({ name: 'attested', targets: { 'docker-build': { options: { provenance: true } } } }),
    'services/attested/Dockerfile': 'FROM scratch\nCOPY www/ /www/\n',
    'services/attested/www/index.html': 'attested\n',
  });
  commitAll(dir, 'docker stand-in workspace');
  epoch = execFileSync('git', ['log', '-1', '--format=%ct'], { cwd: dir, encoding: 'utf8', ...SYNC_LIMITS }).trim();
}, 120_000);

describe('docker stand-in: engine docker through nx (no buildx on these machines)', () => {
  it('docker-push builds with buildx into an OCI layout, pushes it with skopeo and verifies it in the registry; provenance attestations go along', async () => {
    await nxOk(['run-many', '-t', 'docker-push', '-p', 'api,attested']);
    const builds = calls((argv) => argv[2] === 'build');
    expect(builds).toHaveLength(2);
    for (const [project, provenance] of [
      ['api', 'false'],
      ['attested', 'true'],
    ]) {
      const build = builds.find((call) => call.argv.at(-1) === join(dir, 'services', project))!;
      expect(build.argv.slice(0, 8)).toEqual([
        'docker',
        'buildx',
        'build',
        '--platform',
        'linux/amd64,linux/arm64',
        `--provenance=${provenance}`,
        '--output',
        expect.stringMatching(
          new RegExp(
            `^type=oci,dest=${dir}/dist/images/services/${project}\\.partial-\\S+/oci,tar=false,name=latest,rewrite-timestamp=true$`,
          ),
        ),
      ]);
      expect(build.argv.slice(8, 10)).toEqual(['--file', join(dir, 'services', project, 'Dockerfile')]);
      expect(build.SOURCE_DATE_EPOCH).toBe(epoch);
    }
    expect(calls((argv) => argv[2] === 'version')).toHaveLength(2);

    const api = record('services/api');
    expect(api.engine).toEqual({ name: 'docker', version: '0.12.1' });
    const pushed = await remoteRaw(`${NAME}:v1`);
    expect(pushed.digest).toBe(api.index.digest);
    expect(platformsOf(pushed.json)).toEqual(['linux/amd64', 'linux/arm64']);

    const attested = await remoteRaw(`${REGISTRY}/${NAMESPACE}/attested:v1`);
    expect(attested.digest).toBe(record('services/attested').index.digest);
    expect(platformsOf(attested.json)).toEqual(['linux/amd64', 'linux/arm64', 'unknown/unknown', 'unknown/unknown']);
    for (const project of ['api', 'attested']) {
      expect(JSON.parse(readFileSync(join(dir, 'dist/push-records/services', `${project}.json`), 'utf8'))).toMatchObject({ ok: true });
    }
  });

  it('per-arch pushes, then docker-manifest stitches them with buildx imagetools create and verifies the list', async () => {
    const env = { IMAGE_TAG: 'v2' };
    await nxOk(['run', 'api:docker-push', '-c', 'amd64'], env);
    await nxOk(['run', 'api:docker-push', '-c', 'arm64'], env);
    expect(
      calls((argv) => argv[2] === 'build')
        .slice(-2)
        .map((call) => call.argv.slice(3, 5)),
    ).toEqual([
      ['--platform', 'linux/amd64'],
      ['--platform', 'linux/arm64'],
    ]);
    const amd64 = (await remoteRaw(`${NAME}:v2-amd64`)).digest;
    const arm64 = (await remoteRaw(`${NAME}:v2-arm64`)).digest;
    expect(amd64).toBe(record('services/api', 'dist/images-per-arch/amd64').platforms[0].digest);

    await nxOk(['run', 'api:docker-manifest'], env);
    expect(calls((argv) => argv.includes('imagetools')).map((call) => call.argv)).toEqual([
      ['docker', 'buildx', 'imagetools', 'create', '--tag', `${NAME}:v2`, `${NAME}@${amd64}`, `${NAME}@${arm64}`],
    ]);
    const list = await remoteRaw(`${NAME}:v2`);
    expect(list.json.manifests.map((m: { digest: string }) => m.digest)).toEqual([amd64, arm64]);
    const pushRecord = JSON.parse(readFileSync(join(dir, 'dist/push-records/services/api.json'), 'utf8'));
    expect(pushRecord).toMatchObject({ ok: true, mode: 'stitched', digest: list.digest, references: [`${NAME}:v2`] });
  });

  it('docker-build-single --kind=dev builds the host platform with --load, saves it with docker save and hands that archive to kind load', async () => {
    await nxOk(['run', 'api:docker-build-single', '--kind=dev']);
    const single = calls((argv) => argv.includes('--load'));
    expect(single.map((call) => call.argv.slice(0, 9))).toEqual([
      ['docker', 'buildx', 'build', '--platform', hostPlatform(), '--provenance=false', '--load', '--tag', `${NAME}:v1`],
    ]);
    const [save] = calls((argv) => argv[1] === 'save');
    expect(save.argv).toEqual([
      'docker',
      'save',
      '--output',
      expect.stringMatching(/\/nx-multiarch-kind-[^/]+\/image\.tar$/),
      `${NAME}:v1`,
    ]);
    expect(kindCalls()).toEqual([
      ['kind', 'version'],
      ['kind', 'load', 'image-archive', save.argv[3], '--name', 'dev'],
    ]);
  });

  it('docker-manifest with tlsVerify: false for a registry that is not localhost fails before anything is read or pushed', async () => {
    const before = docker.calls().length;
    const result = await nxIn(['run', 'api:docker-manifest', '--tlsVerify=false'], { IMG: 'registry.example.com/acme/api:v3' });
    expect(result.exitCode).not.toBe(0);
    const message = result.output
      .split('\n')
      .filter((line) => !line.startsWith('> nx run'))
      .join('\n');
    expect(message).toContain('tlsVerify: false is not supported with engine docker for docker-manifest (registry registry.example.com)');
    expect(message).toContain('set "engine": "podman" on the docker-manifest target');
    expect(message).not.toMatch(/skopeo inspect/);
    expect(docker.calls().length).toBe(before);
  });
});
