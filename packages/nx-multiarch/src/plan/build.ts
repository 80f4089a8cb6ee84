import { existsSync } from 'node:fs';
import { isAbsolute, join, relative, resolve } from 'node:path';
import { DOCKERFILE_NAMES } from '../core/conventions';
import { BuildInputError } from '../core/errors';
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
  secrets?: Record<string, string>;
  connection?: string;
  url?: string;
  builder?: string;
}

function insideWorkspace(workspaceRoot: string, path: string): boolean {
  const rel = relative(workspaceRoot, path);
  return rel === '' || (!rel.startsWith('..') && !isAbsolute(rel));
}

/** Absolute Dockerfile and context paths; each must exist inside the workspace. */
export function locateSources(project: ProjectInfo, options: SourceOptions): { dockerfile: string; context: string } {
  const root = project.workspaceRoot;
  const context = resolve(root, options.context ?? project.root);
  if (!insideWorkspace(root, context)) {
    throw new BuildInputError(`context "${options.context}" is outside the workspace (${root}): give a folder inside it, relative to the workspace root.`);
  }
  if (!existsSync(context)) throw new BuildInputError(`context folder "${options.context}" does not exist: set the context option to an existing folder, relative to the workspace root.`);
  const dockerfile = options.dockerfile
    ? resolve(root, options.dockerfile)
    : DOCKERFILE_NAMES.map((name) => join(root, project.root, name)).find((path) => existsSync(path)) ?? join(root, project.root, 'Dockerfile');
  if (!existsSync(dockerfile)) {
    throw new BuildInputError(
      `Dockerfile not found: ${relative(root, dockerfile)}. Add one, or set the dockerfile option (relative to the workspace root) for project "${project.name}".`,
    );
  }
  return { dockerfile, context };
}

/** The OCI annotations every image gets unless the labels option overrides them. */
export function ociLabels(project: ProjectInfo, revision: SourceRevision | undefined, sourceUrl: string | undefined): Record<string, string> {
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
  sources: { dockerfile: string; context: string },
  revision: SourceRevision | undefined,
  sourceUrl: string | undefined,
): BuildRequest {
  return {
    ...sources,
    target: options.target,
    buildArgs: options.buildArgs ?? {},
    labels: { ...ociLabels(project, revision, sourceUrl), ...(options.labels ?? {}) },
    extraArgs: options.extraArgs ?? [],
    secrets: secretFiles(project.workspaceRoot, options.secrets),
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

/** Secret files, resolved and checked to exist; the error names the id and the path, never the content. */
export function secretFiles(workspaceRoot: string, secrets: Record<string, string> | undefined): Record<string, string> | undefined {
  if (!secrets) return undefined;
  return Object.fromEntries(
    Object.entries(secrets).map(([id, path]) => {
      const file = resolve(workspaceRoot, path);
      if (!existsSync(file)) throw new BuildInputError(`secret "${id}": no file at ${file}. Create it, or fix the path in the secrets option.`);
      return [id, file];
    }),
  );
}
