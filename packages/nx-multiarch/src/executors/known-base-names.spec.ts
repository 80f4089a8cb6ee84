import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../../../../tools/fixtures/workspace-kit';
import { knownBaseNames } from './known-base-names';

const AMD64 = 'localhost/nx-multiarch-base/busybox:82b216093b1963c1-amd64';
const ARM64 = 'localhost/nx-multiarch-base/busybox:82b216093b1963c1-arm64';
const env = { HOME: '/root', CONTAINERS_STORAGE_CONF: '/etc/containers/storage.conf' };

let root: string;
let saved: string | undefined;
beforeEach(() => {
  root = tempDir('known-bases-');
  saved = process.env.NX_WORKSPACE_DATA_DIRECTORY;
  delete process.env.NX_WORKSPACE_DATA_DIRECTORY;
});
afterEach(() => {
  if (saved === undefined) delete process.env.NX_WORKSPACE_DATA_DIRECTORY;
  else process.env.NX_WORKSPACE_DATA_DIRECTORY = saved;
});

describe('knownBaseNames', () => {
  it('knows nothing at first; a remembered name is known to the next build (another process) of the same store', () => {
    expect(knownBaseNames(root, env).has([AMD64])).toBe(false);
    knownBaseNames(root, env).remember([AMD64]);
    const next = knownBaseNames(root, env);
    expect(next.has([AMD64])).toBe(true);
    expect(next.has([AMD64, ARM64])).toBe(false); // every name, or the store is asked
    expect(next.has([])).toBe(false);
  });

  it('keeps one file per store: another storage.conf, user home or podman service knows none of them', () => {
    knownBaseNames(root, env).remember([AMD64, ARM64]);
    for (const other of [
      { ...env, CONTAINERS_STORAGE_CONF: '/tmp/store/storage.conf' },
      { ...env, HOME: '/home/dev' },
      { ...env, CONTAINER_HOST: 'tcp://builder:8080' },
    ])
      expect(knownBaseNames(root, other).has([AMD64])).toBe(false);
    expect(knownBaseNames(root, env).has([AMD64, ARM64])).toBe(true);
  });

  it("writes to Nx's workspace data directory, each name once, whole lines", () => {
    const known = knownBaseNames(root, env);
    known.remember([AMD64]);
    known.remember([AMD64, ARM64]);
    knownBaseNames(root, env).remember([ARM64]);
    const dataDir = join(root, '.nx', 'workspace-data');
    const [file] = readdirSync(dataDir).filter((name) => name.startsWith('nx-multiarch-base-names-'));
    expect(readFileSync(join(dataDir, file), 'utf8')).toBe(`${AMD64}\n${ARM64}\n`);
  });

  it('a file it can neither read nor write (a folder in its place) leaves nothing known and throws nothing', () => {
    knownBaseNames(root, env).remember([AMD64]);
    const dataDir = join(root, '.nx', 'workspace-data');
    const [file] = readdirSync(dataDir).filter((name) => name.startsWith('nx-multiarch-base-names-'));
    rmSync(join(dataDir, file));
    mkdirSync(join(dataDir, file));
    const known = knownBaseNames(root, env);
    expect(known.has([AMD64])).toBe(false);
    expect(() => known.remember([AMD64])).not.toThrow();
    expect(knownBaseNames(root, env).has([AMD64])).toBe(false);
  });
});
