import { commonBuildFlags, compareVersions, type BuildRequest, type Engine } from './types';

export class UnsupportedEngineVersionError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsupportedEngineVersionError';
  }
}

const MIN_VERSION = '3.4.0';

const timestampFlags = (epoch: number | undefined) => (epoch === undefined ? [] : ['--timestamp', String(epoch)]);

/**
 * podman before 4.5 (buildah 1.30) does not predefine BUILDPLATFORM/BUILDOS/BUILDARCH, so a cross-compiling
 * `FROM --platform=$BUILDPLATFORM` stage would silently run the target's toolchain under emulation. Passing
 * them (unless the user did) gives the same values newer engines predefine.
 */
function withBuildPlatformArgs(request: BuildRequest): BuildRequest {
  const [os, arch] = request.buildPlatform.split('/');
  return { ...request, buildArgs: { BUILDPLATFORM: request.buildPlatform, BUILDOS: os, BUILDARCH: arch, ...request.buildArgs } };
}

export const podman: Engine = {
  name: 'podman',
  versionStep: { argv: ['podman', '--version'], description: 'podman version' },
  parseVersion: (output) => /(\d+\.\d+\.\d+\S*)/.exec(output)?.[1] ?? 'unknown',
  assertSupported(version) {
    if (compareVersions(version, MIN_VERSION) < 0) {
      throw new UnsupportedEngineVersionError(
        `podman ${version} is too old: multi-platform builds (podman build --platform a,b --manifest) need podman ${MIN_VERSION} or newer. ` +
          'Upgrade podman (Debian 12 / Ubuntu 22.04 and later ship a new enough one), or use engine "docker" with buildx.',
      );
    }
  },
  planMultiArch(request) {
    if (request.provenance) {
      throw new UnsupportedEngineVersionError('provenance: true needs docker buildx (podman does not write provenance attestations): set engine to docker, or drop the option.');
    }
    return {
      steps: [
        {
          description: `build ${request.platforms.join(', ')} into manifest list ${request.workName}`,
          argv: [
            'podman', 'build',
            '--platform', request.platforms.join(','),
            '--manifest', request.workName,
            ...timestampFlags(request.sourceDateEpoch),
            ...commonBuildFlags(withBuildPlatformArgs(request)),
            ...request.extraArgs,
            request.context,
          ],
        },
        {
          description: 'write the manifest list and its images as an OCI layout',
          argv: ['podman', 'manifest', 'push', '--all', request.workName, `oci:${request.layoutDir}:latest`],
        },
      ],
      cleanup: [{ description: 'remove the temporary manifest list', argv: ['podman', 'manifest', 'rm', request.workName] }],
    };
  },
  planSingle(request) {
    return {
      steps: [
        {
          description: `build ${request.platform} as ${request.reference}`,
          argv: [
            'podman', 'build',
            '--platform', request.platform,
            '--tag', request.reference,
            ...timestampFlags(request.sourceDateEpoch),
            ...commonBuildFlags(withBuildPlatformArgs(request)),
            ...request.extraArgs,
            request.context,
          ],
        },
      ],
      cleanup: [],
    };
  },
};
