import { PushVerificationError } from '../core/errors';
import { describeIndex, DOCKER_MANIFEST, INDEX_MEDIA_TYPES, OCI_MANIFEST } from '../image/oci-layout';
import { archKey, formatPlatform, parsePlatform, samePlatform } from '../image/platform';
import { readRemoteConfig, readRemoteManifest } from './verify';

/** What a per-arch tag holds, checked against the platform it claims. */
export type ArchImage =
  | { platform: string; reference: string; state: 'ok'; digest: string; mediaType: string }
  | { platform: string; reference: string; state: 'missing' }
  | { platform: string; reference: string; state: 'wrong'; problem: string };

/** Reads `<name>:<tag>-<arch>` and its config: it must be one image (not a list) whose config says it is that platform. */
export async function inspectArchImage(name: string, tag: string, platform: string, tlsVerify: boolean, cwd: string): Promise<ArchImage> {
  const reference = `${name}:${tag}`;
  const manifest = await readRemoteManifest(reference, tlsVerify, cwd);
  if (!manifest) return { platform, reference, state: 'missing' };
  const mediaType = manifest.json.mediaType ?? (manifest.json.manifests ? INDEX_MEDIA_TYPES[0] : OCI_MANIFEST);
  if (INDEX_MEDIA_TYPES.includes(mediaType)) {
    return {
      platform,
      reference,
      state: 'wrong',
      problem: `${reference} is a manifest list; a per-arch tag must hold one image (push it with docker-push -c <arch>)`,
    };
  }
  const config = await readRemoteConfig(`${name}@${manifest.digest}`, tlsVerify, cwd);
  const actual = { os: config.os ?? '?', architecture: config.architecture ?? '?', variant: config.variant };
  if (!samePlatform(parsePlatform(platform), actual)) {
    return {
      platform,
      reference,
      state: 'wrong',
      problem: `${reference} claims ${platform} but its config says ${formatPlatform(actual)}`,
    };
  }
  return { platform, reference, state: 'ok', digest: manifest.digest, mediaType };
}

/** The list format that keeps every image as it is (no conversion, so per-platform digests stay). */
export function listFormatFor(images: Array<{ reference: string; mediaType: string }>): 'oci' | 'v2s2' {
  const kinds = new Set(images.map((image) => (image.mediaType === DOCKER_MANIFEST ? 'v2s2' : 'oci')));
  if (kinds.size > 1) {
    const list = images.map((image) => `${image.reference} (${image.mediaType})`).join(', ');
    throw new Error(
      `The per-arch images mix OCI and Docker v2s2 manifests (${list}): a list can't hold both without converting, which changes digests. Push every arch with the same engine.`,
    );
  }
  return kinds.has('v2s2') ? 'v2s2' : 'oci';
}

/** One message for every per-arch tag that is missing or wrong, with what is present and how to fix it. */
export function stitchProblems(project: string, target: string, images: ArchImage[]): string | undefined {
  const missing = images.filter((image) => image.state === 'missing');
  const wrong = images.filter((image): image is Extract<ArchImage, { state: 'wrong' }> => image.state === 'wrong');
  if (missing.length === 0 && wrong.length === 0) return undefined;
  const present = images.filter((image): image is Extract<ArchImage, { state: 'ok' }> => image.state === 'ok');
  const lines = [
    `Cannot stitch ${target}; nothing was pushed.`,
    ...missing.map(
      (image) =>
        `  missing ${image.platform}: ${image.reference} is not in the registry (run nx run ${project}:docker-push -c ${archKey(image.platform)} on a ${image.platform} runner)`,
    ),
    ...wrong.map((image) => `  wrong ${image.platform}: ${image.problem}`),
    `  present: ${present.length > 0 ? present.map((image) => `${image.platform} (${image.reference} ${image.digest})`).join(', ') : 'none of the per-arch tags'}`,
  ];
  return lines.join('\n');
}

/**
 * Reads every stitched tag back: it must be a list of exactly the per-arch images, digest for digest. Returns the
 * list's digest; throws a PushVerificationError naming every difference (platform, found and expected digests).
 */
export async function verifyStitched(
  name: string,
  tags: string[],
  images: Array<{ platform: string; digest: string }>,
  tlsVerify: boolean,
  cwd: string,
): Promise<string> {
  let digest = '';
  for (const tag of tags) {
    const remote = await readRemoteManifest(`${name}:${tag}`, tlsVerify, cwd);
    const problems: string[] = [];
    if (!remote) problems.push('the tag is missing');
    else if (!INDEX_MEDIA_TYPES.includes(remote.json.mediaType)) problems.push(`it is not a manifest list (${remote.json.mediaType})`);
    else {
      const listed = describeIndex(remote.json);
      for (const image of images) {
        const entry = listed.find((p) => p.platform === image.platform);
        if (entry?.digest !== image.digest) problems.push(`${image.platform} is ${entry?.digest ?? 'absent'}, expected ${image.digest}`);
      }
      if (listed.length !== images.length) problems.push(`it lists ${listed.length} images, expected ${images.length}`);
      digest = remote.digest;
    }
    if (problems.length > 0) throw new PushVerificationError(`Verification of ${name}:${tag} failed:\n  - ${problems.join('\n  - ')}`);
  }
  return digest;
}
