import { createHash } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { blobPath, INDEX_MEDIA_TYPES, readJson } from './oci-layout';

interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
}
interface HistoryEntry {
  comment?: string;
  [key: string]: unknown;
}

/**
 * buildah (podman 4.x) writes each build step's parent into the image config's history comment: `FROM <intermediate
 * image id>`, or `FROM <name>-tmp:latest` for a base it pulled for one platform of a list. Which name it uses, and so
 * every later intermediate id, depends on what the engine store already held, not on the image's inputs: the same
 * Dockerfile, files and timestamp gave another config digest in an empty store. The comment is informational only.
 */
const PARENT_COMMENT = /^FROM\s/;

/** Writes `value` as a blob and returns its descriptor fields; the old blob is removed if the bytes changed. */
async function replaceBlob(layoutDir: string, old: Descriptor, value: unknown): Promise<Pick<Descriptor, 'digest' | 'size'>> {
  const bytes = JSON.stringify(value);
  const digest = `sha256:${createHash('sha256').update(bytes).digest('hex')}`;
  if (digest !== old.digest) {
    await writeFile(blobPath(layoutDir, digest), bytes);
    await rm(blobPath(layoutDir, old.digest), { force: true });
  }
  return { digest, size: Buffer.byteLength(bytes) };
}

/** The config without parent comments, or undefined when it has none. */
export function withoutParentComments<T extends { history?: HistoryEntry[] }>(config: T): T | undefined {
  if (!config.history?.some((entry) => PARENT_COMMENT.test(entry.comment ?? ''))) return undefined;
  const history = config.history.map(({ comment, ...entry }) => (comment === undefined || PARENT_COMMENT.test(comment) ? entry : { ...entry, comment }));
  return { ...config, history };
}

/**
 * Rewrites the image list tagged `tag` in an OCI layout so that no image config carries a parent comment: configs,
 * then the manifests naming them, then the index and index.json get new digests. Layers are untouched.
 */
export async function dropParentComments(layoutDir: string, tag = 'latest'): Promise<void> {
  const top = await readJson<{ manifests: Array<Descriptor & { annotations?: Record<string, string> }> }>(join(layoutDir, 'index.json'));
  const entry = top.manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === tag) ?? top.manifests[0];
  if (!entry || !INDEX_MEDIA_TYPES.includes(entry.mediaType)) return;
  const index = await readJson<{ manifests: Descriptor[] }>(blobPath(layoutDir, entry.digest));
  let changed = false;
  for (const item of index.manifests) {
    const manifest = await readJson<{ config: Descriptor }>(blobPath(layoutDir, item.digest));
    const config = withoutParentComments(await readJson<{ history?: HistoryEntry[] }>(blobPath(layoutDir, manifest.config.digest)));
    if (!config) continue;
    Object.assign(manifest.config, await replaceBlob(layoutDir, manifest.config, config));
    Object.assign(item, await replaceBlob(layoutDir, item, manifest));
    changed = true;
  }
  if (!changed) return;
  Object.assign(entry, await replaceBlob(layoutDir, entry, index));
  await writeFile(join(layoutDir, 'index.json'), JSON.stringify(top));
}
