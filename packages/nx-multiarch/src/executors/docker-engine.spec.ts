/**
 * The docker engine through the executors, at command level. docker buildx cannot be installed on these machines, so
 * `docker` here is a stand-in (tools/fixtures/docker-stand-in.ts) first on PATH: it records every command line and
 * writes what buildx would (an OCI layout for --output type=oci), so each executor's real flow runs around it and the
 * tests assert the exact argv and environment a real run gives docker. skopeo's registry reads are answered by a
 * registry in memory (test-registry.ts). What BuildKit itself does with these commands is not tested here (README,
 * "Engines").
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { writeDockerStandIn, type DockerStandIn } from '../../../../tools/fixtures/docker-stand-in';
import { logger } from '../devkit';
import { pathOf } from '../run/path';
import { hostPlatform } from '../image/platform';
import { OCI_MANIFEST } from '../image/oci-layout';
import { FakeRegistry } from '../registry/test-registry';
import type { ImageRecord } from '../image/record';
import { targetsFor } from '../plugin/create-nodes';
import { throwawayWorkspace } from '../plugin/test-workspace';
import dockerBuild from './docker-build/executor';
import dockerBuildSingle from './docker-build-single/executor';
import dockerManifest from './docker-manifest/executor';
import { executorContextsIn } from './test-context';
import { tempDir } from '../../../../tools/fixtures/workspace-kit';

/** Every command an executor started, in order; skopeo goes to the registry in memory, everything else really runs. */
const mockCommands: string[][] = [];
let mockRegistry = new FakeRegistry();
jest.mock('../run/exec', () => {
  const actual = jest.requireActual('../run/exec');
  return {
    ...actual,
    run: jest.fn(async (step: { argv: string[] }, options: unknown) => {
      mockCommands.push(step.argv);
      if (step.argv[0] === 'skopeo') return mockRegistry.answer(step as never);
      const result = await actual.run(step, options);
      const create = step.argv.indexOf('create');
      // What `imagetools create` does to the registry: the stand-in records the command; the list lands in the registry in memory.
      if (step.argv[0] === 'docker' && step.argv[create - 1] === 'imagetools') {
        const args = step.argv.slice(create + 1);
        const tags = args.filter((_, i) => args[i - 1] === '--tag');
        const sources = args.filter((arg, i) => arg !== '--tag' && args[i - 1] !== '--tag');
        const entries = sources.map((source) => {
          const config = JSON.parse(mockRegistry.configs.get(source)!);
          return { platform: `${config.os}/${config.architecture}`, digest: source.split('@')[1] };
        });
        for (const tag of tags) mockRegistry.list(tag.slice(0, tag.lastIndexOf(':')), tag.slice(tag.lastIndexOf(':') + 1), entries);
      }
      return result;
    }),
  };
});

const EPOCH = Date.parse('2024-01-02T03:04:05Z') / 1000;
const REGISTRY = '127.0.0.1:5000';
const NAME = `${REGISTRY}/team/api`;
const options = {
  registry: REGISTRY,
  imageName: 'team/{projectName}',
  engine: 'docker' as const,
  sourceUrl: 'git@github.com:acme/platform.git',
};
const root = throwawayWorkspace({
  'services/api/Dockerfile': 'FROM 127.0.0.1:5000/team/base:latest\nARG APP_VERSION\nCOPY . /app/\nFROM scratch AS production\n',
  'services/api/package.json': '{ "name": "api", "version": "1.2.3" }\n',
  'services/base/Dockerfile': 'FROM scratch\n',
});
const secret = join(tempDir('nx-multiarch-secret-'), 'npmrc');
const projects = Object.fromEntries(
  ['api', 'base'].map((name) => [
    name,
    { root: `services/${name}`, targets: targetsFor(`services/${name}`, { name, tags: [] }, `services/${name}/Dockerfile`, options) },
  ]),
);
const bin = join(root, 'bin');
let docker: DockerStandIn;
let revision: string;
const { PATH } = process.env;
const info = jest.spyOn(logger, 'info').mockImplementation(() => undefined);
const warn = jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
const error = jest.spyOn(logger, 'error').mockImplementation(() => undefined);
const errors = () => error.mock.calls.map((call) => String(call[0])).join('\n');

/** A kind stand-in (no kind binary on these machines) that records its command lines. */
function writeKindStandIn(dir: string): () => string[][] {
  const log = join(dir, 'kind-calls.jsonl');
  writeFileSync(
    join(dir, 'kind'),
    `#!${process.execPath}\nrequire('node:fs').appendFileSync(${JSON.stringify(log)}, JSON.stringify(['kind', ...process.argv.slice(2)]) + '\\n');\nif (process.argv[2] === 'version') console.log('kind v0.0.0-stand-in');\n`,
  );
  chmodSync(join(dir, 'kind'), 0o755);
  return () =>
    existsSync(log)
      ? readFileSync(log, 'utf8')
          .split('\n')
          .filter(Boolean)
          .map((line) => JSON.parse(line))
      : [];
}
let kindCalls: () => string[][];

beforeAll(() => {
  const env = { ...process.env, GIT_COMMITTER_DATE: '2024-01-02T03:04:05Z', GIT_AUTHOR_DATE: '2024-01-02T03:04:05Z' };
  for (const args of [
    ['init', '-q'],
    ['add', '-A'],
    ['-c', 'user.email=t@t', '-c', 'user.name=t', 'commit', '-q', '-m', 'fixture'],
  ])
    execFileSync('git', args, { cwd: root, env });
  revision = execFileSync('git', ['rev-parse', 'HEAD'], { cwd: root, encoding: 'utf8' }).trim();
  writeFileSync(secret, '//registry.npmjs.org/:_authToken=not-a-real-token\n');
  mkdirSync(bin);
  docker = writeDockerStandIn(bin);
  kindCalls = writeKindStandIn(bin);
  process.env.PATH = `${bin}${delimiter}${PATH}`;
});
beforeEach(() => {
  mockCommands.length = 0;
  mockRegistry = new FakeRegistry();
  rmSync(join(bin, 'docker-calls.jsonl'), { force: true });
  rmSync(join(bin, 'kind-calls.jsonl'), { force: true });
  rmSync(join(root, 'dist'), { recursive: true, force: true });
  for (const spy of [info, warn, error]) spy.mockClear();
});
afterAll(() => {
  process.env.PATH = PATH;
  rmSync(root, { recursive: true, force: true });
  rmSync(join(secret, '..'), { recursive: true, force: true });
});

const context = executorContextsIn(root, projects);

/** The options Nx hands the executor: the inferred target's, then project.json's or the command line's. */
const optionsOf = (project: string, target: string, extra: Record<string, unknown> = {}) => ({
  ...projects[project].targets[target].options,
  ...extra,
});

async function ok(result: Promise<{ success: boolean }>): Promise<void> {
  const { success } = await result;
  if (!success) throw new Error(`the executor failed:\n${errors()}`);
}

/** The OCI labels every build gets: title, source (sourceUrl as https), revision and created (the source commit), version (package.json). */
const labels = () => [
  '--label',
  'org.opencontainers.image.title=api',
  '--label',
  'org.opencontainers.image.source=https://github.com/acme/platform',
  '--label',
  `org.opencontainers.image.revision=${revision}`,
  '--label',
  'org.opencontainers.image.created=2024-01-02T03:04:05.000Z',
  '--label',
  'org.opencontainers.image.version=1.2.3',
];
const record = (): ImageRecord => JSON.parse(readFileSync(join(root, 'dist/images/services/api/image.json'), 'utf8'));
const buildCalls = () => docker.calls().filter((call) => call.argv.includes('build'));

describe('docker stand-in: docker-build with engine docker (command level: no buildx on these machines)', () => {
  it('asks buildx its version, then builds every platform in one buildx build into an OCI layout (provenance off, rewrite-timestamp, SOURCE_DATE_EPOCH of the source commit) that becomes the build output', async () => {
    const extraArgs = ['--build-context', 'base=docker-image://127.0.0.1:5000/team/base:latest', '--no-cache'];
    await ok(
      dockerBuild(
        optionsOf('api', 'docker-build', {
          target: 'production',
          buildArgs: { APP_VERSION: '1.2.3', QUOTED: 'a b; $(c)' },
          labels: { team: 'core' },
          secrets: { npmrc: secret },
          extraArgs,
        }),
        context('api', 'docker-build'),
      ),
    );
    const calls = docker.calls();
    expect(calls.map((call) => call.argv.slice(0, 3))).toEqual([
      ['docker', 'buildx', 'version'],
      ['docker', 'buildx', 'build'],
    ]);
    const [, build] = calls;
    const dest = /^type=oci,dest=(.+),tar=false,name=latest,rewrite-timestamp=true$/.exec(build.argv[7])?.[1];
    expect(dest).toMatch(new RegExp(`^${root}/dist/images/services/api\\.partial-\\d+-[0-9a-f]{6}/oci$`));
    expect(build.argv).toEqual([
      'docker',
      'buildx',
      'build',
      '--platform',
      'linux/amd64,linux/arm64',
      '--provenance=false',
      '--output',
      `type=oci,dest=${dest},tar=false,name=latest,rewrite-timestamp=true`,
      // the Dockerfile as written: buildx takes a workspace base from the registry (or from --build-context in extraArgs)
      '--file',
      join(root, 'services/api/Dockerfile'),
      '--target',
      'production',
      '--build-arg',
      'APP_VERSION=1.2.3',
      '--build-arg',
      'QUOTED=a b; $(c)',
      ...labels(),
      '--label',
      'team=core',
      '--secret',
      `id=npmrc,src=${secret}`,
      ...extraArgs,
      join(root, 'services/api'),
    ]);
    expect(build.SOURCE_DATE_EPOCH).toBe(String(EPOCH));
    const written = record();
    expect(written.engine).toEqual({ name: 'docker', version: '0.12.1' });
    expect(written.platforms.map((p) => p.platform)).toEqual(['linux/amd64', 'linux/arm64']);
    expect(written.created).toBe('2024-01-02T03:04:05.000Z');
    expect(existsSync(dest!)).toBe(false); // renamed into place
  });

  it('a dry run prints the same buildx build with its SOURCE_DATE_EPOCH and runs nothing, not even docker buildx version', async () => {
    await ok(dockerBuild(optionsOf('api', 'docker-build', { dryRun: true }), context('api', 'docker-build')));
    expect(docker.calls()).toEqual([]);
    const printed = info.mock.calls.join('\n');
    expect(printed).toMatch(
      new RegExp(
        `^ {2}SOURCE_DATE_EPOCH=${EPOCH} docker buildx build --platform linux/amd64,linux/arm64 --provenance=false ` +
          `--output type=oci,dest=${root}/dist/images/services/api\\.partial-\\S+/oci,tar=false,name=latest,rewrite-timestamp=true --file ${root}/services/api/Dockerfile `,
        'm',
      ),
    );
    expect(printed).toMatch(/docker is \S+\/docker \(found on PATH\); its version was not asked/);
    expect(existsSync(join(root, 'dist'))).toBe(false);
  });

  it('provenance: true asks buildx for attestations; image.json lists only the platform images, not the attestation manifests', async () => {
    await ok(dockerBuild(optionsOf('api', 'docker-build', { provenance: true }), context('api', 'docker-build')));
    expect(buildCalls()[0].argv.slice(0, 6)).toEqual([
      'docker',
      'buildx',
      'build',
      '--platform',
      'linux/amd64,linux/arm64',
      '--provenance=true',
    ]);
    const index = JSON.parse(readFileSync(join(root, 'dist/images/services/api/oci/index.json'), 'utf8'));
    const list = JSON.parse(
      readFileSync(join(root, 'dist/images/services/api/oci/blobs', index.manifests[0].digest.replace(':', '/')), 'utf8'),
    );
    expect(
      list.manifests.map((m: { platform: { os: string; architecture: string } }) => `${m.platform.os}/${m.platform.architecture}`),
    ).toEqual(['linux/amd64', 'linux/arm64', 'unknown/unknown', 'unknown/unknown']);
    expect(record().platforms.map((p) => p.platform)).toEqual(['linux/amd64', 'linux/arm64']);
  });

  it('builder runs the build on that buildx builder (docker buildx --builder <name> build)', async () => {
    await ok(dockerBuild(optionsOf('api', 'docker-build', { builder: 'arm-farm' }), context('api', 'docker-build')));
    expect(buildCalls().map((call) => call.argv.slice(0, 7))).toEqual([
      ['docker', 'buildx', '--builder', 'arm-farm', 'build', '--platform', 'linux/amd64,linux/arm64'],
    ]);
  });

  it('a per-arch configuration (-c arm64) builds linux/arm64 alone into the per-arch output', async () => {
    const config = projects.api.targets['docker-build'].configurations!.arm64;
    await ok(dockerBuild({ ...optionsOf('api', 'docker-build'), ...config }, context('api', 'docker-build', 'arm64')));
    const [build] = buildCalls();
    expect(build.argv.slice(3, 5)).toEqual(['--platform', 'linux/arm64']);
    expect(build.argv[7]).toMatch(new RegExp(`^type=oci,dest=${root}/dist/images-per-arch/arm64/services/api\\.partial-`));
  });

  it('refuses the podman options connection and url with engine docker, naming builder; nothing is built', async () => {
    const result = await dockerBuild(optionsOf('api', 'docker-build', { url: 'tcp://builder:8080' }), context('api', 'docker-build'));
    expect(result.success).toBe(false);
    expect(errors()).toContain('connection/url (tcp://builder:8080) are podman options: with docker use builder');
    expect(buildCalls()).toEqual([]);
  });

  it('refuses docker without the buildx plugin, naming what to install, before building', async () => {
    const noBuildx = join(root, 'bin-no-buildx');
    mkdirSync(noBuildx, { recursive: true });
    const bare = writeDockerStandIn(noBuildx, { noBuildx: true });
    process.env.PATH = `${noBuildx}${delimiter}${PATH}`;
    try {
      const result = await dockerBuild(optionsOf('api', 'docker-build'), context('api', 'docker-build'));
      expect(result.success).toBe(false);
      expect(errors()).toContain(
        'docker is installed but "docker buildx version" did not answer: install the buildx plugin (apt-get install docker-buildx)',
      );
      expect(bare.calls().map((call) => call.argv)).toEqual([['docker', 'buildx', 'version']]);
    } finally {
      process.env.PATH = `${bin}${delimiter}${PATH}`;
    }
  });

  it('engine auto builds with docker when podman is not on PATH', async () => {
    // PATH: the docker stand-in and git, nothing else (no podman)
    const gitOnly = join(root, 'bin-git');
    mkdirSync(gitOnly, { recursive: true });
    symlinkSync(pathOf('git')!, join(gitOnly, 'git'));
    process.env.PATH = `${bin}${delimiter}${gitOnly}`;
    try {
      await ok(dockerBuild(optionsOf('api', 'docker-build', { engine: 'auto' }), context('api', 'docker-build')));
    } finally {
      process.env.PATH = `${bin}${delimiter}${PATH}`;
    }
    expect(buildCalls()).toHaveLength(1);
    expect(record().engine.name).toBe('docker');
  });
});

describe('docker stand-in: docker-build-single with engine docker (command level)', () => {
  const reference = `${NAME}:1.2.3`;

  it('builds the host platform with --load and --tag <registry>/<imageName>:<tag>, provenance off, SOURCE_DATE_EPOCH set', async () => {
    await ok(dockerBuildSingle(optionsOf('api', 'docker-build-single', { extraArgs: ['--pull'] }), context('api', 'docker-build-single')));
    const calls = docker.calls();
    expect(calls.map((call) => call.argv)).toEqual([
      ['docker', 'buildx', 'version'],
      [
        'docker',
        'buildx',
        'build',
        '--platform',
        hostPlatform(),
        '--provenance=false',
        '--load',
        '--tag',
        reference,
        '--file',
        join(root, 'services/api/Dockerfile'),
        ...labels(),
        '--pull',
        join(root, 'services/api'),
      ],
    ]);
    expect(calls[1].SOURCE_DATE_EPOCH).toBe(String(EPOCH));
    expect(info.mock.calls.join('\n')).toContain(`image loaded as ${reference} (run it: docker run --rm ${reference})`);
  });

  it('--kind checks kind first, then saves the loaded image with docker save and loads that archive with kind load image-archive', async () => {
    await ok(
      dockerBuildSingle(
        optionsOf('api', 'docker-build-single', { kind: 'dev', builder: 'arm-farm', platform: 'linux/arm64' }),
        context('api', 'docker-build-single'),
      ),
    );
    const calls = docker.calls().map((call) => call.argv);
    expect(calls.map((argv) => argv.slice(0, 5))).toEqual([
      ['docker', 'buildx', 'version'],
      ['docker', 'buildx', '--builder', 'arm-farm', 'build'],
      ['docker', 'save', '--output', expect.stringMatching(/\/nx-multiarch-kind-[^/]+\/image\.tar$/), reference],
    ]);
    expect(calls[1]).toEqual(expect.arrayContaining(['--platform', 'linux/arm64', '--load']));
    const archive = calls[2][3];
    expect(kindCalls()).toEqual([
      ['kind', 'version'],
      ['kind', 'load', 'image-archive', archive, '--name', 'dev'],
    ]);
    // kind was asked before anything was built
    const order = mockCommands.filter((argv) => argv[0] !== 'git').map((argv) => argv.slice(0, 2).join(' '));
    expect(order).toEqual(['kind version', 'docker buildx', 'docker buildx', 'docker save', 'kind load']);
    expect(existsSync(archive)).toBe(false); // the temp folder is removed
  });
});

describe('docker stand-in: docker-manifest with engine docker (command level)', () => {
  let amd64: string;
  let arm64: string;
  beforeEach(() => {
    amd64 = mockRegistry.image(NAME, { os: 'linux', architecture: 'amd64' }, OCI_MANIFEST, '1.2.3-amd64').digest;
    arm64 = mockRegistry.image(NAME, { os: 'linux', architecture: 'arm64' }, OCI_MANIFEST, '1.2.3-arm64').digest;
  });

  it('reads each per-arch tag, stitches the list with buildx imagetools create (one --tag per tag, the per-arch digests), then verifies it', async () => {
    await ok(dockerManifest(optionsOf('api', 'docker-manifest', { latest: true }), context('api', 'docker-manifest')));
    expect(docker.calls().map((call) => call.argv)).toEqual([
      [
        'docker',
        'buildx',
        'imagetools',
        'create',
        '--tag',
        `${NAME}:1.2.3`,
        '--tag',
        `${NAME}:latest`,
        `${NAME}@${amd64}`,
        `${NAME}@${arm64}`,
      ],
    ]);
    // the per-arch reads (in parallel), then the stitch, then the read-back of every tag
    const commands = mockCommands.filter((argv) => argv[0] !== 'git').map((argv) => `${argv[0]} ${argv.at(-1)}`);
    expect(commands.slice(0, 4).sort()).toEqual(
      [
        `skopeo docker://${NAME}:1.2.3-amd64`,
        `skopeo docker://${NAME}:1.2.3-arm64`,
        `skopeo docker://${NAME}@${amd64}`,
        `skopeo docker://${NAME}@${arm64}`,
      ].sort(),
    );
    expect(commands.slice(4)).toEqual([`docker ${NAME}@${arm64}`, `skopeo docker://${NAME}:1.2.3`, `skopeo docker://${NAME}:latest`]);
    const pushRecord = JSON.parse(readFileSync(join(root, 'dist/push-records/services/api.json'), 'utf8'));
    expect(pushRecord).toMatchObject({ ok: true, mode: 'stitched', references: [`${NAME}:1.2.3`, `${NAME}:latest`] });
  });

  it('builder runs imagetools on that buildx builder', async () => {
    await ok(dockerManifest(optionsOf('api', 'docker-manifest', { builder: 'arm-farm' }), context('api', 'docker-manifest')));
    expect(docker.calls().map((call) => call.argv.slice(0, 6))).toEqual([
      ['docker', 'buildx', '--builder', 'arm-farm', 'imagetools', 'create'],
    ]);
  });
});

describe('docker-manifest with engine docker refuses a tlsVerify that buildx imagetools cannot honour, before reading or pushing anything (docker stand-in on PATH, never run)', () => {
  const refused = async (extra: Record<string, unknown>): Promise<string> => {
    const result = await dockerManifest(optionsOf('api', 'docker-manifest', extra), context('api', 'docker-manifest'));
    expect(result.success).toBe(false);
    expect(mockCommands.filter((argv) => argv[0] !== 'git')).toEqual([]);
    expect(docker.calls()).toEqual([]);
    expect(existsSync(join(root, 'dist/push-records'))).toBe(false);
    return errors();
  };

  it('tlsVerify: false for a registry that is not localhost: names the option, the value, the registry and the fix', async () => {
    const message = await refused({ registry: 'registry.example.com', tlsVerify: false });
    expect(message).toContain('tlsVerify: false is not supported with engine docker for docker-manifest (registry registry.example.com)');
    expect(message).toContain('Nothing was read or pushed');
    expect(message).toContain('set "engine": "podman" on the docker-manifest target');
    expect(message).toContain('[registry."registry.example.com"] ca = ["<ca.pem>"]');
    expect(message).toContain('set tlsVerify: true');
  });

  it('tlsVerify: true for a localhost registry (buildx talks plain HTTP to it)', async () => {
    const message = await refused({ tlsVerify: true });
    expect(message).toContain(`tlsVerify: true is not supported with engine docker for docker-manifest (registry ${REGISTRY})`);
    expect(message).toContain('leave tlsVerify unset');
  });

  it('a dry run refuses the same way, planning nothing', async () => {
    const message = await refused({ registry: 'registry.example.com', tlsVerify: false, dryRun: true });
    expect(message).toContain('tlsVerify: false is not supported with engine docker');
    expect(info.mock.calls.join('\n')).not.toContain('imagetools');
  });

  it('podman takes the same options (it passes --tls-verify itself)', async () => {
    const result = await dockerManifest(
      optionsOf('api', 'docker-manifest', { registry: 'registry.example.com', tlsVerify: false, engine: 'podman', dryRun: true }),
      context('api', 'docker-manifest'),
    );
    expect(errors()).toBe('');
    expect(result.success).toBe(true);
    expect(info.mock.calls.join('\n')).toMatch(
      /podman manifest push --all=false --format oci --tls-verify=false \S+ docker:\/\/registry\.example\.com\/team\/api:1\.2\.3/,
    );
  });
});
