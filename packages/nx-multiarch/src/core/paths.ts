import { posix } from 'node:path';

/**
 * Workspace-relative, POSIX, no "./" or trailing "/", "." and ".." segments resolved as far as they go, a leading
 * `{workspaceRoot}` token dropped; "" is the workspace root.
 */
export function normalisePath(path: string): string {
  const posixPath = path.replace(/\\/g, '/').replace(/^\{workspaceRoot\}(\/|$)/, '');
  const normal = posix
    .normalize(posixPath)
    .replace(/^\.\/?$/, '')
    .replace(/^\.\//, '')
    .replace(/\/$/, '')
    .replace(/^\//, '');
  return normal === '.' ? '' : normal;
}

/** `{projectName}` and `{projectRoot}` filled in: the one substitution every per-project pattern option gets. */
export const fillProjectTokens = (pattern: string, name: string, root: string): string =>
  pattern.replaceAll('{projectName}', name).replaceAll('{projectRoot}', root);

/** A path pattern filled in, a leading {workspaceRoot}/ dropped (paths are workspace-relative); "." for the root. */
export const fillPattern = (pattern: string, name: string, root: string) =>
  fillProjectTokens(pattern, name, root).replace(/^\{workspaceRoot\}(\/|$)/, '') || '.';
