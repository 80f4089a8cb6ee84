import { existsSync, readFileSync } from 'node:fs';
import { isAbsolute, join, relative, sep } from 'node:path';
import { parseDockerfile } from '../dockerfile/parse';
import { certainExclusions, excludedBy, ignoreFiles, readIgnorePatterns } from '../plugin/dockerignore';
import { copiedPaths } from '../plugin/dependencies';
import { diskFiles } from '../plugin/workspace-files';

const posix = (path: string) => path.split(sep).join('/');

/**
 * A warning when the Dockerfile's COPY/ADD reaches the folder docker-build writes to and no ignore file excludes it
 * (a workspace-root context with `COPY . .` and a .dockerignore without dist): each image then copies earlier builds'
 * outputs, and builds running in parallel fail reading each other's half-written output ("lstat .../x.partial-...").
 */
export function outputInContextWarning(
  project: string,
  workspaceRoot: string,
  dockerfile: string,
  context: string,
  outputDir: string,
): string | undefined {
  const output = posix(relative(context, outputDir));
  if (output === '' || output.startsWith('..') || isAbsolute(output)) return undefined;
  const [rel, ctx] = [posix(relative(workspaceRoot, dockerfile)), posix(relative(workspaceRoot, context))];
  const outputPath = posix(relative(workspaceRoot, outputDir));
  const copied = copiedPaths(parseDockerfile(readFileSync(dockerfile, 'utf8')).copySources, ctx);
  if (!copied.some((path) => path === '' || outputPath === path || outputPath.startsWith(`${path}/`))) return undefined;
  if (excludedBy(certainExclusions(readIgnorePatterns(diskFiles(workspaceRoot), rel, ctx)), output)) return undefined;
  const ignoreFile = ignoreFiles(rel, ctx).find((file) => existsSync(join(workspaceRoot, file))) ?? ignoreFiles(rel, ctx)[1];
  return (
    `${project}: the build context ${ctx || '.'} holds ${outputPath}, where docker-build writes its output, and no .dockerignore excludes it: ` +
    "every build copies earlier builds' outputs into the image, and builds running in parallel can fail reading each other's half-written output. " +
    `Add "${output.split('/')[0]}" to ${ignoreFile}.`
  );
}
