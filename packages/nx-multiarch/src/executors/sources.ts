/**
 * What an image is built from, located and checked on disk for the executors: the Dockerfile and context, the secret
 * files, the commit that last touched them, and the main tag.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { isAbsolute, join, relative, resolve, sep } from 'node:path';
import { DOCKERFILE_NAMES } from '../core/conventions';
import { BuildInputError, InvalidReferenceError } from '../core/errors';
import type { ProjectInfo } from '../core/project';
import { parseDockerfile } from '../dockerfile/parse';
import { lastCommitTouching, shortHeadSha, type SourceRevision } from '../git/info';
import { validateTag } from '../image/reference';
import { gitPathspecs, imageSources } from '../plugin/inputs';
import { diskFiles } from '../plugin/workspace-files';

function insideWorkspace(workspaceRoot: string, path: string): boolean {
  const rel = relative(workspaceRoot, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** Absolute Dockerfile and context paths; each must exist inside the workspace. */
export function locateSources(
  project: ProjectInfo,
  options: { dockerfile?: string; context?: string },
): { dockerfile: string; context: string } {
  const root = project.workspaceRoot;
  const context = resolve(root, options.context ?? project.root);
  if (!insideWorkspace(root, context)) {
    throw new BuildInputError(
      `context "${options.context}" is outside the workspace (${root}): give a folder inside it, relative to the workspace root.`,
    );
  }
  if (!existsSync(context))
    throw new BuildInputError(
      `context folder "${options.context}" does not exist: set the context option to an existing folder, relative to the workspace root.`,
    );
  const dockerfile = options.dockerfile
    ? resolve(root, options.dockerfile)
    : (DOCKERFILE_NAMES.map((name) => join(root, project.root, name)).find((path) => existsSync(path)) ??
      join(root, project.root, 'Dockerfile'));
  if (!existsSync(dockerfile)) {
    throw new BuildInputError(
      `Dockerfile not found: ${relative(root, dockerfile)}. Add one, or set the dockerfile option (relative to the workspace root) for project "${project.name}".`,
    );
  }
  return { dockerfile, context };
}

/** Secret files, resolved and checked to exist; the error names the id and the path, never the content. */
export function secretFiles(workspaceRoot: string, secrets: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!secrets) return undefined;
  return Object.fromEntries(
    Object.entries(secrets).map(([id, path]) => {
      const file = resolve(workspaceRoot, path);
      if (!existsSync(file))
        throw new BuildInputError(`secret "${id}": no file at ${file}. Create it, or fix the path in the secrets option.`);
      return [id, file];
    }),
  );
}

/**
 * The newest commit that touched what shapes the image (Dockerfile, ignore files, copied sources minus ignored ones):
 * the revision label and timestamp, so commits that change nothing in the image leave its digest alone.
 */
export async function sourceRevision(
  workspaceRoot: string,
  sources: { dockerfile: string; context: string },
): Promise<SourceRevision | undefined> {
  const parsed = parseDockerfile(await readFile(sources.dockerfile, 'utf8'));
  const rel = (path: string) => relative(workspaceRoot, path).split(sep).join('/');
  return lastCommitTouching(
    workspaceRoot,
    gitPathspecs(imageSources(diskFiles(workspaceRoot), rel(sources.dockerfile), rel(sources.context), parsed)),
  );
}

/** The main tag: the option (CLI, IMAGE_TAG or IMG), else the project's version, else the short git SHA. */
export async function mainTag(project: ProjectInfo, tag: string | undefined): Promise<string> {
  if (tag !== undefined) return validateTag(tag);
  const chosen = project.version ?? (await shortHeadSha(project.workspaceRoot));
  if (!chosen)
    throw new InvalidReferenceError(
      `No tag for ${project.name}: there is no package.json version and no git commit; set IMAGE_TAG or the tag option.`,
    );
  return validateTag(chosen);
}
