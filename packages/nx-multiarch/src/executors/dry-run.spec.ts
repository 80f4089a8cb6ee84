/**
 * Every executor's dry run on a small workspace (a base image project and a service built FROM it): the only commands
 * it may start are git's; what it prints is the plan a real run runs, with the Dockerfile copy podman would build.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { SYNC_LIMITS } from '../../../../tools/fixtures/workspace-kit';
import { logger } from '../devkit';
import { targetsFor } from '../plugin/create-nodes';
import { throwawayWorkspace } from '../plugin/test-workspace';
import { DRY_RUN_ENV } from '../run/dry-run';
import dockerBuild from './docker-build/executor';
import dockerBuildSingle from './docker-build-single/executor';
import dockerLint from './docker-lint/executor';
import dockerManifest from './docker-manifest/executor';
import dockerPush from './docker-push/executor';
import { executorContextsIn } from './test-context';

const mockCommands: string[][] = [];
jest.mock('../run/exec', () => {
  const actual = jest.requireActual('../run/exec');
  return {
    ...actual,
    run: jest.fn(async (step: { argv: string[] }, options: unknown) => {
      mockCommands.push(step.argv);
      if (step.argv[0] !== 'git') throw new Error(`a dry run ran ${step.argv.join(' ')}`);
      return actual.run(step, options);
    }),
  };
});

const PINNED = `127.0.0.1:5000/fixtures/busybox@sha256:${'a'.repeat(64)}`;
const options = {
  registry: '127.0.0.1:5000',
  imageName: 'team/{projectName}',
  engine: 'podman' as const,
  buildArgs: { BASE_IMAGE: PINNED },
};
const root = throwawayWorkspace({
  'services/base/Dockerfile': `ARG BASE_IMAGE=${PINNED}\nFROM \${BASE_IMAGE}\nCOPY . /base/\n`,
  'services/base/.dockerignore': 'Dockerfile\n',
  'services/app/Dockerfile': 'FROM 127.0.0.1:5000/team/base:latest\nCOPY . /app/\nCMD ["/app/run"]\n',
  'services/app/package.json': '{ "name": "app", "version": "1.2.3" }\n',
});
const projects = Object.fromEntries(
  ['base', 'app'].map((name) => [
    name,
    { root: `services/${name}`, targets: targetsFor(`services/${name}`, { name, tags: [] }, `services/${name}/Dockerfile`, options) },
  ]),
);
const bin = join(root, 'bin');
const { PATH } = process.env;
const info = jest.spyOn(logger, 'info').mockImplementation(() => undefined);
const error = jest.spyOn(logger, 'error').mockImplementation(() => undefined);
const printed = () => info.mock.calls.map((call) => String(call[0])).join('\n');

beforeAll(() => {
  for (const args of [
    ['init', '-q'],
    ['add', '-A'],
    ['-c', 'user.email=t@t', '-c', 'user.name=t', 'commit', '-q', '-m', 'fixture'],
  ])
    execFileSync('git', args, { cwd: root, ...SYNC_LIMITS });
  // selectEngine looks podman up on PATH; the mocked run() never starts it
  mkdirSync(bin);
  writeFileSync(join(bin, 'podman'), '#!/bin/sh\nexit 99\n');
  chmodSync(join(bin, 'podman'), 0o755);
  process.env.PATH = `${bin}${delimiter}${PATH}`;
});
beforeEach(() => {
  mockCommands.length = 0;
  info.mockClear();
  error.mockClear();
});
afterAll(() => {
  process.env.PATH = PATH;
  rmSync(root, { recursive: true, force: true });
});

const context = executorContextsIn(root, projects);

/** The options Nx hands the executor: the target's, its configuration's, then the command line's. */
function optionsOf(project: string, target: string, configuration?: string, cli: Record<string, unknown> = { dryRun: true }) {
  const config = projects[project].targets[target];
  return { ...config.options, ...(configuration ? config.configurations?.[configuration] : {}), ...cli };
}

async function dryRun(executor: typeof dockerBuild, project: string, target: string, configuration?: string) {
  const result = await executor(optionsOf(project, target, configuration), context(project, target, configuration));
  if (!result.success) throw new Error(`${project}:${target} failed:\n${error.mock.calls.join('\n')}`);
  expect(mockCommands.filter((argv) => argv[0] !== 'git')).toEqual([]);
  return printed();
}

const podmanFile = (output: string) => /--file (\S+\/nx-multiarch-dockerfiles\/\S+\/Dockerfile\.podman)/.exec(output)?.[1];

describe('docker-build --dry-run', () => {
  it('plans the build of the Dockerfile copy podman builds, written where a real run finds it; asks podman nothing', async () => {
    const output = await dryRun(dockerBuild, 'app', 'docker-build');
    expect(output).toMatch(/Dry run of app:docker-build: nothing was run/);
    expect(output).toMatch(
      /podman build --platform linux\/amd64,linux\/arm64 --manifest localhost\/nx-multiarch-work\/app:\S+ --timestamp \d+ --file /,
    );
    expect(output).toMatch(/podman manifest push --all --rm \S+ oci:\S+\/dist\/images\/services\/app\.partial-\S+\/oci:latest/);
    expect(output).toMatch(/podman manifest rm localhost\/nx-multiarch-work\/app:/);
    expect(output).toMatch(/podman is \S+\/bin\/podman \(found on PATH\); its version was not asked/);
    const copy = readFileSync(podmanFile(output)!, 'utf8');
    // the base was never built: its layout path names the digest a real run will know
    expect(copy).toMatch(/^FROM oci:\S+\/nx-multiarch-bases\/base-<index digest>:latest\nLABEL nx-multiarch.source-epoch="\d+"\n/);
    expect(copy).toContain('LABEL "org.opencontainers.image.title"="app"');
    expect(output).toMatch(/^ {2}- {3}1 {2}FROM 127\.0\.0\.1:5000\/team\/base:latest$/m);
    expect(output).toMatch(/^ {2}\+ {3}2 {2}LABEL nx-multiarch\.source-epoch="\d+"$/m);
    expect(output).toContain('base has no build output yet');
    expect(existsSync(join(root, 'dist'))).toBe(false);
  });

  it('names a built base by its index digest, as a real run copies it, without copying it, and pulls it per platform first', async () => {
    const layout = join(root, 'dist/images/services/base/oci');
    mkdirSync(layout, { recursive: true });
    writeFileSync(join(layout, 'index.json'), JSON.stringify({ manifests: [{ digest: `sha256:${'b'.repeat(64)}` }] }));
    try {
      const output = await dryRun(dockerBuild, 'app', 'docker-build');
      // parallel platform builds (jobs 2 on 2 platforms): the FROM names a build arg, the layout is pulled before the build
      const from = /^ *podman pull --platform linux\/amd64 oci:(\S+):latest$/m.exec(output)![1];
      expect(output).toMatch(/^ *podman pull --platform linux\/arm64 oci:\S+:latest$/m);
      expect(readFileSync(podmanFile(output)!, 'utf8')).toMatch(/^FROM \$\{NX_MULTIARCH_BASE_0\}-\$\{TARGETARCH\}\$\{TARGETVARIANT\}$/m);
      expect(from).toMatch(new RegExp(`/nx-multiarch-bases/base-${'b'.repeat(16)}$`));
      expect(existsSync(from)).toBe(false);
    } finally {
      rmSync(join(root, 'dist'), { recursive: true, force: true });
    }
  });

  it('is the same file for the same sources: a second dry run (or a real run) names the same path', async () => {
    const first = podmanFile(await dryRun(dockerBuild, 'base', 'docker-build'));
    info.mockClear();
    expect(podmanFile(await dryRun(dockerBuild, 'base', 'docker-build'))).toBe(first);
    expect(existsSync(`${first}.dockerignore`)).toBe(false); // only <Dockerfile>.dockerignore is copied; the context's stays put
  });

  it('plans a per-arch configuration into its own output', async () => {
    const output = await dryRun(dockerBuild, 'base', 'docker-build', 'arm64');
    expect(output).toMatch(/Dry run of base:docker-build:arm64/);
    expect(output).toMatch(/podman build --platform linux\/arm64 --manifest/);
    expect(output).toMatch(/oci:\S+\/dist\/images-per-arch\/arm64\/services\/base\.partial-/);
  });
});

describe("the other targets' dry runs", () => {
  it('docker-build-single builds the same Dockerfile copy and loads it into KIND', async () => {
    const result = await dockerBuildSingle(
      { ...optionsOf('app', 'docker-build-single'), kind: 'dev' },
      context('app', 'docker-build-single'),
    );
    expect(result.success).toBe(true);
    expect(mockCommands.filter((argv) => argv[0] !== 'git')).toEqual([]);
    const output = printed();
    expect(output).toMatch(/^ {2}kind version$/m);
    expect(output).toMatch(
      /podman build --platform linux\/\w+ --tag 127\.0\.0\.1:5000\/team\/app:1\.2\.3 --timestamp \d+ --file \S+\/Dockerfile\.podman/,
    );
    expect(output).toMatch(/podman save --format docker-archive --output '\S+\/image\.tar' 127\.0\.0\.1:5000\/team\/app:1\.2\.3/);
    expect(output).toMatch(/kind load image-archive '\S+\/image\.tar' --name dev/);
    // a registry FROM: docker-build-single never builds from a workspace layout
    expect(readFileSync(podmanFile(output)!, 'utf8')).toMatch(/^FROM 127\.0\.0\.1:5000\/team\/base:latest\n/);
  });

  it('docker-push plans the copies and the read-backs, and writes no push record', async () => {
    const output = await dryRun(dockerPush, 'app', 'docker-push');
    expect(output).toMatch(
      /skopeo copy --retry-times 3 --all --preserve-digests --dest-tls-verify=false oci:\S+\/dist\/images\/services\/app\/oci:latest docker:\/\/127\.0\.0\.1:5000\/team\/app:1\.2\.3/,
    );
    expect(output).toMatch(/skopeo inspect --raw --tls-verify=false docker:\/\/127\.0\.0\.1:5000\/team\/app:1\.2\.3/);
    expect(output).toContain('dist/push-records/services/app.json');
    expect(existsSync(join(root, 'dist'))).toBe(false);
  });

  it('docker-push -c arm64 plans arm64 alone, by digest, as <tag>-arm64', async () => {
    const output = await dryRun(dockerPush, 'app', 'docker-push', 'arm64');
    expect(output).toMatch(
      /skopeo copy --retry-times 3 --override-os linux --override-arch arm64 --preserve-digests --dest-tls-verify=false oci:\S+\/dist\/images-per-arch\/arm64\/services\/app\/oci:latest docker:\/\/127\.0\.0\.1:5000\/team\/app:1\.2\.3-arm64/,
    );
    expect(output).toMatch(/skopeo inspect --raw --tls-verify=false docker:\/\/127\.0\.0\.1:5000\/team\/app:1\.2\.3-arm64/);
  });

  it('docker-manifest plans the registry reads, the stitch and the read-back, with the digests it would be told', async () => {
    const output = await dryRun(dockerManifest, 'app', 'docker-manifest');
    expect(output).toMatch(/skopeo inspect --raw --tls-verify=false docker:\/\/127\.0\.0\.1:5000\/team\/app:1\.2\.3-amd64/);
    expect(output).toMatch(
      /skopeo inspect --config --raw --tls-verify=false 'docker:\/\/127\.0\.0\.1:5000\/team\/app@<digest of 127\.0\.0\.1:5000\/team\/app:1\.2\.3-arm64>'/,
    );
    expect(output).toMatch(
      /podman manifest add --tls-verify=false \S+ 'docker:\/\/127\.0\.0\.1:5000\/team\/app@<digest of 127\.0\.0\.1:5000\/team\/app:1\.2\.3-amd64>'/,
    );
    expect(output).toMatch(
      /podman manifest push --all=false --format oci --tls-verify=false \S+ docker:\/\/127\.0\.0\.1:5000\/team\/app:1\.2\.3\n/,
    );
  });

  it('docker-lint lints without asking the registry, shows what it would ask, and writes no findings file', async () => {
    const output = await dryRun(dockerLint, 'base', 'docker-lint');
    expect(output).toContain(`skopeo inspect --raw --tls-verify=false docker://${PINNED}`);
    expect(output).toMatch(/leave out single-platform-base/);
    expect(output).toMatch(/base: multi-arch ready/);
    expect(existsSync(join(root, 'dist'))).toBe(false);
  });
});

describe('a dry run of the whole nx command', () => {
  const marked = { [DRY_RUN_ENV]: 'true', NX_SKIP_NX_CACHE: 'true' };
  const graph = {
    tasks: { 'app:docker-push': { overrides: { dryRun: true } }, 'app:docker-build': { overrides: {} } },
    dependencies: { 'app:docker-push': [{ id: 'app:docker-build' }], 'app:docker-build': [] },
  };

  it('makes a dependency, given no --dry-run of its own, plan too', async () => {
    Object.assign(process.env, marked);
    try {
      const result = await dockerBuild(optionsOf('app', 'docker-build', undefined, {}), context('app', 'docker-build', undefined, graph));
      expect(result.success).toBe(true);
      expect(printed()).toMatch(/Dry run of app:docker-build/);
      expect(printed()).toContain('Nx neither reads nor writes its cache in this command');
    } finally {
      for (const key of Object.keys(marked)) delete process.env[key];
    }
    expect(mockCommands.filter((argv) => argv[0] !== 'git')).toEqual([]);
  });

  it('refuses, running nothing, a dependency of a dry run the command was not marked for', async () => {
    const result = await dockerBuild(optionsOf('app', 'docker-build', undefined, {}), context('app', 'docker-build', undefined, graph));
    expect(result.success).toBe(false);
    expect(error.mock.calls.join('\n')).toMatch(/app:docker-push is a dry run that depends on app:docker-build.*nothing was run/s);
    expect(mockCommands).toEqual([]);
  });
});
