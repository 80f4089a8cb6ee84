/** Small OCI layouts written for unit tests (not part of the package). */
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { blobPath } from './oci-layout';
import { tempDir } from '../../../../tools/fixtures/workspace-kit';

export const digestOf = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;

export function layoutWith(
  platforms: Array<[string, string]>,
  configExtra: (architecture: string) => object = () => ({}),
  manifestExtra: (architecture: string) => object = () => ({}),
): string {
  const dir = tempDir('layout-');
  mkdirSync(join(dir, 'blobs', 'sha256'), { recursive: true });
  const put = (text: string) => {
    const digest = digestOf(text);
    writeFileSync(blobPath(dir, digest), text);
    return { digest, size: Buffer.byteLength(text) };
  };
  const manifests = platforms.map(([os, architecture]) => {
    const config = put(JSON.stringify({ architecture, os, ...configExtra(architecture) }));
    const layer = put(`layer for ${architecture}`);
    const manifest = put(
      JSON.stringify({
        schemaVersion: 2,
        config: { ...config, mediaType: 'c' },
        layers: [{ ...layer, mediaType: 'l' }],
        ...manifestExtra(architecture),
      }),
    );
    return { mediaType: 'application/vnd.oci.image.manifest.v1+json', ...manifest, platform: { os, architecture } };
  });
  const index = put(JSON.stringify({ schemaVersion: 2, mediaType: 'application/vnd.oci.image.index.v1+json', manifests }));
  writeFileSync(
    join(dir, 'index.json'),
    JSON.stringify({
      schemaVersion: 2,
      manifests: [
        { mediaType: 'application/vnd.oci.image.index.v1+json', ...index, annotations: { 'org.opencontainers.image.ref.name': 'latest' } },
      ],
    }),
  );
  return dir;
}
