/**
 * The throwaway workspace tools/bench/affected.ts and tools/bench/profile.ts measure: `services` tiny busybox services
 * built by the plugin, committed, and an nx runner for it (optionally through a self-hosted remote Nx cache).
 */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { commitAll, installPlugin, nxBin, nxEnv, writeFiles } from '../fixtures/workspace-kit';

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

/** A committed workspace of `services` services (svc-0 ...), each with an `empty` target: nx's own cost of one task. */
export function servicesWorkspace(services: number, prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  const files: Record<string, string> = {
    '.gitignore': 'node_modules\ndist\n.nx\n',
    'nx.json': JSON.stringify({
      plugins: [
        {
          plugin: 'nx-multiarch',
          options: { registry: REGISTRY, imageName: `bench-${Date.now()}/{projectName}`, buildArgs: { BASE_IMAGE: BASE } },
        },
      ],
    }),
  };
  for (let i = 0; i < services; i++) {
    files[`services/svc-${i}/project.json`] = JSON.stringify({
      name: `svc-${i}`,
      targets: { empty: { executor: 'nx:run-commands', options: { command: 'true' }, cache: false } },
    });
    files[`services/svc-${i}/Dockerfile`] = 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nCOPY src/ /app/\nRUN uname -m > /app/arch\n';
    files[`services/svc-${i}/src/app.sh`] = `echo ${i}\n`;
  }
  writeFiles(dir, files);
  installPlugin(dir);
  commitAll(dir, 'bench workspace');
  return dir;
}

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
