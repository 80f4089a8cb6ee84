/**
 * The generators end to end, in throwaway workspaces (this repo's plugin, fresh git repositories): `nx g
 * nx-multiarch:init` as nx add runs it (bad --registry refused, --dry-run, the four ignored folders, a second run
 * changing nothing), `nx g nx-multiarch:ci --dry-run` writes nothing, `nx g nx-multiarch:service services/<name>`
 * writes a Go and a static service (and writes nothing with --dry-run), inference gives them the three targets at
 * once, and `docker-push` builds both platforms offline against the fixture images and pushes them to the real
 * registry. The Go image's arm64 binary is an aarch64 ELF compiled by a toolchain running on the host's own arch (no
 * QEMU).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { machine } from 'node:os';
import { join } from 'node:path';
import { SYNC_LIMITS } from '../processes';
import { commitAll, installPlugin, pluginWorkspaceFiles, writeFiles } from '../../../../tools/fixtures/workspace-kit';
import type { ImageRecord } from '../../src/image/record';
import { elfMachine, fileInImage, REGISTRY, remoteRaw, requireRealParts, RUN_ID, runNx, runNxOk, tempDir } from '../harness';

jest.setTimeout(20 * 60 * 1000);

const dir = tempDir('nx-multiarch-gen-');
const TARGETS = ['docker-build', 'docker-build-single', 'docker-push'];

const nxIn = (args: string[], cwd = dir) => runNx(args, { cwd, stripAnsi: true });
const nxOk = async (args: string[]) => (await runNxOk(args, { cwd: dir, stripAnsi: true })).output;

const gitStatus = () => execFileSync('git', ['status', '--porcelain'], { cwd: dir, encoding: 'utf8', ...SYNC_LIMITS });
const record = (root: string): ImageRecord => JSON.parse(readFileSync(join(dir, 'dist', 'images', root, 'image.json'), 'utf8'));
const imageOf = (root: string, platform: string) => {
  const image = record(root).platforms.find((p) => p.platform === platform);
  if (!image) throw new Error(`${root}: no ${platform} image in image.json`);
  return image;
};

async function remotePlatforms(name: string): Promise<string[]> {
  const { json } = await remoteRaw(`${REGISTRY}/${RUN_ID}/${name}:e2e`);
  const manifests = (json.manifests ?? []) as Array<{ platform?: { os: string; architecture: string } }>;
  return manifests.map((m) => `${m.platform?.os}/${m.platform?.architecture}`).sort();
}

beforeAll(async () => {
  await requireRealParts(['podman', 'skopeo', 'git', 'tar']);
  installPlugin(dir);
  writeFiles(
    dir,
    pluginWorkspaceFiles({
      registry: REGISTRY,
      imageName: `${RUN_ID}/{projectName}`,
      buildArgs: { BASE_IMAGE: `${REGISTRY}/fixtures/busybox:latest`, BUILDER_IMAGE: `${REGISTRY}/fixtures/golang:1.19` },
    }),
  );
  commitAll(dir, 'workspace');
});

describe('nx g nx-multiarch:init, as nx add runs it, in a workspace without the plugin', () => {
  const bare = tempDir('nx-multiarch-init-');
  const bareStatus = () => execFileSync('git', ['status', '--porcelain'], { cwd: bare, encoding: 'utf8', ...SYNC_LIMITS });
  const initIn = (args: string[]) => nxIn(['g', 'nx-multiarch:init', ...args], bare);

  beforeAll(() => {
    installPlugin(bare);
    writeFiles(bare, { '.gitignore': 'node_modules\n.nx\n', 'nx.json': '{}\n' });
    commitAll(bare, 'bare');
  });

  it('--registry=quay.io/acme fails naming the value and the fix, and leaves nx.json and .gitignore untouched', async () => {
    const result = await initIn(['--registry=quay.io/acme']);
    expect(result.exitCode).not.toBe(0);
    expect(result.output).toContain('Invalid registry "quay.io/acme"');
    expect(result.output).toContain('Use registry: quay.io, imageName: acme/{projectName}');
    expect(bareStatus()).toBe('');
  });

  it('--dry-run lists the changes and writes nothing', async () => {
    const result = await initIn(['--dry-run']);
    expect(result.exitCode).toBe(0);
    expect(result.output).toMatch(/UPDATE nx\.json/);
    expect(result.output).toMatch(/UPDATE \.gitignore/);
    expect(bareStatus()).toBe('');
  });

  it('registers the plugin, ignores all four output folders and prints the next steps', async () => {
    const result = await initIn(['--keepExistingVersions']);
    if (result.exitCode !== 0) throw new Error(`nx g nx-multiarch:init failed:\n${result.output}`);
    expect(JSON.parse(readFileSync(join(bare, 'nx.json'), 'utf8')).plugins).toEqual([
      {
        plugin: 'nx-multiarch',
        options: {
          platforms: ['linux/amd64', 'linux/arm64'],
          buildTargetName: 'docker-build',
          buildSingleTargetName: 'docker-build-single',
          pushTargetName: 'docker-push',
        },
      },
    ]);
    const ignored = readFileSync(join(bare, '.gitignore'), 'utf8').split('\n');
    for (const folder of ['dist/images', 'dist/images-per-arch', 'dist/lint', 'dist/push-records']) expect(ignored).toContain(`/${folder}`);
    expect(result.output).toMatch(/nx g nx-multiarch:service apps\/my-api +#/);
    expect(result.output).toMatch(/nx affected -t docker-push +#/);
    expect(result.output).toContain('No registry is set');
  });

  it('a second run changes nothing', async () => {
    execFileSync('git', ['-c', 'user.email=e2e@example.com', '-c', 'user.name=e2e', 'commit', '-qam', 'init'], {
      cwd: bare,
      ...SYNC_LIMITS,
    });
    const result = await initIn(['--keepExistingVersions']);
    expect(result.exitCode).toBe(0);
    expect(result.output).toContain('nx-multiarch is already set up: nothing to change.');
    expect(bareStatus()).toBe('');
  });
});

describe('nx g nx-multiarch:init in a workspace that already registers the plugin and ignores dist', () => {
  it('changes nothing', async () => {
    const output = await nxOk(['g', 'nx-multiarch:init']);
    expect(output).toContain('nx-multiarch is already set up: nothing to change.');
    expect(gitStatus()).toBe('');
  });
});

describe('nx g nx-multiarch:ci', () => {
  it('--dry-run lists the workflow and writes nothing', async () => {
    const output = await nxOk(['g', 'nx-multiarch:ci', '--dry-run']);
    expect(output).toMatch(/CREATE \.github\/workflows\/docker-push\.yml/);
    expect(existsSync(join(dir, '.github'))).toBe(false);
    expect(gitStatus()).toBe('');
  });
});

describe('nx g nx-multiarch:service <directory>', () => {
  it('--dry-run lists the files and writes nothing', async () => {
    const output = await nxOk(['g', 'nx-multiarch:service', 'services/dry-api', '--dry-run']);
    expect(output).toMatch(/CREATE services\/dry-api\/Dockerfile/);
    expect(output).toMatch(/CREATE services\/dry-api\/project\.json/);
    expect(existsSync(join(dir, 'services/dry-api'))).toBe(false);
    expect(gitStatus()).toBe('');
  });

  it('writes a Go and a static service (--template is --language) into the given folders and prints the next three commands', async () => {
    for (const [name, option] of [
      ['pay-go', '--language'],
      ['static-site', '--template'],
    ]) {
      const output = await nxOk(['g', 'nx-multiarch:service', `services/${name}`, option, name === 'pay-go' ? 'go' : 'static']);
      for (const target of TARGETS) expect(output).toMatch(new RegExp(`nx run ${name}:${target} +#`));
      expect(existsSync(join(dir, 'services', name, 'Dockerfile'))).toBe(true);
    }
    expect(existsSync(join(dir, 'services/pay-go/main_test.go'))).toBe(true);
    expect(existsSync(join(dir, 'services/static-site/www/healthz'))).toBe(true);
  });

  it('refuses an existing project, naming it, and writes nothing', async () => {
    const result = await nxIn(['g', 'nx-multiarch:service', 'apps/pay-go', '--name', 'pay-go', '--language', 'static']);
    expect(result.exitCode).not.toBe(0);
    expect(result.output).toContain('A project named "pay-go" already exists (in services/pay-go)');
    expect(existsSync(join(dir, 'apps'))).toBe(false);
  });

  it.each(['pay-go', 'static-site'])('%s has docker-build, docker-build-single and docker-push through inference', async (name) => {
    const project = JSON.parse(await nxOk(['show', 'project', name, '--json']));
    expect(project.root).toBe(`services/${name}`);
    expect(Object.keys(project.targets)).toEqual(expect.arrayContaining(TARGETS));
    expect(project.targets['docker-build'].executor).toBe('nx-multiarch:docker-build');
    expect(project.tags).toEqual(expect.arrayContaining(['type:service']));
    // Nothing but inference: project.json holds no target config.
    expect(JSON.parse(readFileSync(join(dir, 'services', name, 'project.json'), 'utf8'))).not.toHaveProperty('targets');
  });
});

describe('docker-push of the generated services, offline against the fixture images', () => {
  it('pay-go: both platforms land in the registry; the arm64 binary is aarch64, compiled on the host arch (no emulated compiler)', async () => {
    await nxOk(['run', 'pay-go:docker-push', '--tag=e2e', '--skip-nx-cache']);
    expect(await remotePlatforms('pay-go')).toEqual(['linux/amd64', 'linux/arm64']);

    const root = 'services/pay-go';
    const arm64 = imageOf(root, 'linux/arm64').digest;
    const amd64 = imageOf(root, 'linux/amd64').digest;
    expect(elfMachine(await fileInImage(root, arm64, 'usr/local/bin/pay-go', dir))).toBe('aarch64');
    expect(elfMachine(await fileInImage(root, amd64, 'usr/local/bin/pay-go', dir))).toBe('x86_64');
    // The compiler ran on the build platform for both targets: the host's arch, never aarch64 under QEMU.
    for (const digest of [arm64, amd64]) {
      expect((await fileInImage(root, digest, 'usr/local/share/pay-go/built-on', dir)).toString().trim()).toBe(machine());
    }
  });

  it('static-site: both platforms land in the registry, each serving /healthz', async () => {
    await nxOk(['run', 'static-site:docker-push', '--tag=e2e', '--skip-nx-cache']);
    expect(await remotePlatforms('static-site')).toEqual(['linux/amd64', 'linux/arm64']);
    for (const platform of ['linux/amd64', 'linux/arm64']) {
      const digest = imageOf('services/static-site', platform).digest;
      expect((await fileInImage('services/static-site', digest, 'www/healthz', dir)).toString()).toBe('ok\n');
    }
  });
});
