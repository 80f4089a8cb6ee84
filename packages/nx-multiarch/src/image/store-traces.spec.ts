import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { dropStoreTraces, withoutParentComments } from './store-traces';
import { blobPath, readLayout } from './oci-layout';
import { layoutWith } from './test-layout';

const base = [{ created_by: '/bin/sh -c #(nop) CMD ["sh"]' }, { created_by: 'COPY x', comment: 'buildkit.dockerfile.v0' }];
/** What buildah writes: the parent of each step, named one way in one store and another way in another. */
const historyNaming = (first: string, ids: string[]) => ({
  history: [
    ...base,
    { created_by: 'COPY src/ /app/', comment: `FROM ${first}` },
    ...ids.map((id) => ({ created_by: 'RUN x', comment: `FROM ${id}` })),
  ],
});

describe('engine store traces in an OCI layout', () => {
  it('drops buildah parent comments and keeps every other comment and field', () => {
    const config = withoutParentComments({ architecture: 'amd64', ...historyNaming('127.0.0.1:5000/base:1', ['50fe8dfc890e']) });
    expect(config).toEqual({
      architecture: 'amd64',
      history: [...base, { created_by: 'COPY src/ /app/' }, { created_by: 'RUN x' }],
    });
    expect(withoutParentComments({ history: base })).toBeUndefined();
  });

  it('two layouts that differ only in parent comments end up byte-identical, with every digest matching its blob', async () => {
    const baseNamed = (name: string, digest: string) => () => ({
      annotations: { 'org.opencontainers.image.base.name': name, 'org.opencontainers.image.base.digest': digest, 'x.kept': 'yes' },
    });
    const inOneStore = layoutWith(
      [
        ['linux', 'amd64'],
        ['linux', 'arm64'],
      ],
      (arch) => historyNaming('127.0.0.1:5000/base:1', [`${arch}1111`, `${arch}2222`]),
      baseNamed('127.0.0.1:5000/base:1', 'sha256:1111'),
    );
    const inAnother = layoutWith(
      [
        ['linux', 'amd64'],
        ['linux', 'arm64'],
      ],
      (arch) => historyNaming(`docker.io/library/${arch}9f3e-tmp:latest`, [`${arch}aaaa`, `${arch}bbbb`]),
      baseNamed('127.0.0.1:5000/alias/base:1', 'sha256:2222'),
    );
    const before = await readLayout(inOneStore);
    expect(before.index.digest).not.toBe((await readLayout(inAnother)).index.digest);

    await dropStoreTraces(inOneStore);
    await dropStoreTraces(inAnother);
    const [one, another] = [await readLayout(inOneStore), await readLayout(inAnother)];
    expect(another).toEqual(one);
    expect(one.index.digest).not.toBe(before.index.digest);
    expect(readFileSync(join(inAnother, 'index.json'), 'utf8')).toBe(readFileSync(join(inOneStore, 'index.json'), 'utf8'));
    const manifest = JSON.parse(readFileSync(blobPath(inOneStore, one.images[0].digest), 'utf8'));
    expect(manifest.annotations).toEqual({ 'x.kept': 'yes' });

    // Every blob is named by its own sha256, and the replaced configs, manifests and index are gone.
    for (const dir of [inOneStore, inAnother]) {
      const names = readdirSync(join(dir, 'blobs', 'sha256'));
      for (const name of names)
        expect(
          createHash('sha256')
            .update(readFileSync(join(dir, 'blobs', 'sha256', name)))
            .digest('hex'),
        ).toBe(name);
      expect(names).toHaveLength(1 + 2 * 3); // index + per platform: manifest, config, layer
    }
    expect(existsSync(blobPath(inOneStore, before.index.digest))).toBe(false);
    expect(existsSync(blobPath(inOneStore, before.images[0].configDigest))).toBe(false);
  });

  it('drops base annotations from a manifest whose config has no parent comment', async () => {
    const dir = layoutWith(
      [['linux', 'amd64']],
      () => ({ history: base }),
      () => ({ annotations: { 'org.opencontainers.image.base.name': 'x:1' } }),
    );
    const before = await readLayout(dir);
    await dropStoreTraces(dir);
    const after = await readLayout(dir);
    expect(after.images[0].configDigest).toBe(before.images[0].configDigest);
    expect(after.images[0].digest).not.toBe(before.images[0].digest);
    expect(JSON.parse(readFileSync(blobPath(dir, after.images[0].digest), 'utf8'))).not.toHaveProperty('annotations');
  });

  it('leaves a layout without store traces exactly as it was', async () => {
    const dir = layoutWith([['linux', 'amd64']], () => ({ history: base }));
    const indexJson = readFileSync(join(dir, 'index.json'), 'utf8');
    await dropStoreTraces(dir);
    expect(readFileSync(join(dir, 'index.json'), 'utf8')).toBe(indexJson);
  });
});
