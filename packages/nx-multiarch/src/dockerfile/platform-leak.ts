import { DockerfileParser } from 'dockerfile-ast';

export interface PlatformLeak {
  line: number;
  image: string;
  after: string;
}

/**
 * podman 4.x (buildah) can carry a `FROM --platform=...` into later stages that name no platform
 * (containers/buildah#5971, seen with podman 4.3): with `FROM --platform=$BUILDPLATFORM` in a builder stage, a later
 * `FROM ${BASE_IMAGE}` silently gets the build platform's base in every image. Lists those later FROMs.
 */
export function findPlatformLeaks(dockerfileText: string): PlatformLeak[] {
  const froms = DockerfileParser.parse(dockerfileText).getFROMs();
  const stageNames = new Set(froms.map((from) => from.getBuildStage()?.toLowerCase()).filter(Boolean));
  const leaks: PlatformLeak[] = [];
  let pinned: string | undefined;
  for (const from of froms) {
    const platform = from.getPlatformFlag()?.getValue();
    const image = from.getImage() ?? '';
    if (platform) {
      pinned = platform;
    } else if (pinned && image !== 'scratch' && !stageNames.has(image.toLowerCase())) {
      leaks.push({ line: from.getRange().start.line + 1, image, after: pinned });
    }
  }
  return leaks;
}

export function platformLeakWarning(dockerfilePath: string, engineVersion: string, leaks: PlatformLeak[]): string {
  return leaks
    .map(
      (leak) =>
        `${dockerfilePath}:${leak.line}: FROM ${leak.image} names no --platform after a stage on ${leak.after}; podman ${engineVersion} may use ` +
        `the ${leak.after} image in every platform's image (containers/buildah#5971). Write FROM --platform=$TARGETPLATFORM ${leak.image}.`,
    )
    .join('\n');
}
