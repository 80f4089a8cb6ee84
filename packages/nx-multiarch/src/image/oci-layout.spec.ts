import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { blobPath, readLayout, sortIndexByPlatform } from './oci-layout';
import { digestOf, layoutWith } from './test-layout';

describe('OCI layout', () => {
  it('reads every platform image with its config digest and pull size', async () => {
    const layout = await readLayout(
      layoutWith([
        ['linux', 'amd64'],
        ['linux', 'arm64'],
      ]),
    );
    expect(layout.images.map((i) => i.platform)).toEqual(['linux/amd64', 'linux/arm64']);
    expect(layout.images[0].size).toBeGreaterThan(layout.images[0].manifestSize);
    expect(layout.images[0].configDigest).toBe(digestOf(JSON.stringify({ architecture: 'amd64', os: 'linux' })));
  });

  it('sorts the index by platform so the index digest does not depend on build order', async () => {
    const forward = layoutWith([
      ['linux', 'amd64'],
      ['linux', 'arm64'],
    ]);
    const backward = layoutWith([
      ['linux', 'arm64'],
      ['linux', 'amd64'],
    ]);
    const before = (await readLayout(backward)).index.digest;
    await sortIndexByPlatform(forward);
    await sortIndexByPlatform(backward);
    const sorted = await readLayout(backward);
    expect(sorted.index.digest).toBe((await readLayout(forward)).index.digest);
    expect(sorted.index.digest).not.toBe(before);
    expect(existsSync(blobPath(backward, before))).toBe(false);
    expect(digestOf(readFileSync(blobPath(backward, sorted.index.digest), 'utf8'))).toBe(sorted.index.digest);
  });

  it('refuses a layout that holds a single image instead of a list', async () => {
    const dir = layoutWith([['linux', 'amd64']]);
    const top = JSON.parse(readFileSync(join(dir, 'index.json'), 'utf8'));
    top.manifests[0].mediaType = 'application/vnd.oci.image.manifest.v1+json';
    writeFileSync(join(dir, 'index.json'), JSON.stringify(top));
    await expect(readLayout(dir)).rejects.toThrow('is a single image');
  });
});
