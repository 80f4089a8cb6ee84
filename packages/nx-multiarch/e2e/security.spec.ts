/**
 * No shell anywhere, and build secrets never leak: end to end in a throwaway workspace, real podman and registry.
 * Values full of shell syntax go in as build args, labels and a Dockerfile path; the image must hold them byte for byte
 * and no marker file may appear. A build secret is used by a RUN step; it must be in no layer, log, image.json,
 * Nx cache entry or pushed blob. A second secret lives in the build context (a CI-written .npmrc) and is named
 * workspace-relative in nx.json: it must not be hashed. The same build, pushed without a tag, is read back from the
 * registry: the tag is package.json's version, the image config carries the default OCI labels.
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { SYNC_LIMITS } from './processes';
import { commitAll, installPlugin, pluginWorkspaceFiles, writeFiles } from '../../../tools/fixtures/workspace-kit';
import { blobPath } from '../src/image/oci-layout';
import type { ImageRecord } from '../src/image/record';
import {
  fileInImage,
  localCacheNote,
  REGISTRY,
  remoteConfig,
  remoteRaw,
  remoteTags,
  requireRealParts,
  RUN_ID,
  runNx,
  stripAnsi,
  tempDir,
  type NxOptions,
} from './harness';

jest.setTimeout(15 * 60 * 1000);

const dir = tempDir('nx-multiarch-sec-');
const outside = tempDir('nx-multiarch-secret-');
const marker = join(outside, 'pwned');
const SECRET = `s3cr3t-${RUN_ID}-do-not-leak`;
const EVIL = `x; touch ${marker}; $(touch ${marker}) \`touch ${marker}\` | & > < ' " \\ end\nsecond line`;
const DOCKERFILE = 'services/sec/odd; $(id) `name`.Dockerfile';
const REPOSITORY = `${RUN_ID}-sec/sec`;
/** How GitLab CI clones: the job token in the remote URL. It must reach no image, log, image.json or cache entry. */
const CI_TOKEN = `glcbt-${RUN_ID}-SECRET123`;
const CI_REMOTE = `https://gitlab-ci-token:${CI_TOKEN}@gitlab.example.com/acme/platform.git`;
/** A secret inside the build context, as CI writes it before building: named in nx.json, so it is left out of the hash. */
const NPMRC = 'services/sec/.npmrc';
const NPM_TOKEN = `npm-${RUN_ID}-do-not-leak`;
const VERSION = '1.4.2';

/** nx in the throwaway workspace, with a cache folder of its own (scanned for leaks). */
const IN_DIR: NxOptions = { cwd: dir, env: { NX_CACHE_DIRECTORY: join(dir, '.nx', 'cache') } };
const nxIn = (args: string[]) => runNx(args, { ...IN_DIR, staticOutput: true });

/** Every file under a folder, as text (layers gunzipped), for leak scans. */
function* filesUnder(root: string): Generator<[string, Buffer]> {
  for (const name of readdirSync(root)) {
    const path = join(root, name);
    const stat = statSync(path);
    if (stat.isDirectory()) yield* filesUnder(path);
    else if (stat.isFile()) yield [path, readFileSync(path)];
  }
}
const readable = (bytes: Buffer) => (bytes[0] === 0x1f && bytes[1] === 0x8b ? gunzipSync(bytes) : bytes);
const leaksIn = (root: string) =>
  [...filesUnder(root)]
    .filter(([, bytes]) => [SECRET, CI_TOKEN, NPM_TOKEN].some((secret) => readable(bytes).includes(secret)))
    .map(([path]) => path);
const git = (...args: string[]) => execFileSync('git', args, { cwd: dir, stdio: 'ignore', ...SYNC_LIMITS });
const sourceLabel = (rec: ImageRecord) => {
  const config = JSON.parse(
    readFileSync(blobPath(join(dir, 'dist', 'images', 'services', 'sec', 'oci'), rec.platforms[0].configDigest), 'utf8'),
  );
  return config.config.Labels['org.opencontainers.image.source'];
};
const cacheHit = (output: string) => localCacheNote('sec:docker-build').test(stripAnsi(output));
const readRecord = (): ImageRecord => JSON.parse(readFileSync(join(dir, 'dist', 'images', 'services', 'sec', 'image.json'), 'utf8'));

let build: { exitCode: number; output: string };
let record: ImageRecord;

beforeAll(async () => {
  await requireRealParts(['podman', 'skopeo', 'git']);
  const secretFile = join(outside, 'token');
  writeFileSync(secretFile, SECRET);
  installPlugin(dir);
  writeFiles(dir, {
    // secrets here, not in project.json: a workspace-relative secret is left out of the inputs when nx.json names it
    ...pluginWorkspaceFiles({
      registry: REGISTRY,
      imageName: REPOSITORY,
      platforms: ['linux/amd64'],
      secrets: { token: secretFile, npmrc: NPMRC },
    }),
    'services/sec/project.json': JSON.stringify({
      name: 'sec',
      targets: {
        'docker-build': {
          options: {
            dockerfile: DOCKERFILE,
            buildArgs: { BASE_IMAGE: `${REGISTRY}/fixtures/busybox:latest`, EVIL },
            labels: { 'example.evil': EVIL },
          },
        },
      },
    }),
    // The version is the default tag and the version label.
    'services/sec/package.json': JSON.stringify({ name: 'sec', version: VERSION, private: true }),
    // Inference needs a Dockerfile in the project root; project.json then points the build at the oddly named one.
    'services/sec/Dockerfile': 'FROM scratch\n',
    // An allow-list: the image gets app.txt alone, and since a re-include could overlap `*`, every entry of the
    // context is an input (the .npmrc too, but for the nx.json secret's exclusion).
    'services/sec/.dockerignore': '*\n!app.txt\n',
    'services/sec/app.txt': 'app\n',
    [DOCKERFILE]: [
      'ARG BASE_IMAGE',
      'FROM ${BASE_IMAGE}',
      'ARG EVIL',
      `RUN printf '%s' "$EVIL" > /evil`,
      'RUN --mount=type=secret,id=token wc -c < /run/secrets/token > /secret-length',
      'COPY . /app/',
      '',
    ].join('\n'),
  });
  commitAll(dir, 'security workspace');
  writeFileSync(join(dir, NPMRC), `//registry.npmjs.org/:_authToken=${NPM_TOKEN}\n`);
  git('remote', 'add', 'origin', CI_REMOTE);
  build = await nxIn(['run', 'sec:docker-build']);
  if (build.exitCode !== 0) throw new Error(`build failed:\n${build.output}`);
  record = readRecord();
});

describe('no shell anywhere', () => {
  it('build args, labels and a Dockerfile path full of shell syntax reach podman as single argv elements', async () => {
    const [image] = record.platforms;
    expect((await fileInImage('services/sec', image.digest, 'evil', dir)).toString()).toBe(EVIL);
    const layout = join(dir, 'dist', 'images', 'services', 'sec', 'oci');
    const config = JSON.parse(readFileSync(blobPath(layout, image.configDigest), 'utf8'));
    expect(config.config.Labels['example.evil']).toBe(EVIL);
    expect(existsSync(marker)).toBe(false);
  });

  it('a tag with shell syntax is refused before anything runs', async () => {
    const result = await nxIn(['run', 'sec:docker-push', '--tag=$(id)']);
    expect(result.exitCode).not.toBe(0);
    expect(result.output).toContain('Invalid tag "$(id)"');
    expect(await remoteTags(REPOSITORY)).toEqual([]);
  });
});

describe('build secrets', () => {
  it('the RUN step got the secret, and no layer, log, image.json or Nx cache entry holds it', async () => {
    const [image] = record.platforms;
    expect((await fileInImage('services/sec', image.digest, 'secret-length', dir)).toString().trim()).toBe(String(SECRET.length));
    expect(build.output).not.toContain(SECRET);
    expect(build.output).toContain('--secret id=token,src=');
    expect(leaksIn(join(dir, 'dist'))).toEqual([]);
    expect(existsSync(join(dir, '.nx', 'cache'))).toBe(true);
    expect(leaksIn(join(dir, '.nx'))).toEqual([]);
  });

  it('a CI token in the git remote is in no layer, config, log, image.json or cache entry: the source label is the bare https URL', async () => {
    expect(sourceLabel(record)).toBe('https://gitlab.example.com/acme/platform');
    expect(build.output).not.toContain(CI_TOKEN);
    expect(leaksIn(join(dir, 'dist'))).toEqual([]);
    expect(leaksIn(join(dir, '.nx'))).toEqual([]);
    const dryRun = await nxIn(['run', 'sec:docker-build', '--dry-run', '--skip-nx-cache']);
    expect(dryRun.output).not.toContain(CI_TOKEN);
  });

  it('the remote is part of the hash: its ssh form is a cache hit, a fork rebuilds with its own label', async () => {
    git('remote', 'set-url', 'origin', 'git@gitlab.example.com:acme/platform.git');
    const same = await nxIn(['run', 'sec:docker-build']);
    expect(cacheHit(same.output)).toBe(true);
    git('remote', 'set-url', 'origin', 'https://gitlab.example.com/fork/platform.git');
    const fork = await nxIn(['run', 'sec:docker-build']);
    if (fork.exitCode !== 0) throw new Error(`build failed:\n${fork.output}`);
    expect(cacheHit(fork.output)).toBe(false);
    expect(sourceLabel(readRecord())).toBe('https://gitlab.example.com/fork/platform');
    git('remote', 'set-url', 'origin', CI_REMOTE);
    const back = await nxIn(['run', 'sec:docker-build']);
    expect(cacheHit(back.output)).toBe(true);
    expect(sourceLabel(readRecord())).toBe('https://gitlab.example.com/acme/platform');
  });

  it('a workspace-relative secret that nx.json names is not hashed: its folder, the build context, is, yet rotating it is a cache hit', async () => {
    writeFileSync(join(dir, NPMRC), `//registry.npmjs.org/:_authToken=${NPM_TOKEN}-rotated\n`);
    const rotated = await nxIn(['run', 'sec:docker-build']);
    expect(cacheHit(rotated.output)).toBe(true);
    const shown = await runNx(['show', 'project', 'sec', '--json'], IN_DIR);
    const inputs = JSON.parse(shown.stdout).targets['docker-build'].inputs as unknown[];
    // every entry of the context is an input (the allow-list .dockerignore), the secret one negated
    expect(inputs).toEqual(
      expect.arrayContaining(['{workspaceRoot}/services/sec/app.txt', `{workspaceRoot}/${NPMRC}`, `!{workspaceRoot}/${NPMRC}`]),
    );
  });

  it('the pushed layers do not hold it either', async () => {
    // no --tag: the default, package.json's version (checked below)
    const push = await nxIn(['run', 'sec:docker-push']);
    if (push.exitCode !== 0) throw new Error(`push failed:\n${push.output}`);
    expect(push.output).not.toContain(SECRET);
    const [image] = record.platforms;
    const manifest = (await remoteRaw(`${REGISTRY}/${REPOSITORY}@${image.digest}`)).json as { layers: Array<{ digest: string }> };
    for (const layer of manifest.layers) {
      const blob = execFileSync('curl', ['-sf', `http://${REGISTRY}/v2/${REPOSITORY}/blobs/${layer.digest}`], {
        maxBuffer: 64 * 1024 * 1024,
        ...SYNC_LIMITS,
      });
      expect(readable(blob).includes(SECRET)).toBe(false);
    }
  });
});

describe('the default tag and OCI labels, read back from the registry', () => {
  it(`docker-push without a tag pushed package.json's version (${VERSION}), serving image.json's index`, async () => {
    expect(await remoteTags(REPOSITORY)).toEqual([VERSION]);
    expect((await remoteRaw(`${REGISTRY}/${REPOSITORY}:${VERSION}`)).digest).toBe(readRecord().index.digest);
  });

  it('the pushed config carries the default OCI labels: source (origin without its credentials), revision and created of the commit, version from package.json', async () => {
    const [revision, epoch] = execFileSync('git', ['log', '-1', '--format=%H %ct'], { cwd: dir, encoding: 'utf8', ...SYNC_LIMITS })
      .trim()
      .split(' ');
    const config = await remoteConfig(`${REGISTRY}/${REPOSITORY}@${readRecord().platforms[0].digest}`);
    expect(config.config.Labels).toMatchObject({
      'org.opencontainers.image.title': 'sec',
      'org.opencontainers.image.source': 'https://gitlab.example.com/acme/platform',
      'org.opencontainers.image.revision': revision,
      'org.opencontainers.image.created': new Date(Number(epoch) * 1000).toISOString(),
      'org.opencontainers.image.version': VERSION,
      'example.evil': EVIL,
    });
  });
});
