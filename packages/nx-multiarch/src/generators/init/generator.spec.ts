import { logger, readNxJson, updateNxJson, type Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { archOutputPath, defaultLintOutput, defaultOutputPath, pushRecordPath } from '../../core/conventions';
import { initGenerator } from './generator';
import { PLUGIN_OUTPUT_FOLDERS } from './gitignore';

const DEFAULT_ENTRY = {
  plugin: 'nx-multiarch',
  options: {
    platforms: ['linux/amd64', 'linux/arm64'],
    buildTargetName: 'docker-build',
    buildSingleTargetName: 'docker-build-single',
    pushTargetName: 'docker-push',
  },
};
const IGNORE_BLOCK =
  '# nx-multiarch outputs (images, per-arch images, lint findings, push records)\n/dist/images\n/dist/images-per-arch\n/dist/lint\n/dist/push-records\n';

const snapshot = (tree: Tree) => ({ nxJson: tree.read('nx.json', 'utf-8'), gitignore: tree.read('.gitignore', 'utf-8') });
const printed = () =>
  jest
    .mocked(logger.info)
    .mock.calls.map(([line]) => String(line))
    .join('\n');

describe('init generator', () => {
  let tree: Tree;
  beforeEach(() => {
    tree = createTreeWithEmptyWorkspace({ formatter: 'none' });
    jest.spyOn(logger, 'info').mockImplementation(() => undefined);
    jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  it('registers the plugin with its default platforms and target names', async () => {
    await initGenerator(tree, {});
    expect(readNxJson(tree)?.plugins).toEqual([DEFAULT_ENTRY]);
  });

  it('writes the registry when given', async () => {
    await initGenerator(tree, { registry: 'ghcr.io' });
    expect(readNxJson(tree)?.plugins).toEqual([{ ...DEFAULT_ENTRY, options: { ...DEFAULT_ENTRY.options, registry: 'ghcr.io' } }]);
  });

  it('keeps the rest of nx.json and other plugins', async () => {
    const before = readNxJson(tree)!;
    updateNxJson(tree, { ...before, plugins: ['@nx/js/typescript'] });
    await initGenerator(tree, {});
    const after = readNxJson(tree)!;
    expect(after.plugins).toEqual(['@nx/js/typescript', DEFAULT_ENTRY]);
    expect(after.targetDefaults).toEqual(before.targetDefaults);
  });

  it('creates nx.json when there is none', async () => {
    tree.delete('nx.json');
    await initGenerator(tree, {});
    expect(readNxJson(tree)?.plugins).toEqual([DEFAULT_ENTRY]);
  });

  it('is idempotent: a second run changes nothing', async () => {
    await initGenerator(tree, { registry: '127.0.0.1:5000' });
    const first = snapshot(tree);
    await initGenerator(tree, { registry: '127.0.0.1:5000' });
    expect(snapshot(tree)).toEqual(first);
    await initGenerator(tree, {});
    expect(snapshot(tree)).toEqual(first);
    expect(logger.info).toHaveBeenCalledWith('nx-multiarch is already set up: nothing to change.');
  });

  it('keeps an existing registration and its options as they are', async () => {
    const existing = {
      plugin: 'nx-multiarch',
      options: { platforms: ['linux/arm64'], registry: 'ghcr.io', imageName: 'team/{projectName}' },
    };
    updateNxJson(tree, { ...readNxJson(tree)!, plugins: [existing] });
    await initGenerator(tree, {});
    expect(readNxJson(tree)?.plugins).toEqual([existing]);
    // A different registry is not forced over the configured one.
    await initGenerator(tree, { registry: 'quay.io' });
    expect(readNxJson(tree)?.plugins).toEqual([existing]);
    expect(logger.warn).toHaveBeenCalledWith(
      expect.stringContaining('already registered with registry "ghcr.io"; kept it (not "quay.io")'),
    );
  });

  it('recognises a registration by its local path', async () => {
    updateNxJson(tree, { ...readNxJson(tree)!, plugins: ['./packages/nx-multiarch'] });
    await initGenerator(tree, {});
    expect(readNxJson(tree)?.plugins).toEqual(['./packages/nx-multiarch']);
  });

  it('adds a registry to registrations that have none, and only then', async () => {
    updateNxJson(tree, {
      ...readNxJson(tree)!,
      plugins: ['nx-multiarch', { plugin: 'nx-multiarch', include: ['apps/**/*'], options: { context: '.' } }],
    });
    await initGenerator(tree, { registry: '127.0.0.1:5000' });
    expect(readNxJson(tree)?.plugins).toEqual([
      { plugin: 'nx-multiarch', options: { registry: '127.0.0.1:5000' } },
      { plugin: 'nx-multiarch', include: ['apps/**/*'], options: { context: '.', registry: '127.0.0.1:5000' } },
    ]);
  });
});

describe('init generator: .gitignore', () => {
  let tree: Tree;
  beforeEach(() => {
    tree = createTreeWithEmptyWorkspace({ formatter: 'none' });
    jest.spyOn(logger, 'info').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  it('knows every folder the targets write by default, read off the functions that name the paths', () => {
    expect(PLUGIN_OUTPUT_FOLDERS).toEqual(['dist/images', 'dist/images-per-arch', 'dist/lint', 'dist/push-records']);
    const written = [
      defaultOutputPath('apps/api'),
      archOutputPath('apps/api', 'arm64'),
      defaultLintOutput('apps/api'),
      pushRecordPath('', 'apps/api'),
    ];
    written.forEach((path, i) => expect(path.startsWith(`${PLUGIN_OUTPUT_FOLDERS[i]}/`)).toBe(true));
  });

  it('creates .gitignore with all four folders, or appends them to it', async () => {
    await initGenerator(tree, {});
    expect(tree.read('.gitignore', 'utf-8')).toBe(IGNORE_BLOCK);

    const other = createTreeWithEmptyWorkspace({ formatter: 'none' });
    other.write('.gitignore', 'node_modules');
    await initGenerator(other, {});
    expect(other.read('.gitignore', 'utf-8')).toBe(`node_modules\n\n${IGNORE_BLOCK}`);
  });

  it.each(['dist', 'dist/', '/dist', '/dist/', 'dist/*', 'dist/**', '**/dist', '  /dist/  '])(
    'leaves a .gitignore that ignores all of dist (%j) alone',
    async (line) => {
      tree.write('.gitignore', `node_modules\n${line}\n`);
      await initGenerator(tree, {});
      expect(tree.read('.gitignore', 'utf-8')).toBe(`node_modules\n${line}\n`);
    },
  );

  it('adds only the folders no line covers yet', async () => {
    tree.write('.gitignore', 'node_modules\n/dist/images/\ndist/lint\n');
    await initGenerator(tree, {});
    expect(tree.read('.gitignore', 'utf-8')).toBe(
      'node_modules\n/dist/images/\ndist/lint\n\n# nx-multiarch outputs (images, per-arch images, lint findings, push records)\n/dist/images-per-arch\n/dist/push-records\n',
    );
  });

  it('does not count comments, negations, other wildcards or a sibling folder as covering', async () => {
    const lines = '# dist\n!dist\ndist/images-*\ndist/images2\ndist-old\n';
    tree.write('.gitignore', lines);
    await initGenerator(tree, {});
    expect(tree.read('.gitignore', 'utf-8')).toBe(`${lines}\n${IGNORE_BLOCK}`);
  });

  it('reads Windows line endings', async () => {
    tree.write('.gitignore', 'node_modules\r\ndist\r\n');
    await initGenerator(tree, {});
    expect(tree.read('.gitignore', 'utf-8')).toBe('node_modules\r\ndist\r\n');
  });
});

describe('init generator: --registry', () => {
  let tree: Tree;
  beforeEach(() => {
    tree = createTreeWithEmptyWorkspace({ formatter: 'none' });
    jest.spyOn(logger, 'info').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  it.each([
    'quay.io',
    'ghcr.io',
    'registry-1.docker.io',
    'localhost',
    'localhost:5000',
    '127.0.0.1:5000',
    '10.0.0.7',
    '[::1]:5000',
    '[fd00::7]',
    'registry.example.com:443',
  ])('accepts %s', async (registry) => {
    await initGenerator(tree, { registry });
    expect(readNxJson(tree)?.plugins).toEqual([{ ...DEFAULT_ENTRY, options: { ...DEFAULT_ENTRY.options, registry } }]);
  });

  /** The error, and that nothing was written: no nx.json change, no .gitignore. */
  async function refused(registry: string): Promise<string> {
    const before = tree.read('nx.json', 'utf-8');
    const error = await initGenerator(tree, { registry }).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error).toBeInstanceOf(Error);
    expect(tree.read('nx.json', 'utf-8')).toBe(before);
    expect(tree.exists('.gitignore')).toBe(false);
    return error!.message;
  }

  it('refuses a path, naming the value and the fix built from it', async () => {
    const message = await refused('quay.io/acme');
    expect(message).toMatch(/^Invalid registry "quay.io\/acme": it has a path \("\/acme"\), which belongs in the image name\. /);
    expect(message).toContain('Use registry: quay.io, imageName: acme/{projectName}');
    expect(message).toContain('--registry=quay.io, and "imageName": "acme/{projectName}" in the nx-multiarch options in nx.json');
  });

  it.each([
    ['https://quay.io', 'it starts with a scheme ("https://")', 'Use registry: quay.io (--registry=quay.io).'],
    ['https://ghcr.io/Acme/team/', 'it has a path ("/Acme/team")', 'Use registry: ghcr.io, imageName: acme/team/{projectName}'],
    ['quay.io/', 'it ends with "/"', 'Use registry: quay.io (--registry=quay.io).'],
    [' quay.io ', 'it has whitespace around it', 'Use registry: quay.io (--registry=quay.io).'],
    ['Quay.IO:5000', 'it has uppercase letters', 'Use registry: quay.io:5000 (--registry=quay.io:5000).'],
  ])('refuses %j with the fix', async (registry, problem, fix) => {
    const message = await refused(registry);
    expect(message).toContain(`Invalid registry ${JSON.stringify(registry)}: `);
    expect(message).toContain(problem);
    expect(message).toContain(fix);
  });

  it.each([
    ['', 'it is empty'],
    ['   ', 'it is empty'],
    ['has space', 'it has whitespace in it'],
    ['quay.io:99999', '"99999" is not a port (1-65535)'],
    ['quay.io:', '"" is not a port (1-65535)'],
    ['quay..io', '"quay..io" is not a host name or an IPv4 address'],
    ['-quay.io', '"-quay.io" is not a host name or an IPv4 address'],
    ['999.1.1.1', '"999.1.1.1" is not a host name or an IPv4 address'],
    ['::1', '"::1" is an IPv6 address without brackets: write [::1]'],
    ['[nope]:5000', '"[nope]" is not an IPv6 address'],
  ])('refuses %j, saying why, with examples of valid values', async (registry, problem) => {
    const message = await refused(registry);
    expect(message).toContain(`Invalid registry ${JSON.stringify(registry)}: ${problem}.`);
    expect(message).toContain('For example --registry=ghcr.io or --registry=127.0.0.1:5000.');
  });
});

describe('init generator: next steps', () => {
  let tree: Tree;
  beforeEach(() => {
    tree = createTreeWithEmptyWorkspace({ formatter: 'none' });
    jest.spyOn(logger, 'info').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  it('prints the next commands once the files are written, and how to set a registry while there is none', async () => {
    const callback = await initGenerator(tree, {});
    expect(logger.info).not.toHaveBeenCalled();
    callback();
    const text = printed();
    expect(text).toMatch(/nx g nx-multiarch:service apps\/my-api +# /);
    expect(text).toMatch(/nx run <project>:docker-build +# /);
    expect(text).toMatch(/nx affected -t docker-push +# /);
    expect(text).toMatch(/nx g nx-multiarch:ci +# /);
    expect(text).toContain('No registry is set, so docker-push has nowhere to push: nx g nx-multiarch:init --registry=<host[:port]>');
  });

  it('leaves the registry hint out when one is set, and uses the configured target names', async () => {
    updateNxJson(tree, {
      ...readNxJson(tree)!,
      plugins: [{ plugin: 'nx-multiarch', options: { registry: 'quay.io', buildTargetName: 'image', pushTargetName: 'publish' } }],
    });
    (await initGenerator(tree, {}))();
    const text = printed();
    expect(text).toMatch(/nx run <project>:image +# /);
    expect(text).toMatch(/nx affected -t publish +# /);
    expect(text).not.toContain('No registry is set');
  });
});

describe('init schema.json', () => {
  const schema = JSON.parse(readFileSync(join(__dirname, 'schema.json'), 'utf8'));

  // nx add (Nx 20-24) runs `nx g <plugin>:init --keepExistingVersions` (and --updatePackageScripts for Nx's own
  // plugins) when the schema lists them; additionalProperties is false, so each must be declared.
  it.each(['keepExistingVersions', 'updatePackageScripts'])('declares %s, the flag nx add passes', (flag) => {
    expect(schema.properties[flag]).toMatchObject({ type: 'boolean', 'x-priority': 'internal' });
  });
});
