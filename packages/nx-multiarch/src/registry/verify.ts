import { createHash } from 'node:crypto';
import { run } from '../run/exec';
import { CommandFailedError } from '../core/errors';
import { describeIndex, INDEX_MEDIA_TYPES } from '../image/oci-layout';
import type { ImageRecord } from '../image/record';
import { configStep, inspectStep, type PushMode } from './skopeo';

export const sha256 = (text: string) => `sha256:${createHash('sha256').update(text).digest('hex')}`;

const NOT_FOUND = /manifest unknown|not found|name unknown|404/i;

/** The manifest the registry serves for a reference, or undefined when there is none; any other failure throws. */
export async function readRemoteManifest(
  reference: string,
  tlsVerify: boolean,
  cwd: string,
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- the manifest as the registry serves it, checked field by field
): Promise<{ digest: string; json: any } | undefined> {
  const result = await run(inspectStep(reference, tlsVerify), { cwd, allowFailure: true });
  if (result.exitCode !== 0) {
    if (NOT_FOUND.test(result.all)) return undefined;
    throw new CommandFailedError(inspectStep(reference, tlsVerify).argv, result.exitCode, result.all);
  }
  return { digest: sha256(result.stdout), json: JSON.parse(result.stdout) };
}

/** The image config (os, architecture, variant, ...) of one image manifest. */
export async function readRemoteConfig(
  reference: string,
  tlsVerify: boolean,
  cwd: string,
): Promise<{ os?: string; architecture?: string; variant?: string }> {
  const { stdout } = await run(configStep(reference, tlsVerify), { cwd });
  return JSON.parse(stdout);
}

/**
 * Reads what the registry now serves under `name:tag` and lists every way it differs from the build record.
 * As built, digests must match exactly; after a v2s2 conversion manifests differ, so each platform's config digest is compared.
 */
export interface RemoteState {
  digest: string;
  platforms: Array<{ platform: string; digest: string }>;
  problems: string[];
}

export async function verifyRemote(
  name: string,
  tag: string,
  record: ImageRecord,
  mode: PushMode,
  tlsVerify: boolean,
  cwd: string,
): Promise<RemoteState> {
  const remote = await readRemoteManifest(`${name}:${tag}`, tlsVerify, cwd);
  if (!remote) return { digest: '', platforms: [], problems: [`${name}:${tag} is not in the registry`] };
  const state: RemoteState = { digest: remote.digest, platforms: [], problems: [] };
  const problems = state.problems;
  const expected = 'platform' in mode ? record.platforms.filter((p) => p.platform === mode.platform) : record.platforms;

  if (mode.kind === 'platform') {
    if (INDEX_MEDIA_TYPES.includes(remote.json.mediaType))
      problems.push(`${name}:${tag} is a manifest list, expected the ${mode.platform} image alone`);
    else if (state.digest !== expected[0]?.digest)
      problems.push(`${name}:${tag} is ${state.digest}, expected ${expected[0]?.digest} (${mode.platform} as built)`);
    state.platforms = [{ platform: mode.platform, digest: state.digest }];
    return state;
  }

  if (mode.kind === 'single') {
    const config = remote.json.config?.digest;
    if (config !== expected[0]?.configDigest)
      problems.push(`${name}:${tag} has config ${config}, expected ${expected[0]?.configDigest} (${mode.platform})`);
    state.platforms = [{ platform: mode.platform, digest: state.digest }];
    return state;
  }
  if (!INDEX_MEDIA_TYPES.includes(remote.json.mediaType)) {
    problems.push(`${name}:${tag} is not a manifest list (media type ${remote.json.mediaType})`);
    return state;
  }
  if (mode.kind === 'index' && state.digest !== record.index.digest) {
    problems.push(`${name}:${tag} index digest is ${state.digest}, expected ${record.index.digest}`);
  }
  const remotePlatforms = describeIndex(remote.json);
  state.platforms = remotePlatforms.map(({ platform, digest }) => ({ platform, digest }));
  for (const want of expected) {
    const got = remotePlatforms.find((p) => p.platform === want.platform);
    if (!got) {
      problems.push(`${name}:${tag} lacks ${want.platform}`);
    } else if (mode.kind === 'index' && got.digest !== want.digest) {
      problems.push(`${name}:${tag} ${want.platform} is ${got.digest}, expected ${want.digest}`);
    } else if (mode.kind === 'v2s2') {
      const manifest = await readRemoteManifest(`${name}@${got.digest}`, tlsVerify, cwd);
      if (!manifest) problems.push(`${name}:${tag} ${want.platform} (${got.digest}) is not in the registry`);
      else if (manifest.json.config?.digest !== want.configDigest)
        problems.push(`${name}:${tag} ${want.platform} has config ${manifest.json.config?.digest}, expected ${want.configDigest}`);
    }
  }
  const extra = remotePlatforms.filter((p) => !expected.some((want) => want.platform === p.platform));
  if (extra.length > 0) problems.push(`${name}:${tag} holds unexpected platforms ${extra.map((p) => p.platform).join(', ')}`);
  return state;
}
