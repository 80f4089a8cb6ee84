/**
 * A registry in memory for the verifier specs: answers the skopeo read-backs (`inspect --raw`, `inspect --config --raw`)
 * that `run()` would send, so every problem branch can be reached without a registry. Specs only: not built into dist
 * (tsconfig.lib.json excludes it, as it does test-workspace.ts).
 */
import type { RunResult, Step } from '../run/exec';
import { DOCKER_LIST, DOCKER_MANIFEST, OCI_INDEX, OCI_MANIFEST } from '../image/oci-layout';
import { sha256 } from './verify';

export class FakeRegistry {
  /** reference (as after docker://) -> raw manifest */
  manifests = new Map<string, string>();
  /** reference -> raw image config */
  configs = new Map<string, string>();
  /** references whose reads fail with something other than "not found" */
  broken = new Set<string>();
  reads: string[] = [];

  /** Stores an image manifest by digest (and under `tag`, when given); returns its digest. */
  image(
    repository: string,
    config: { os: string; architecture: string; variant?: string },
    mediaType = OCI_MANIFEST,
    tag?: string,
  ): { digest: string; configDigest: string } {
    const configRaw = JSON.stringify(config);
    const configDigest = sha256(configRaw);
    const raw = JSON.stringify({
      schemaVersion: 2,
      mediaType,
      config: { mediaType: 'application/vnd.oci.image.config.v1+json', digest: configDigest, size: configRaw.length },
      layers: [],
    });
    const digest = sha256(raw);
    this.manifests.set(`${repository}@${digest}`, raw);
    this.configs.set(`${repository}@${digest}`, configRaw);
    if (tag) {
      this.manifests.set(`${repository}:${tag}`, raw);
      this.configs.set(`${repository}:${tag}`, configRaw);
    }
    return { digest, configDigest };
  }

  /** Stores a list under `repository:tag`; returns its digest. */
  list(repository: string, tag: string, entries: Array<{ platform: string; digest: string }>, mediaType = OCI_INDEX): string {
    const raw = JSON.stringify({
      schemaVersion: 2,
      mediaType,
      manifests: entries.map(({ platform, digest }) => {
        const [os, architecture, variant] = platform.split('/');
        return {
          mediaType: mediaType === DOCKER_LIST ? DOCKER_MANIFEST : OCI_MANIFEST,
          digest,
          size: 100,
          platform: { os, architecture, ...(variant ? { variant } : {}) },
        };
      }),
    });
    this.manifests.set(`${repository}:${tag}`, raw);
    return sha256(raw);
  }

  /** What run() answers for a skopeo read-back. */
  answer(step: Step): RunResult {
    const reference = step.argv[step.argv.length - 1].replace(/^docker:\/\//, '');
    const config = step.argv.includes('--config');
    this.reads.push(`${config ? 'config' : 'manifest'} ${reference}`);
    if (step.argv[0] !== 'skopeo') throw new Error(`unexpected command ${step.argv.join(' ')}`);
    if (this.broken.has(reference)) return { exitCode: 1, stdout: '', all: 'pinging container registry: connection refused' };
    const raw = (config ? this.configs : this.manifests).get(reference);
    if (raw === undefined) return { exitCode: 1, stdout: '', all: `reading manifest ${reference}: manifest unknown` };
    return { exitCode: 0, stdout: raw, all: raw };
  }
}
