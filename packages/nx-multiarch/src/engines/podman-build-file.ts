import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { podmanDockerfileText } from '../dockerfile/epoch-label';
import { writeDockerfileCopy } from '../dockerfile/copy';
import { lineDiff } from '../dockerfile/line-diff';
import type { PreparedFile } from './types';

type Rewrite = (text: string) => { text: string; bases: string[]; notes: string[] };

/**
 * The Dockerfile copy podman builds (workspace bases, source-epoch labels, the image labels as one LABEL), written
 * where a real run and a dry run both find it, with what it changes for a dry run's report.
 */
export async function podmanBuildFile(
  project: string,
  workspaceRoot: string,
  request: { dockerfile: string; sourceDateEpoch?: number; labels: Record<string, string>; target?: string },
  rewriteBases: Rewrite = (text) => ({ text, bases: [], notes: [] }),
): Promise<{ dockerfile: string; labels: Record<string, string>; bases: string[]; notes: string[]; file: PreparedFile }> {
  const original = readFileSync(request.dockerfile, 'utf8');
  const { text: withBases, bases, notes } = rewriteBases(original);
  const { text, labels } = podmanDockerfileText(withBases, request);
  const dockerfile = await writeDockerfileCopy(project, request.dockerfile, text);
  const file = {
    path: dockerfile,
    about: `the copy of ${relative(workspaceRoot, request.dockerfile)} that podman builds`,
    changes: lineDiff(original, text),
  };
  return { dockerfile, labels, bases, notes, file };
}
