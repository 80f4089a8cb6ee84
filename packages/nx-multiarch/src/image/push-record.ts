import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';
import { pushRecordPath } from '../core/conventions';

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

async function writePushRecord(path: string, record: PushRecord): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  await writeFile(path, `${JSON.stringify(record, null, 2)}\n`);
}

/** What the registry was verified to serve, or why the verification failed. */
export type PushOutcome = { digest: string; platforms: PushRecord['platforms'] } | { problems: string[] };

/**
 * The one writer of push records (docker-push, per-arch docker-push, docker-manifest): what the registry serves under
 * the references, verified now; or, after a failed verification, ok: false with the problems, so that the status
 * report (--check) never reads an earlier good record for a push that failed.
 */
export async function recordPush(
  project: { name: string; root: string; workspaceRoot: string },
  push: { references: string[]; mode: PushRecord['mode']; arch?: string },
  outcome: PushOutcome,
): Promise<void> {
  const verified = 'digest' in outcome;
  await writePushRecord(pushRecordPath(project.workspaceRoot, project.root, push.arch), {
    project: project.name,
    references: push.references,
    mode: push.mode,
    digest: verified ? outcome.digest : '',
    platforms: verified ? outcome.platforms : [],
    verifiedAt: new Date().toISOString(),
    ok: verified,
    ...(verified ? {} : { problems: outcome.problems }),
  });
}

export async function readPushRecord(path: string): Promise<PushRecord> {
  return JSON.parse(await readFile(path, 'utf8')) as PushRecord;
}
