import { UnsupportedEngineVersionError } from './podman';
import { commonBuildFlags, type Engine, type BuildRequest } from './types';

/** SOURCE_DATE_EPOCH is how BuildKit makes timestamps reproducible. */
const epochEnv = (request: BuildRequest) =>
  request.sourceDateEpoch === undefined ? undefined : { SOURCE_DATE_EPOCH: String(request.sourceDateEpoch) };

export const docker: Engine = {
  name: 'docker',
  versionStep: { argv: ['docker', 'buildx', 'version'], description: 'docker buildx version' },
  parseVersion: (output) => /v?(\d+\.\d+\.\d+\S*)/.exec(output)?.[1] ?? 'unknown',
  assertSupported(version) {
    if (version === 'unknown') {
      throw new UnsupportedEngineVersionError('docker is installed but "docker buildx version" did not answer: install the buildx plugin (apt-get install docker-buildx) for multi-platform builds.');
    }
  },
  planMultiArch(request) {
    return {
      steps: [
        {
          description: `buildx ${request.platforms.join(', ')} into an OCI layout`,
          env: epochEnv(request),
          argv: [
            'docker', 'buildx', 'build',
            '--platform', request.platforms.join(','),
            `--provenance=${request.provenance === true}`,
            '--output', `type=oci,dest=${request.layoutDir},tar=false,name=latest,rewrite-timestamp=true`,
            ...commonBuildFlags(request),
            ...request.extraArgs,
            request.context,
          ],
        },
      ],
      cleanup: [],
    };
  },
  planSingle(request) {
    return {
      steps: [
        {
          description: `buildx ${request.platform} and load it as ${request.reference}`,
          env: epochEnv(request),
          argv: [
            'docker', 'buildx', 'build',
            '--platform', request.platform,
            '--provenance=false',
            '--load',
            '--tag', request.reference,
            ...commonBuildFlags(request),
            ...request.extraArgs,
            request.context,
          ],
        },
      ],
      cleanup: [],
    };
  },
};
