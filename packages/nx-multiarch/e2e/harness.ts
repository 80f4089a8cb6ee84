/** Shared pieces of the end-to-end tests: real nx, real podman, real skopeo, the real registry on 127.0.0.1:5000. */
import { createHash } from 'node:crypto';
import { execa } from './processes';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { onPath } from '../src/run/path';
import { blobPath } from '../src/image/oci-layout';
import type { ImageRecord } from '../src/image/record';
import { runNx, stripAnsi, workspaceRoot, type NxResult } from './nx-runner';

export {
  CACHE_NOTE,
  localCacheNote,
  runNx,
  runNxOk,
  startNx,
  stripAnsi,
  tasksIn,
  workspaceRoot,
  type NxOptions,
  type NxResult,
  type TaskNote,
} from './nx-runner';
export { tempDir } from '../../../tools/fixtures/workspace-kit';
export const REGISTRY = '127.0.0.1:5000';
/** Every run pushes under its own namespace, so runs never see each other's images. */
export const RUN_ID = `e2e-${Date.now().toString(36)}-${process.pid}`;

/**
 * A response whose body was read to the end. fetch keeps the connection of an unread body open (and Jest's process
 * alive after the last test): every response a test does not read goes through here.
 */
async function drained(response: Response): Promise<Response> {
  await response.arrayBuffer();
  return response;
}

/** Fails (never skips) with the missing tool named. */
export async function requireRealParts(tools: string[] = ['podman', 'skopeo', 'git']): Promise<void> {
  const missing = tools.filter((tool) => !onPath(tool));
  if (missing.length > 0) throw new Error(`End-to-end tests need ${missing.join(', ')} on PATH: run sudo tools/setup.sh`);
  const up = await fetch(`http://${REGISTRY}/v2/`).then(
    async (r) => (await drained(r)).ok,
    () => false,
  );
  if (!up) throw new Error(`End-to-end tests need the registry on ${REGISTRY}: run sudo tools/setup.sh (it starts one)`);
}

export interface Result {
  exitCode: number;
  output: string;
}

/** runNx as this workspace's build specs run it: the Nx cache skipped, not verbose; `env` over nxEnv() and CI=true. */
export const nx = (args: string[], env: Record<string, string> = {}): Promise<NxResult> =>
  runNx(args, { env, skipCache: true, verbose: false });

/** Any other command (podman, skopeo, ctr, ...) in this workspace; nx goes through runNx. */
export async function command(argv: string[], env: Record<string, string> = {}): Promise<Result & { stdout: string }> {
  const result = await execa(argv[0], argv.slice(1), { cwd: workspaceRoot, env, all: true, reject: false });
  return { exitCode: result.exitCode ?? 1, output: String(result.all), stdout: String(result.stdout) };
}

/**
 * The output minus the echoed command lines (nx's `> nx run ...`, the plugin's `> podman ...`, `> skopeo ...`): they
 * repeat every value a test passed (registry, tag, image name), so only what was said about them counts. Match error
 * messages against this, never against the whole output.
 */
export const messageOf = (output: string) =>
  stripAnsi(output)
    .split('\n')
    .filter((line) => !/^\s*> \S/.test(line))
    .join('\n');

export function outputDir(projectRoot: string): string {
  return join(workspaceRoot, 'dist', 'images', projectRoot);
}

export function readRecordSync(projectRoot: string): ImageRecord {
  return JSON.parse(readFileSync(join(outputDir(projectRoot), 'image.json'), 'utf8'));
}

export async function remoteRaw(reference: string): Promise<{ raw: string; json: any; digest: string }> {
  const result = await command(['skopeo', 'inspect', '--raw', '--tls-verify=false', `docker://${reference}`]);
  if (result.exitCode !== 0) throw new Error(`skopeo inspect ${reference} failed:\n${result.output}`);
  return {
    raw: result.stdout,
    json: JSON.parse(result.stdout),
    digest: `sha256:${createHash('sha256').update(result.stdout).digest('hex')}`,
  };
}

/** The config of one pushed image (by tag or platform digest), as the registry serves it: labels, os, architecture. */
export async function remoteConfig(
  reference: string,
): Promise<{ architecture: string; os: string; config: { Labels?: Record<string, string> } }> {
  const result = await command(['skopeo', 'inspect', '--config', '--tls-verify=false', `docker://${reference}`]);
  if (result.exitCode !== 0) throw new Error(`skopeo inspect --config ${reference} failed:\n${result.output}`);
  return JSON.parse(result.stdout);
}

export async function remoteTags(repository: string): Promise<string[]> {
  const response = await fetch(`http://${REGISTRY}/v2/${repository}/tags/list`);
  if (response.status === 404) {
    await drained(response);
    return [];
  }
  return ((await response.json()) as { tags?: string[] }).tags ?? [];
}

const sha256 = (data: Buffer | string) => `sha256:${createHash('sha256').update(data).digest('hex')}`;

/**
 * What is wrong with `<repository>:<tag>` in the registry as the build's list (empty when nothing): its digest must be
 * image.json's index digest, it must name exactly image.json's platform manifests, and every manifest, config and
 * layer blob must be there whole (size and digest). A count of manifests would pass on another build's list.
 * The tag must exist (remoteRaw throws otherwise): check remoteTags first where it may be absent.
 */
export async function listMismatches(repository: string, tag: string, record: ImageRecord): Promise<string[]> {
  const problems: string[] = [];
  const remote = await remoteRaw(`${REGISTRY}/${repository}:${tag}`);
  if (remote.digest !== record.index.digest) problems.push(`${tag} is ${remote.digest}, image.json's index is ${record.index.digest}`);
  const children = (remote.json.manifests as Array<{ digest: string; mediaType: string }> | undefined) ?? [];
  const listed = children
    .map((m) => m.digest)
    .sort()
    .join(', ');
  const built = record.platforms
    .map((p) => p.digest)
    .sort()
    .join(', ');
  if (listed !== built) problems.push(`${tag} lists ${listed || 'no manifests'}, image.json's platforms are ${built}`);
  for (const child of children) {
    const response = await fetch(`http://${REGISTRY}/v2/${repository}/manifests/${child.digest}`, { headers: { accept: child.mediaType } });
    const raw = Buffer.from(await response.arrayBuffer());
    if (response.status !== 200 || sha256(raw) !== child.digest) {
      problems.push(`manifest ${child.digest}: HTTP ${response.status}, content ${sha256(raw)}`);
      continue;
    }
    const manifest = JSON.parse(raw.toString('utf8')) as {
      config: { digest: string; size: number };
      layers: Array<{ digest: string; size: number }>;
    };
    for (const blob of [manifest.config, ...manifest.layers]) {
      const got = await fetch(`http://${REGISTRY}/v2/${repository}/blobs/${blob.digest}`);
      const body = Buffer.from(await got.arrayBuffer());
      if (got.status !== 200 || body.length !== blob.size || sha256(body) !== blob.digest) {
        problems.push(`blob ${blob.digest}: HTTP ${got.status}, ${body.length} bytes of ${blob.size}, content ${sha256(body)}`);
      }
    }
  }
  return problems;
}

/** Every repository in the registry, page by page (distribution refuses pages over 1000). */
export async function catalog(): Promise<string[]> {
  const repositories: string[] = [];
  let next: string | undefined = `/v2/_catalog?n=1000`;
  while (next) {
    const response: Response = await fetch(`http://${REGISTRY}${next}`);
    if (!response.ok) throw new Error(`catalog of ${REGISTRY}: HTTP ${response.status} ${await response.text()}`);
    repositories.push(...((await response.json()) as { repositories: string[] }).repositories);
    next = /<([^>]+)>;\s*rel="next"/.exec(response.headers.get('link') ?? '')?.[1];
  }
  return repositories;
}

/** Reads one file out of a platform image in the build's OCI layout: the topmost layer that has it wins. */
export async function fileInImage(projectRoot: string, manifestDigest: string, path: string, root = workspaceRoot): Promise<Buffer> {
  const layout = join(root, 'dist', 'images', projectRoot, 'oci');
  const manifest = JSON.parse(readFileSync(blobPath(layout, manifestDigest), 'utf8')) as { layers: Array<{ digest: string }> };
  for (const layer of [...manifest.layers].reverse()) {
    const result = await execa('tar', ['-xOf', blobPath(layout, layer.digest), '--wildcards', `*${path.replace(/^\//, '')}`], {
      encoding: 'buffer',
      stripFinalNewline: false,
      reject: false,
    });
    if (result.exitCode === 0 && result.stdout.length > 0) return Buffer.from(result.stdout);
  }
  throw new Error(`${path} is in no layer of ${manifestDigest}`);
}

/** ELF e_machine: 0x3e x86-64, 0xb7 AArch64. */
export function elfMachine(binary: Buffer): string {
  if (binary.subarray(0, 4).toString('latin1') !== '\x7fELF') return 'not an ELF file';
  const machine = binary.readUInt16LE(18);
  return machine === 0xb7 ? 'aarch64' : machine === 0x3e ? 'x86_64' : `machine 0x${machine.toString(16)}`;
}

export const platformsOf = (record: ImageRecord) => record.platforms.map((p) => p.platform).sort();
