/** What the engines are asked to build, as data: made from resolved options and the sources the executor located. */
import type { ProjectInfo } from '../core/project';
import type { BuildRequest, RemoteBuilder } from '../engines/types';
import type { SourceRevision } from '../git/info';
import { hostPlatform } from '../image/platform';

interface SourceOptions {
  dockerfile?: string;
  context?: string;
  target?: string;
  buildArgs?: Record<string, string>;
  labels?: Record<string, string>;
  extraArgs?: string[];
  connection?: string;
  url?: string;
  builder?: string;
}

/** The OCI annotations every image gets unless the labels option overrides them. */
export function ociLabels(
  project: ProjectInfo,
  revision: SourceRevision | undefined,
  sourceUrl: string | undefined,
): Record<string, string> {
  const labels: Record<string, string> = { 'org.opencontainers.image.title': project.name };
  if (sourceUrl) labels['org.opencontainers.image.source'] = sourceUrl;
  if (revision) {
    labels['org.opencontainers.image.revision'] = revision.sha;
    labels['org.opencontainers.image.created'] = new Date(revision.epoch * 1000).toISOString();
  }
  const version = project.version ?? revision?.sha.slice(0, 12);
  if (version) labels['org.opencontainers.image.version'] = version;
  return labels;
}

export function buildRequest(
  project: ProjectInfo,
  options: SourceOptions,
  sources: { dockerfile: string; context: string; secrets?: Record<string, string> },
  revision: SourceRevision | undefined,
  sourceUrl: string | undefined,
): BuildRequest {
  return {
    ...sources,
    target: options.target,
    buildArgs: options.buildArgs ?? {},
    labels: { ...ociLabels(project, revision, sourceUrl), ...(options.labels ?? {}) },
    extraArgs: options.extraArgs ?? [],
    secrets: sources.secrets,
    sourceDateEpoch: revision?.epoch,
    buildPlatform: hostPlatform(),
    remote: remoteBuilderOf(options),
  };
}

/** The remote builder options, or undefined when the build runs on the local engine. */
export function remoteBuilderOf(options: { connection?: string; url?: string; builder?: string }): RemoteBuilder | undefined {
  const { connection, url, builder } = options;
  return connection || url || builder ? { connection, url, builder } : undefined;
}
