import { createHash } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LayoutError } from '../core/errors';
import { formatPlatform } from './platform';

export const OCI_INDEX = 'application/vnd.oci.image.index.v1+json';
export const DOCKER_LIST = 'application/vnd.docker.distribution.manifest.list.v2+json';
export const OCI_MANIFEST = 'application/vnd.oci.image.manifest.v1+json';
export const DOCKER_MANIFEST = 'application/vnd.docker.distribution.manifest.v2+json';
/** The media types of a manifest list: an OCI image index or a Docker v2s2 list. */
export const INDEX_MEDIA_TYPES = [OCI_INDEX, DOCKER_LIST];

interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  platform?: { os: string; architecture: string; variant?: string };
  annotations?: Record<string, string>;
}
interface IndexJson {
  mediaType?: string;
  manifests: Descriptor[];
}
interface ManifestJson {
  mediaType?: string;
  config: Descriptor;
  layers: Descriptor[];
}

export interface LayoutImage {
  platform: string;
  digest: string;
  mediaType: string;
  manifestSize: number;
  configDigest: string;
  /** manifest + config + layers, compressed: what a pull of this platform downloads */
  size: number;
}

export interface LayoutContents {
  index: { digest: string; mediaType: string; size: number };
  images: LayoutImage[];
}

export function blobPath(layoutDir: string, digest: string): string {
  const [algorithm, hex] = digest.split(':');
  return join(layoutDir, 'blobs', algorithm, hex);
}

export async function readJson<T>(path: string): Promise<T> {
  try {
    return JSON.parse(await readFile(path, 'utf8')) as T;
  } catch (error) {
    throw new LayoutError(`Cannot read ${path}: ${(error as Error).message}`);
  }
}

/** The per-platform images of an image index (an OCI index or a Docker manifest list), as parsed JSON. */
export function describeIndex(index: IndexJson): Array<{ platform: string; digest: string; mediaType: string; size: number }> {
  return index.manifests
    .filter((m) => m.platform && m.platform.architecture !== 'unknown')
    .map((m) => ({ platform: formatPlatform(m.platform!), digest: m.digest, mediaType: m.mediaType, size: m.size }));
}

/** Reads the image tagged `tag` in an OCI layout: the index, then every platform's manifest and config. */
export async function readLayout(layoutDir: string, tag = 'latest'): Promise<LayoutContents> {
  const top = await readJson<IndexJson>(join(layoutDir, 'index.json'));
  const entry = top.manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === tag) ?? top.manifests[0];
  if (!entry) throw new LayoutError(`${layoutDir} holds no image`);
  if (!INDEX_MEDIA_TYPES.includes(entry.mediaType)) {
    throw new LayoutError(`${layoutDir}:${tag} is a single image (${entry.mediaType}), not a manifest list`);
  }
  const index = await readJson<IndexJson>(blobPath(layoutDir, entry.digest));
  const images = await Promise.all(
    describeIndex(index).map(async (item) => {
      const manifest = await readJson<ManifestJson>(blobPath(layoutDir, item.digest));
      const layers = manifest.layers.reduce((sum, layer) => sum + layer.size, 0);
      return {
        platform: item.platform,
        digest: item.digest,
        mediaType: item.mediaType,
        manifestSize: item.size,
        configDigest: manifest.config.digest,
        size: item.size + manifest.config.size + layers,
      };
    }),
  );
  return { index: { digest: entry.digest, mediaType: entry.mediaType, size: entry.size }, images };
}

/**
 * Engines list platforms in the order their builds finished, which varies run to run. Sorting the index by platform
 * makes the index digest depend only on the images, so equal inputs give an equal index digest.
 */
export async function sortIndexByPlatform(layoutDir: string, tag = 'latest'): Promise<void> {
  const top = await readJson<IndexJson>(join(layoutDir, 'index.json'));
  const entry = top.manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === tag) ?? top.manifests[0];
  if (!entry || !INDEX_MEDIA_TYPES.includes(entry.mediaType)) return;
  const index = await readJson<IndexJson>(blobPath(layoutDir, entry.digest));
  const key = (m: Descriptor) => (m.platform ? formatPlatform(m.platform) : '~');
  const sorted = [...index.manifests].sort((a, b) => key(a).localeCompare(key(b)));
  if (sorted.every((m, i) => m === index.manifests[i])) return;
  const bytes = JSON.stringify({ ...index, manifests: sorted });
  const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  await writeFile(blobPath(layoutDir, digest), bytes);
  const oldDigest = entry.digest;
  Object.assign(entry, { digest, size: Buffer.byteLength(bytes) });
  await writeFile(join(layoutDir, 'index.json'), JSON.stringify(top));
  await rm(blobPath(layoutDir, oldDigest));
}
