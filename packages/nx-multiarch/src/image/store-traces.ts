import { createHash } from 'node:crypto';
import { rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { blobPath, INDEX_MEDIA_TYPES, readJson } from './oci-layout';

interface Descriptor {
  mediaType: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
}
interface HistoryEntry {
  comment?: string;
  [key: string]: unknown;
}

/*
 * What podman 4.x (buildah) records about the engine store rather than about the image's inputs. Its layer cache reuses
 * a step built earlier from the same base image under another name, and then carries that build's names: each step's
 * parent in the config history comment (`FROM <name>`, `FROM <intermediate image id>`, or `FROM <hash>-tmp:latest`
 * for a base pulled for one platform of a list), and the base's name and digest in the manifest annotations. The same
 * Dockerfile, files and timestamp then gave another digest than in an empty store. All of it is informational only.
 */
const PARENT_COMMENT = /^FROM\s/;
const BASE_ANNOTATIONS = ['org.opencontainers.image.base.name', 'org.opencontainers.image.base.digest'];

/** Writes `value` as a blob and returns its digest and size; the old blob is removed if the bytes changed. */
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
  const history = config.history.map(({ comment, ...entry }) =>
    comment === undefined || PARENT_COMMENT.test(comment) ? entry : { ...entry, comment },
  );
  return { ...config, history };
}

/** The annotations without the base image's name and digest (undefined when none are left). */
function withoutBaseAnnotations(annotations: Record<string, string> | undefined): Record<string, string> | undefined {
  const kept = Object.entries(annotations ?? {}).filter(([key]) => !BASE_ANNOTATIONS.includes(key));
  return kept.length > 0 ? Object.fromEntries(kept) : undefined;
}

/**
 * Rewrites the image list tagged `tag` in an OCI layout without the store's traces: configs without parent comments,
 * manifests without base annotations, then the index and index.json with the new digests. Layers are untouched.
 */
export async function dropStoreTraces(layoutDir: string, tag = 'latest'): Promise<void> {
  const top = await readJson<{ manifests: Descriptor[] }>(join(layoutDir, 'index.json'));
  const entry = top.manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === tag) ?? top.manifests[0];
  if (!entry || !INDEX_MEDIA_TYPES.includes(entry.mediaType)) return;
  const index = await readJson<{ manifests: Descriptor[] }>(blobPath(layoutDir, entry.digest));
  let changed = false;
  for (const item of index.manifests) {
    const manifest = await readJson<{ config: Descriptor; annotations?: Record<string, string> }>(blobPath(layoutDir, item.digest));
    const config = withoutParentComments(await readJson<{ history?: HistoryEntry[] }>(blobPath(layoutDir, manifest.config.digest)));
    const annotations = withoutBaseAnnotations(manifest.annotations);
    const baseAnnotated = Object.keys(manifest.annotations ?? {}).length !== Object.keys(annotations ?? {}).length;
    if (!config && !baseAnnotated) continue;
    if (config) Object.assign(manifest.config, await replaceBlob(layoutDir, manifest.config, config));
    const { annotations: _dropped, ...rest } = manifest;
    Object.assign(item, await replaceBlob(layoutDir, item, annotations ? { ...rest, annotations } : rest));
    changed = true;
  }
  if (!changed) return;
  Object.assign(entry, await replaceBlob(layoutDir, entry, index));
  await writeFile(join(layoutDir, 'index.json'), JSON.stringify(top));
}
