import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

/** What a docker-push verified: kept outside the cached build output, under dist/push-records/. */
export interface PushRecord {
  project: string;
  references: string[];
  mode: 'index' | 'v2s2' | 'single' | 'platform' | 'stitched';
  /** digest of what the registry serves under the tags (the index, or the one image after a single-arch fallback) */
  digest: string;
  platforms: Array<{ platform: string; digest: string }>;
  verifiedAt: string;
  /** false when the read-back found the registry serving something else than what was pushed */
  ok?: boolean;
  problems?: string[];
}

export async function writePushRecord(path: string, record: PushRecord): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(record, null, 2)}\n`);
}

export async function readPushRecord(path: string): Promise<PushRecord> {
  return JSON.parse(await readFile(path, 'utf8')) as PushRecord;
}
