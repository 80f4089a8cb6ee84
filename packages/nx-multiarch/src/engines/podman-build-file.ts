import { readFileSync } from 'node:fs';
import { relative } from 'node:path';
import { podmanDockerfileText } from '../dockerfile/epoch-label';
import { writeDockerfileCopy } from '../dockerfile/copy';
import { lineDiff } from '../dockerfile/line-diff';
import type { PreparedFile } from './types';
import { findBaseSlots, withBaseSlots, type BaseSlot } from './podman-bases';

type Rewrite = (text: string) => { text: string; bases: string[]; notes: string[] };

/** What a parallel multi-platform build needs to find its bases without pulling them itself (see podman-bases.ts). */
export interface SlotRequest {
  buildArgs: Record<string, string>;
  platforms: string[];
  buildPlatform: string;
}

/**
 * The Dockerfile copy podman builds (workspace bases, source-epoch labels, the image labels as one LABEL), written
 * where a real run and a dry run both find it, with what it changes for a dry run's report.
 */
export async function podmanBuildFile(
  project: string,
  workspaceRoot: string,
  request: { dockerfile: string; sourceDateEpoch?: number; labels: Record<string, string>; target?: string },
  rewriteBases: Rewrite = (text) => ({ text, bases: [], notes: [] }),
  slotRequest?: SlotRequest,
): Promise<{
  dockerfile: string;
  labels: Record<string, string>;
  bases: string[];
  notes: string[];
  file: PreparedFile;
  slots: BaseSlot[];
}> {
  const original = readFileSync(request.dockerfile, 'utf8');
  const { text: withBases, bases, notes } = rewriteBases(original);
  const found = slotRequest ? findBaseSlots(withBases, slotRequest.buildArgs, slotRequest.platforms, slotRequest.buildPlatform) : [];
  const { text, labels } = podmanDockerfileText(withBaseSlots(withBases, found), request);
  const dockerfile = await writeDockerfileCopy(project, request.dockerfile, text);
  const file = {
    path: dockerfile,
    about: `the copy of ${relative(workspaceRoot, request.dockerfile)} that podman builds`,
    changes: lineDiff(original, text),
  };
  const slots = found.map(({ index: _index, ...slot }) => slot);
  return { dockerfile, labels, bases, notes, file, slots };
}
