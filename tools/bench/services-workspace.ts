/**
 * The throwaway workspace tools/bench/affected.ts and tools/bench/profile.ts measure: `services` tiny busybox services
 * built by the plugin, committed, and an nx runner for it (optionally through a self-hosted remote Nx cache).
 */
import { execFile, execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import {
  commitAll,
  installPlugin,
  isolatedStorage,
  nxBin,
  nxEnv,
  pluginWorkspaceFiles,
  removeTempDirs,
  tempDir,
  writeFiles,
} from '../fixtures/workspace-kit';

export const REGISTRY = '127.0.0.1:5000';
export const BASE = `${REGISTRY}/fixtures/busybox:latest`;

/** stdout, then stderr. Asynchronous on purpose: the remote cache server answers from the benchmark's own process. */
export async function run(file: string, args: string[], options: { cwd?: string; env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  const { stdout, stderr } = await promisify(execFile)(file, args, { ...options, encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  return stdout + stderr;
}

export async function timed(fn: () => Promise<string>): Promise<{ seconds: number; output: string }> {
  const started = process.hrtime.bigint();
  const output = await fn();
  return { seconds: Number(process.hrtime.bigint() - started) / 1e9, output };
}

/** The service each benchmark changes and the one it pushes: svc-7 and svc-3 at 50 services, the last two with fewer. */
export const measuredServices = (services: number) => ({
  changed: `svc-${Math.min(7, services - 1)}`,
  pushed: `svc-${Math.min(3, services - 2)}`,
});

/**
 * A committed workspace of `services` services (svc-0 ...) and the image repository pattern it pushes to. Each service
 * has two targets that do nothing, nx's own cost of one task: `empty` (nx:run-commands, which Nx runs in its own
 * process) and `empty-executor` (a plugin executor, which Nx runs in a process it forks, as it does this plugin's).
 */
export function servicesWorkspace(services: number, prefix: string): { dir: string; imageName: string } {
  const dir = tempDir(prefix);
  const imageName = `bench-${Date.now()}/{projectName}`;
  const files: Record<string, string> = {
    ...pluginWorkspaceFiles({ registry: REGISTRY, imageName, buildArgs: { BASE_IMAGE: BASE } }),
    ...EMPTY_EXECUTOR,
  };
  for (let i = 0; i < services; i++) {
    files[`services/svc-${i}/project.json`] = JSON.stringify({
      name: `svc-${i}`,
      targets: {
        empty: { executor: 'nx:run-commands', options: { command: 'true' }, cache: false },
        'empty-executor': { executor: './tools/empty:empty', cache: false },
      },
    });
    files[`services/svc-${i}/Dockerfile`] = 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nCOPY src/ /app/\nRUN uname -m > /app/arch\n';
    files[`services/svc-${i}/src/app.sh`] = `echo ${i}\n`;
  }
  writeFiles(dir, files);
  installPlugin(dir);
  commitAll(dir, 'bench workspace');
  return { dir, imageName };
}

/** A local Nx plugin with one executor that returns at once. */
const EMPTY_EXECUTOR: Record<string, string> = {
  'tools/empty/package.json': JSON.stringify({ name: 'empty', executors: './executors.json' }),
  'tools/empty/executors.json': JSON.stringify({ executors: { empty: { implementation: './empty.js', schema: './schema.json' } } }),
  'tools/empty/schema.json': JSON.stringify({ type: 'object', properties: {} }),
  'tools/empty/empty.js': 'exports.default = async () => ({ success: true });\n',
};

/** nx in `dir`, static output, 2 in parallel, no daemon; through the remote cache at `remoteCache` when given. */
export function nxIn(dir: string, args: string[], options: { remoteCache?: string; env?: NodeJS.ProcessEnv } = {}): Promise<string> {
  return run(nxBin, [...args, '--outputStyle=static', '--parallel=2'], {
    cwd: dir,
    env: {
      ...process.env,
      ...nxEnv(),
      CI: 'true',
      ...(options.remoteCache ? { NX_SELF_HOSTED_REMOTE_CACHE_SERVER: options.remoteCache } : {}),
      NX_CACHE_DIRECTORY: join(dir, '.nx', 'own-cache'),
      NX_WORKSPACE_DATA_DIRECTORY: join(dir, '.nx', 'own-data'),
      ...options.env,
    },
  });
}

/** Tasks of `target` that ran (not restored from a cache) in an nx output. */
export const misses = (output: string, target = 'docker-build') =>
  [...output.replace(/\x1b\[[0-9;]*m/g, '').matchAll(new RegExp(`^> nx run \\S+:${target}(.*)$`, 'gm'))].filter(
    ([, rest]) => !/cache|existing outputs/.test(rest),
  ).length;

/** "met" / "NOT met" for a ratio and its upper bound. */
export const verdict = (ratio: number, target: number) => `[target <= ${target}: ${ratio <= target ? 'met' : 'NOT met'}]`;

/**
 * Points podman (and skopeo, and the plugin's builds under nx) at an empty store of the host store's driver, removed
 * with the benchmark's other temporary folders: what a CI runner starts from, and the same on every machine. A store
 * that has grown slows podman down, and not evenly: here, with 11,000 images, a fully cached `podman build` of a
 * 4-line Dockerfile took 7.9 s and a `podman image inspect` 0.9 s, against 1.2 s and 0.04 s in an empty store
 * (2026-12-02), so a machine's leftovers would decide the ratios. NX_MULTIARCH_BENCH_STORE=host measures in the
 * machine's own store instead. Returns what the benchmark prints about it.
 */
export function useBenchStore(): string {
  const count = () => execFileSync('podman', ['images', '--all', '--quiet'], { encoding: 'utf8' }).split('\n').filter(Boolean).length;
  if (process.env.NX_MULTIARCH_BENCH_STORE === 'host')
    return `podman store: the machine's own (${count()} images, NX_MULTIARCH_BENCH_STORE=host)`;
  const driver = execFileSync('podman', ['info', '--format', '{{.Store.GraphDriverName}}'], { encoding: 'utf8' }).trim();
  Object.assign(process.env, isolatedStorage(driver));
  return `podman store: an empty one of its own (${driver}; NX_MULTIARCH_BENCH_STORE=host uses the machine's)`;
}

/** Runs a benchmark; whether it finishes or fails, removes its temporary folders (workspaces, store) and says what it could not. */
export function benchMain(main: () => Promise<void>): void {
  main()
    .catch((error) => {
      console.error(error);
      process.exitCode = 1;
    })
    .finally(() => {
      for (const line of removeTempDirs()) console.error(line);
    });
}

export const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];
