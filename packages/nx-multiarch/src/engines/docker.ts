import { EngineOptionError, UnsupportedEngineVersionError } from '../core/errors';
import { isLoopbackRegistry, registryOf } from '../image/reference';
import { commonBuildFlags, type Engine, type BuildRequest, type RemoteBuilder, type StitchRequest } from './types';

/** `docker buildx` on the chosen builder (e.g. a multi-node builder with native arm64 nodes). */
function buildx(remote: RemoteBuilder | undefined): string[] {
  if (remote?.connection || remote?.url) {
    throw new EngineOptionError(
      `connection/url (${remote.connection ?? remote.url}) are podman options: with docker use builder (a buildx builder: docker buildx create --name <builder> ...).`,
    );
  }
  return ['docker', 'buildx', ...(remote?.builder ? ['--builder', remote.builder] : [])];
}

/**
 * `docker buildx imagetools create` has no TLS switch: it talks plain HTTP to localhost/127.0.0.1/::1 registries and
 * verified HTTPS to every other one, unless the builder's buildkitd.toml says otherwise ([registry."<host>"] http or
 * insecure), which the plugin cannot see. So tlsVerify can only be what buildx does by itself; anything else is refused
 * before the registry is asked anything, rather than silently ignored.
 */
export function imagetoolsTlsProblem(request: Pick<StitchRequest, 'destinations' | 'tlsVerify'>): string | undefined {
  const registries = [...new Set(request.destinations.map((destination) => registryOf(destination) || 'docker.io'))];
  for (const registry of registries) {
    const loopback = isLoopbackRegistry(registry);
    if (!request.tlsVerify && !loopback) {
      return (
        `tlsVerify: false is not supported with engine docker for docker-manifest (registry ${registry}): docker buildx imagetools create ` +
        `has no TLS switch and would push to ${registry} with TLS verified anyway (it reads a registry's TLS settings only from the buildx ` +
        `builder's buildkitd.toml). Nothing was read or pushed. Fix: set "engine": "podman" on the docker-manifest target (podman manifest ` +
        `push honours --tls-verify=false), or make ${registry}'s certificate trusted (its CA in the builder's buildkitd.toml, ` +
        `[registry."${registry}"] ca = ["<ca.pem>"], docker buildx create --config buildkitd.toml, and in /etc/containers/certs.d/${registry}/ca.crt ` +
        'for skopeo) and set tlsVerify: true.'
      );
    }
    if (request.tlsVerify && loopback) {
      return (
        `tlsVerify: true is not supported with engine docker for docker-manifest (registry ${registry}): docker buildx imagetools create ` +
        `has no TLS switch and talks plain HTTP to a localhost registry, so TLS would not be verified. Nothing was read or pushed. ` +
        'Fix: leave tlsVerify unset (false for localhost/127.0.0.1) or set "engine": "podman" on the docker-manifest target.'
      );
    }
  }
  return undefined;
}

/** SOURCE_DATE_EPOCH is how BuildKit makes timestamps reproducible. */
const epochEnv = (request: BuildRequest) =>
  request.sourceDateEpoch === undefined ? undefined : { SOURCE_DATE_EPOCH: String(request.sourceDateEpoch) };

export const docker: Engine = {
  name: 'docker',
  versionStep: { argv: ['docker', 'buildx', 'version'], description: 'docker buildx version' },
  // docker without the buildx plugin fails "docker buildx version": that is the engine's own "unsupported" case.
  versionMayFail: true,
  supported: 'docker with the buildx plugin',
  parseVersion: (output) => /v?(\d+\.\d+\.\d+\S*)/.exec(output)?.[1] ?? 'unknown',
  assertSupported(version) {
    if (version === 'unknown') {
      throw new UnsupportedEngineVersionError(
        'docker is installed but "docker buildx version" did not answer: install the buildx plugin (apt-get install docker-buildx) for multi-platform builds.',
      );
    }
  },
  preflight: async () => [],
  prepare: async (request) => ({ request, bases: [], files: [], notes: [] }),
  planMultiArch(request) {
    return {
      steps: [
        {
          description: `buildx ${request.platforms.join(', ')} into an OCI layout`,
          env: epochEnv(request),
          argv: [
            ...buildx(request.remote),
            'build',
            '--platform',
            request.platforms.join(','),
            `--provenance=${request.provenance === true}`,
            '--output',
            `type=oci,dest=${request.layoutDir},tar=false,name=latest,rewrite-timestamp=true`,
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
            ...buildx(request.remote),
            'build',
            '--platform',
            request.platform,
            '--provenance=false',
            '--load',
            '--tag',
            request.reference,
            ...commonBuildFlags(request),
            ...request.extraArgs,
            request.context,
          ],
        },
      ],
      cleanup: [],
    };
  },
  saveArchive(reference, archive) {
    return { description: `save ${reference} as a docker-archive`, argv: ['docker', 'save', '--output', archive, reference] };
  },
  assertStitchable(request) {
    buildx(request.remote);
    const problem = imagetoolsTlsProblem(request);
    if (problem) throw new EngineOptionError(problem);
  },
  planStitch(request) {
    docker.assertStitchable!(request);
    // imagetools create writes the index from the images' manifests in the registry and pushes it to every --tag.
    return {
      steps: [
        {
          description: `create the manifest list ${request.destinations.join(', ')}`,
          argv: [
            ...buildx(request.remote),
            'imagetools',
            'create',
            ...request.destinations.flatMap((d) => ['--tag', d]),
            ...request.sources,
          ],
        },
      ],
      cleanup: [],
    };
  },
};
