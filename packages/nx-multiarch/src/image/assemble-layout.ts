import { createHash } from 'node:crypto';
import { copyFile, mkdir, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { run } from '../run/exec';
import { blobPath, OCI_INDEX } from './oci-layout';

export interface PlatformArchive {
  platform: string;
  /** an oci-archive holding exactly one image */
  path: string;
}

const readJson = async (path: string) => JSON.parse(await readFile(path, 'utf8'));

/**
 * Joins single-image OCI archives (what `podman --url ... save` streams back from a remote builder) into one OCI layout
 * whose `latest` is an image index with each image's platform taken from its own config, the form a local build writes.
 */
export async function assembleLayout(archives: PlatformArchive[], layoutDir: string, cwd: string, tag = 'latest'): Promise<void> {
  await mkdir(join(layoutDir, 'blobs', 'sha256'), { recursive: true });
  const manifests = [];
  for (const archive of archives) {
    const extracted = `${archive.path}.d`;
    await mkdir(extracted, { recursive: true });
    await run({ argv: ['tar', '-xf', archive.path, '-C', extracted], description: `unpack ${archive.path}` }, { cwd });
    const [descriptor] = (await readJson(join(extracted, 'index.json'))).manifests;
    for (const name of await readdir(join(extracted, 'blobs', 'sha256'))) {
      await copyFile(join(extracted, 'blobs', 'sha256', name), join(layoutDir, 'blobs', 'sha256', name));
    }
    const manifest = await readJson(blobPath(layoutDir, descriptor.digest));
    const config = await readJson(blobPath(layoutDir, manifest.config.digest));
    const platform = { architecture: config.architecture, os: config.os, ...(config.variant ? { variant: config.variant } : {}) };
    manifests.push({ mediaType: descriptor.mediaType, digest: descriptor.digest, size: descriptor.size, platform });
    await rm(extracted, { recursive: true, force: true });
  }
  const index = JSON.stringify({ schemaVersion: 2, mediaType: OCI_INDEX, manifests });
  const digest = `sha256:${createHash('sha256').update(index).digest('hex')}`;
  await writeFile(blobPath(layoutDir, digest), index);
  const top = {
    schemaVersion: 2,
    manifests: [
      { mediaType: OCI_INDEX, digest, size: Buffer.byteLength(index), annotations: { 'org.opencontainers.image.ref.name': tag } },
    ],
  };
  await writeFile(join(layoutDir, 'index.json'), JSON.stringify(top));
  await writeFile(join(layoutDir, 'oci-layout'), JSON.stringify({ imageLayoutVersion: '1.0.0' }));
}
