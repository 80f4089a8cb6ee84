import { DockerfileParser } from 'dockerfile-ast';
import { cpSync, existsSync, readFileSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';

export const EPOCH_LABEL = 'nx-multiarch.source-epoch';

/** The Dockerfile text with `LABEL nx-multiarch.source-epoch="<epoch>"` right after every FROM instruction. */
export function withEpochLabels(text: string, epoch: number): string {
  const lines = text.split('\n');
  const ends = DockerfileParser.parse(text).getFROMs().map((from) => from.getRange().end.line);
  for (const end of ends.reverse()) lines.splice(end + 1, 0, `LABEL ${EPOCH_LABEL}="${epoch}"`);
  return lines.join('\n');
}

/**
 * podman 4.x keys its layer cache without `--timestamp`, so a cached layer from a build with another timestamp (same
 * files, other commit) comes back with that build's file times and digests, unlike a clean build. A label carrying the
 * timestamp right after each FROM puts it into every later step's cache key. Writes the labelled copy into workDir.
 */
export async function keyCacheByEpoch(dockerfile: string, epoch: number | undefined, workDir: string): Promise<string> {
  if (epoch === undefined) return dockerfile;
  const labelled = join(workDir, 'Dockerfile.epoch');
  await writeFile(labelled, withEpochLabels(readFileSync(dockerfile, 'utf8'), epoch));
  // podman reads <Dockerfile>.dockerignore before the context's .dockerignore: keep it next to the copy.
  if (existsSync(`${dockerfile}.dockerignore`)) cpSync(`${dockerfile}.dockerignore`, `${labelled}.dockerignore`);
  return labelled;
}
