import { logger, readNxJson, updateNxJson, type Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { initGenerator } from './generator';

const DEFAULT_ENTRY = {
  plugin: 'nx-multiarch',
  options: {
    platforms: ['linux/amd64', 'linux/arm64'],
    buildTargetName: 'docker-build',
    buildSingleTargetName: 'docker-build-single',
    pushTargetName: 'docker-push',
  },
};

const snapshot = (tree: Tree) => ({ nxJson: tree.read('nx.json', 'utf-8'), gitignore: tree.read('.gitignore', 'utf-8') });

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
    await initGenerator(tree, { registry: 'quay.io/acme' });
    expect(readNxJson(tree)?.plugins).toEqual([{ ...DEFAULT_ENTRY, options: { ...DEFAULT_ENTRY.options, registry: 'quay.io/acme' } }]);
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

  it('adds dist/images to .gitignore, creating it or appending to it', async () => {
    await initGenerator(tree, {});
    expect(tree.read('.gitignore', 'utf-8')).toBe('# nx-multiarch build output (OCI layouts, image.json)\n/dist/images\n');

    const other = createTreeWithEmptyWorkspace({ formatter: 'none' });
    other.write('.gitignore', 'node_modules');
    await initGenerator(other, {});
    expect(other.read('.gitignore', 'utf-8')).toBe('node_modules\n\n# nx-multiarch build output (OCI layouts, image.json)\n/dist/images\n');
  });

  it.each(['dist', 'dist/', '/dist', '/dist/', 'dist/**', 'dist/images', '/dist/images/'])('leaves a .gitignore that already ignores it (%s) alone', async (line) => {
    tree.write('.gitignore', `node_modules\n${line}\n`);
    await initGenerator(tree, {});
    expect(tree.read('.gitignore', 'utf-8')).toBe(`node_modules\n${line}\n`);
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
    const existing = { plugin: 'nx-multiarch', options: { platforms: ['linux/arm64'], registry: 'ghcr.io/acme', imageName: 'team/{projectName}' } };
    updateNxJson(tree, { ...readNxJson(tree)!, plugins: [existing] });
    await initGenerator(tree, {});
    expect(readNxJson(tree)?.plugins).toEqual([existing]);
    // A different registry is not forced over the configured one.
    await initGenerator(tree, { registry: 'quay.io' });
    expect(readNxJson(tree)?.plugins).toEqual([existing]);
    expect(logger.warn).toHaveBeenCalledWith(expect.stringContaining('already registered with registry "ghcr.io/acme"; kept it (not "quay.io")'));
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

  it.each(['https://quay.io', 'quay.io/', 'has space', ''])('refuses a malformed registry (%j), naming it', async (registry) => {
    await expect(initGenerator(tree, { registry })).rejects.toThrow(`Invalid registry "${registry}"`);
  });
});
