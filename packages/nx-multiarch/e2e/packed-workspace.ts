/**
 * Workspaces as a user has them: a fresh folder with only `nx` from the npm registry (what `nx init` leaves), into
 * which the plugin comes from its packed tarball, never from this repository's node_modules. The tarball's folder and
 * the workspaces are tempDirs: they go when the test file is done.
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { execa } from './processes';
import { commitAll, tempDir } from '../../../tools/fixtures/workspace-kit';
import { runNx, type NxOptions, type NxResult } from './nx-runner';

const packageDir = join(__dirname, '..');
/** npm calls reuse the machine's npm cache and skip revalidating what it holds (CI keeps ~/.npm between runs where it can). */
const NPM_FLAGS = ['--no-audit', '--no-fund', '--prefer-offline', '--loglevel=error'];

/** `npm pack` of the built plugin into a temporary folder; returns the tarball's path. */
export async function packPlugin(): Promise<string> {
  const dest = tempDir('nx-multiarch-pack-');
  const { stdout } = await execa('npm', ['pack', '--json', '--pack-destination', dest], { cwd: packageDir });
  return join(dest, (JSON.parse(stdout) as Array<{ filename: string }>)[0].filename);
}

/** The newest stable release of an Nx major on the npm registry, e.g. 20 → 20.8.4. */
export async function latestNxOf(major: number): Promise<string> {
  const { stdout } = await execa('npm', ['view', `nx@^${major}.0.0`, 'version', '--json']);
  const versions = ([] as string[]).concat(JSON.parse(stdout)).filter((v) => !v.includes('-'));
  const key = (v: string) => v.split('.').map(Number);
  versions.sort((a, b) => key(a).reduce((d, n, i) => d || n - key(b)[i], 0));
  if (versions.length === 0) throw new Error(`no stable nx ${major}.x on the npm registry`);
  return versions[versions.length - 1];
}

/** A git repository with package.json, nx.json and `nx@<version>` installed, nothing else. */
export async function freshNxWorkspace(nxVersion: string): Promise<string> {
  const dir = tempDir(`nx-multiarch-nx${nxVersion.split('.')[0]}-`);
  writeFileSync(
    join(dir, 'package.json'),
    `${JSON.stringify({ name: 'user-workspace', private: true, devDependencies: { nx: nxVersion } }, null, 2)}\n`,
  );
  writeFileSync(join(dir, 'nx.json'), `${JSON.stringify({ $schema: './node_modules/nx/schemas/nx-schema.json' }, null, 2)}\n`);
  writeFileSync(join(dir, '.gitignore'), 'node_modules\n.nx\n');
  await npmIn(dir, ['install', ...NPM_FLAGS]);
  commitAll(dir, `nx ${nxVersion}`);
  return dir;
}

export async function npmIn(dir: string, args: string[]): Promise<void> {
  const result = await execa('npm', args, { cwd: dir, all: true, reject: false });
  if (result.exitCode !== 0) throw new Error(`npm ${args.join(' ')} in ${dir} failed (exit ${result.exitCode}):\n${result.all}`);
}

export { NPM_FLAGS };

/** runNx options for the workspace's own nx (never this repository's); the output without colour codes. */
export const ownNx = (dir: string, env: Record<string, string> = {}): NxOptions => ({
  cwd: dir,
  bin: join(dir, 'node_modules', '.bin', 'nx'),
  env,
  stripAnsi: true,
});

/** Runs the workspace's own nx. */
export const nxIn = (dir: string, args: string[], env: Record<string, string> = {}): Promise<NxResult> => runNx(args, ownNx(dir, env));
