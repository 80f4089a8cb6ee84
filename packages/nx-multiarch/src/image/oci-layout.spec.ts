import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { blobPath, readLayout, sortIndexByPlatform } from './oci-layout';

const digestOf = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;

function layoutWith(platforms: Array<[string, string]>): string {
  const dir = mkdtempSync(join(tmpdir(), 'layout-'));
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  const put = (text: string) => {
    const digest = digestOf(text);
    writeFileSync(blobPath(dir, digest), text);
    return { digest, size: Buffer.byteLength(text) };
  };
  const manifests = platforms.map(([os, architecture]) => {
    const config = put(JSON.stringify({ architecture, os }));
    const layer = put(`layer for ${architecture}`);
    const manifest = put(JSON.stringify({ schemaVersion: 2, config: { ...config, mediaType: 'c' }, layers: [{ ...layer, mediaType: 'l' }] }));
    return { mediaType: 'application/vnd.oci.image.manifest.v1+json', ...manifest, platform: { os, architecture } };
  });
  const index = put(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests }));
  writeFileSync(join(dir, 'index.json'), JSON.stringify({
    schemaVersion: 2,
    manifests: [{ mediaType: 'application/vnd.oci.image.index.v1+json', ...index, annotations: { 'org.opencontainers.image.ref.name': 'latest' } }],
  }));
  return dir;
}

describe('OCI layout', () => {
  it('reads every platform image with its config digest and pull size', async () => {
    const layout = await readLayout(layoutWith([['linux', 'amd64'], ['linux', 'arm64']]));
    expect(layout.images.map((i) => i.platform)).toEqual(['linux/amd64', 'linux/arm64']);
    expect(layout.images[0].size).toBeGreaterThan(layout.images[0].manifestSize);
    expect(layout.images[0].configDigest).toBe(digestOf(JSON.stringify({ architecture: 'amd64', os: 'linux' })));
  });

  it('sorts the index by platform so the index digest does not depend on build order', async () => {
    const forward = layoutWith([['linux', 'amd64'], ['linux', 'arm64']]);
    const backward = layoutWith([['linux', 'arm64'], ['linux', 'amd64']]);
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
