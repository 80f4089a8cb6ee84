/**
 * Where the service goes, the way Nx's own project generators (@nx/js, @nx/node, Nx 20 and later) read it: the
 * directory is the project folder, relative to where nx was started, and the name defaults to its last segment.
 */
import { posix, relative } from 'node:path';
import { joinPathFragments, workspaceRoot } from '../../devkit';

const EXAMPLE = 'e.g. nx g nx-multiarch:service apps/my-api';

/**
 * The folder nx was started from, relative to the workspace root ('' at the root). npm and yarn scripts run in the
 * folder of the package.json they found and keep the caller's folder in INIT_CWD; Nx reads it the same way.
 */
export function relativeCwd(): string {
  const cwd = process.env.INIT_CWD?.startsWith(workspaceRoot) ? process.env.INIT_CWD : process.cwd();
  const path = relative(workspaceRoot, cwd).split('\\').join('/');
  return path.startsWith('..') ? '' : path;
}

/** The directory as a clean relative POSIX path; refuses one that leaves the workspace. */
function cleanDirectory(directory: string): string {
  const path = directory.trim().split('\\').join('/');
  if (path.startsWith('/') || /^[a-zA-Z]:/.test(path) || path.split('/').includes('..')) {
    throw new Error(
      `Invalid directory ${JSON.stringify(directory)}: give the service's folder relative to the workspace root, inside it (${EXAMPLE}).`,
    );
  }
  return posix.normalize(path).replace(/\/+$/, '').replace(/^\.$/, '');
}

/** The project root: the directory, under the folder nx was started from unless it already starts with that folder. */
export function resolveProjectRoot(directory: string | undefined, name: string | undefined, cwd = relativeCwd()): string {
  const given = directory ?? name;
  if (given === undefined || given.trim() === '') {
    throw new Error(`Give the service's folder as the first argument or --directory (${EXAMPLE}).`);
  }
  const path = cleanDirectory(given);
  const root = cwd === '' || path === cwd || path.startsWith(`${cwd}/`) ? path : joinPathFragments(cwd, path);
  if (root === '') {
    throw new Error(
      `Invalid directory ${JSON.stringify(given)}: that is the workspace root; a service needs a folder of its own (${EXAMPLE}).`,
    );
  }
  return root;
}

/** The project name when --name is not given: the folder's last segment. */
export const defaultName = (projectRoot: string): string => posix.basename(projectRoot);
