import { createHash, randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

export const COPY_NAME = 'Dockerfile.podman';

const ignoreFileOf = (dockerfile: string) =>
  existsSync(`${dockerfile}.dockerignore`) ? readFileSync(`${dockerfile}.dockerignore`, 'utf8') : undefined;

/**
 * Where the Dockerfile copy podman builds lives: a folder named after the project and the copy's content (with the
 * original's `<Dockerfile>.dockerignore`), so a dry run names, and writes, the very file a real run then builds.
 */
export function dockerfileCopyPath(project: string, original: string, text: string): string {
  const hash = createHash('sha256')
    .update(text)
    .update('\0')
    .update(ignoreFileOf(original) ?? '')
    .digest('hex')
    .slice(0, 16);
  return join(tmpdir(), 'nx-multiarch-dockerfiles', `${project.replace(/[^\w.-]/g, '_')}-${hash}`, COPY_NAME);
}

/**
 * Writes the copy (and `<Dockerfile>.dockerignore` beside it: podman reads it before the context's one) unless it is
 * there. Written into a folder of its own and renamed, so concurrent builds never read a half-written file; the folder
 * stays (like the base image layouts), because another build may be reading it.
 */
export async function writeDockerfileCopy(project: string, original: string, text: string): Promise<string> {
  const copy = dockerfileCopyPath(project, original, text);
  const folder = dirname(copy);
  if (existsSync(copy)) return copy;
  const partial = `${folder}.partial-${process.pid}-${randomBytes(3).toString('hex')}`;
  await mkdir(partial, { recursive: true });
  await writeFile(join(partial, COPY_NAME), text);
  const ignore = ignoreFileOf(original);
  if (ignore !== undefined) await writeFile(join(partial, `${COPY_NAME}.dockerignore`), ignore);
  await rename(partial, folder).catch(async (error: NodeJS.ErrnoException) => {
    await rm(partial, { recursive: true, force: true });
    if (!existsSync(copy)) throw error; // another build renamed the same content into place first: that one is used
  });
  return copy;
}
