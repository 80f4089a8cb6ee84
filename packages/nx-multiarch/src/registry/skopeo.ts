import type { Step } from '../run/exec';
import { formatReference, type ImageReference } from '../image/reference';
import { parsePlatform } from '../image/platform';

export interface PushTarget {
  reference: ImageReference;
  tags: string[];
  tlsVerify: boolean;
}

/** How the manifest list goes up: as built (OCI index), converted to a Docker v2s2 list, or only one platform. */
export type PushMode =
  | { kind: 'index' }
  | { kind: 'v2s2' }
  | { kind: 'single'; platform: string }
  /** per-arch runners: one platform's image as built, by digest, under <tag>-<arch> */
  | { kind: 'platform'; platform: string };

/** Picks one image out of the layout's index. */
function platformSelection(value: string): string[] {
  const platform = parsePlatform(value);
  return [
    '--override-os',
    platform.os,
    '--override-arch',
    platform.architecture,
    ...(platform.variant ? ['--override-variant', platform.variant] : []),
  ];
}

/** Always explicit: an insecure entry in registries.conf must not turn verification off behind the option's back. */
const tlsFlag = (flag: string, verify: boolean) => [`${flag}=${verify}`];

export function pushSteps(layoutDir: string, target: PushTarget, mode: PushMode): Step[] {
  const source = `oci:${layoutDir}:latest`;
  const modeFlags = (() => {
    switch (mode.kind) {
      case 'index':
        return ['--all', '--preserve-digests'];
      case 'v2s2':
        return ['--all', '--format', 'v2s2'];
      case 'single':
        return platformSelection(mode.platform);
      case 'platform':
        return [...platformSelection(mode.platform), '--preserve-digests'];
    }
  })();
  return target.tags.map((tag) => ({
    description: `push ${'platform' in mode ? mode.platform : 'all platforms'} to ${formatReference(target.reference, tag)}`,
    argv: [
      'skopeo',
      'copy',
      '--retry-times',
      '3',
      ...modeFlags,
      ...tlsFlag('--dest-tls-verify', target.tlsVerify),
      source,
      `docker://${formatReference(target.reference, tag)}`,
    ],
  }));
}

export function inspectStep(reference: string, tlsVerify: boolean): Step {
  return {
    description: `read back ${reference}`,
    argv: ['skopeo', 'inspect', '--raw', ...tlsFlag('--tls-verify', tlsVerify), `docker://${reference}`],
  };
}

export function configStep(reference: string, tlsVerify: boolean): Step {
  return {
    description: `read the image config of ${reference}`,
    argv: ['skopeo', 'inspect', '--config', '--raw', ...tlsFlag('--tls-verify', tlsVerify), `docker://${reference}`],
  };
}

/** Output of a push the registry refused because of the manifest list's media type (not auth, not network). */
export function rejectedManifestType(output: string): boolean {
  return /manifest invalid|MANIFEST_INVALID|unsupported media type|manifest.*not supported|unsupported manifest|400 Bad Request|must be converted to type/i.test(
    output,
  );
}
