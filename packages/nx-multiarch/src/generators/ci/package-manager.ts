/**
 * The workspace's package manager, and what the workflow needs of it: the steps that put it on the runner before
 * actions/setup-node (whose cache looks the package manager up), setup-node's cache, the install and how nx runs.
 *
 * Read from the tree rather than with Nx's detectPackageManager: that one reads the disk (so not a tree under
 * test or dry run), and with no lock file it answers npm on Nx 20-21 but the package manager that started nx on
 * Nx 22 and later. The order of the lock files is the same as Nx's, and nx.json's cli.packageManager wins as there.
 */
import { readNxJson, type PackageManager, type Tree } from '../../devkit';

export interface PackageManagerSetup {
  name: PackageManager;
  /** Steps before actions/setup-node. */
  setupSteps: Array<Record<string, unknown>>;
  /** actions/setup-node's `cache` input; none for bun, which setup-node does not cache. */
  nodeCache?: string;
  install: string;
  /** The command that runs the workspace's nx. */
  nx: string;
}

const KNOWN: readonly PackageManager[] = ['npm', 'pnpm', 'yarn', 'bun'];

const readText = (tree: Tree, path: string) => (tree.exists(path) ? (tree.read(path, 'utf-8') ?? '') : undefined);

/** package.json's `packageManager` field (Corepack's), e.g. { name: 'pnpm', major: 9 } for "pnpm@9.12.0+sha512...". */
export function declaredPackageManager(tree: Tree): { name: string; major?: number } | undefined {
  const text = readText(tree, 'package.json');
  let field: unknown;
  try {
    field = text === undefined ? undefined : JSON.parse(text).packageManager;
  } catch {
    return undefined; // a broken package.json is not this generator's to report
  }
  const match = typeof field === 'string' ? /^(@?[^@]+)@(\d+)?/.exec(field) : null;
  return match ? { name: match[1], major: match[2] === undefined ? undefined : Number(match[2]) } : undefined;
}

export function detectPackageManagerInTree(tree: Tree): PackageManager {
  const configured = (readNxJson(tree)?.cli as { packageManager?: string } | undefined)?.packageManager;
  if (KNOWN.includes(configured as PackageManager)) return configured as PackageManager;
  if (tree.exists('bun.lockb') || tree.exists('bun.lock')) return 'bun';
  if (tree.exists('yarn.lock')) return 'yarn';
  if (tree.exists('pnpm-lock.yaml')) return 'pnpm';
  if (tree.exists('package-lock.json')) return 'npm';
  const declared = declaredPackageManager(tree)?.name;
  return KNOWN.includes(declared as PackageManager) ? (declared as PackageManager) : 'npm';
}

/** Yarn 2+ (Berry): packageManager says so, or the lock file is Berry's (`__metadata:`), or .yarnrc.yml configures it. */
export function isYarnBerry(tree: Tree): boolean {
  const declared = declaredPackageManager(tree);
  if (declared?.name === 'yarn' && declared.major !== undefined) return declared.major >= 2;
  const lock = readText(tree, 'yarn.lock');
  if (lock !== undefined) return /^__metadata:/m.test(lock);
  return tree.exists('.yarnrc.yml');
}

/**
 * The pnpm major version for pnpm/action-setup when package.json does not declare one (the action then reads it from
 * there): from the lock file format (9.0 is written by pnpm 9 and 10, 6.x by pnpm 8, 5.x by pnpm 7), else 10.
 */
export function pnpmVersion(tree: Tree): number | undefined {
  const declared = declaredPackageManager(tree);
  if (declared?.name === 'pnpm') return undefined;
  const lockfileVersion = /^lockfileVersion: '?(\d+)/m.exec(readText(tree, 'pnpm-lock.yaml') ?? '')?.[1];
  const byLockfile: Record<string, number> = { '9': 10, '6': 8, '5': 7 };
  return byLockfile[lockfileVersion ?? ''] ?? 10;
}

export function packageManagerSetup(tree: Tree): PackageManagerSetup {
  const name = detectPackageManagerInTree(tree);
  switch (name) {
    case 'pnpm': {
      const version = pnpmVersion(tree);
      return {
        name,
        setupSteps: [{ name: 'Set up pnpm', uses: 'pnpm/action-setup@v4', ...(version === undefined ? {} : { with: { version } }) }],
        nodeCache: 'pnpm',
        install: 'pnpm install --frozen-lockfile',
        nx: 'pnpm exec nx',
      };
    }
    case 'yarn': {
      const berry = isYarnBerry(tree);
      // Corepack provides the Yarn package.json declares; setup-node's yarn cache already runs it, so it comes first.
      const corepack = berry || declaredPackageManager(tree)?.name === 'yarn';
      return {
        name,
        setupSteps: corepack ? [{ name: 'Enable Corepack (the Yarn package.json declares)', run: 'corepack enable' }] : [],
        nodeCache: 'yarn',
        install: berry ? 'yarn install --immutable' : 'yarn install --frozen-lockfile',
        nx: 'yarn nx',
      };
    }
    case 'bun':
      return {
        name,
        setupSteps: [{ name: 'Set up Bun', uses: 'oven-sh/setup-bun@v2' }],
        install: 'bun install --frozen-lockfile',
        nx: 'bunx nx',
      };
    default:
      return { name: 'npm', setupSteps: [], nodeCache: 'npm', install: 'npm ci', nx: 'npx nx' };
  }
}
