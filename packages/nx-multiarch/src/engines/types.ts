import type { LineChange } from '../dockerfile/line-diff';
import type { Step } from '../run/exec';
import type { BaseSlot, PinnedBase } from './podman-bases';

/** What every engine needs to build one image; all paths absolute. */
export interface BuildRequest {
  dockerfile: string;
  context: string;
  target?: string;
  buildArgs: Record<string, string>;
  labels: Record<string, string>;
  extraArgs: string[];
  /** Build secrets: id -> absolute file path (--secret id=<id>,src=<path>); the engine reads the file, nothing else does. */
  secrets?: Record<string, string>;
  /** Seconds since the epoch used for image and file timestamps, for reproducible digests. */
  sourceDateEpoch?: number;
  /** The platform the engine runs on (os/arch), e.g. linux/amd64. */
  buildPlatform: string;
  /** Where the build runs when not on the local engine. */
  remote?: RemoteBuilder;
  /** FROMs of the prepared Dockerfile that name their base through a build arg (podman's parallel platform builds) */
  baseSlots?: BaseSlot[];
  /** what those build args name, pulled before the build (resolveBases); a dry run shows placeholders instead */
  basePins?: PinnedBase[];
  /** every pinned local name is in the store already: the pulls run only if the plan has to start again */
  basePinsPresent?: boolean;
}

/** podman: a named system connection or a service URL (--connection / --url); docker: a buildx builder (--builder). */
export interface RemoteBuilder {
  connection?: string;
  url?: string;
  builder?: string;
}

export interface MultiArchRequest extends BuildRequest {
  platforms: string[];
  /** provenance attestations (buildx only) */
  provenance?: boolean;
  /** Folder that receives the OCI image layout (index.json, blobs/), tagged "latest". */
  layoutDir: string;
  /** A name unique to this run, for temporary engine objects (podman manifest lists). */
  workName: string;
  /** How many platforms the engine builds at once (podman --jobs); 1 or unset: one after the other. */
  jobs?: number;
}

export interface SingleRequest extends BuildRequest {
  platform: string;
  /** Name the image gets in the engine's local store. */
  reference: string;
}

export interface Plan {
  steps: Step[];
  /**
   * Set when the engine can't write the OCI layout itself (a remote podman service writes files on its own machine):
   * one single-image oci-archive per platform, fetched to this machine, that the executor joins into the layout.
   */
  archives?: Array<{ platform: string; path: string }>;
  /** Run afterwards, also after a failure (temporary manifest lists and the like). */
  cleanup: Step[];
  /** The last step removes what cleanup would when it succeeds (podman manifest push --rm): cleanup then runs only after a failure. */
  cleanupAfterFailureOnly?: boolean;
  /** A known transient engine failure: the whole plan runs again (a few times) when a step's output matches `on`. */
  retry?: { on: RegExp; reason: string };
}

/** The local base names an engine store was seen to hold: looking them up again costs an engine process per build. */
export interface KnownBaseNames {
  has(names: string[]): boolean;
  remember(names: string[]): void;
}

/** A file the engine builds from instead of the user's (podman's Dockerfile copy), with what it changes: a dry run shows it. */
export interface PreparedFile {
  path: string;
  about: string;
  changes: LineChange[];
}

export interface PrepareContext {
  /** the project being built: names the engine's copy of its Dockerfile */
  project: string;
  workspaceRoot: string;
  /** Rewrites FROM lines that name a workspace project's image to its fresh build output (docker-build's multi-arch builds). */
  rewriteBases?: (text: string) => { text: string; bases: string[]; notes: string[] };
}

/** A request as the engine builds it, and what it did to get there. */
export interface Prepared<R extends BuildRequest> {
  request: R;
  /** workspace projects whose fresh build output a FROM now names */
  bases: string[];
  /** files written for the build, the same in a dry run and a real run */
  files: PreparedFile[];
  /** for a dry run's report */
  notes: string[];
}

export interface Engine {
  readonly name: 'podman' | 'docker';
  /** The command that prints the engine version, and how to read it. */
  readonly versionStep: Step;
  /** The version command fails for an unsupported install (docker without buildx): assertSupported then reports it. */
  readonly versionMayFail: boolean;
  /** The versions the plugin supports, as a dry run (which asks no version) names them. */
  readonly supported: string;
  parseVersion(output: string): string;
  /** Throws when this version can't do what the plugin needs. */
  assertSupported(version: string): void;
  /** Warnings about known problems of this engine version that the Dockerfile would run into. */
  preflight(dockerfile: string, cwd: string, version: string): Promise<string[]>;
  /**
   * What the engine builds instead of the request as given, written where a real run and a dry run both find it
   * (podman: a Dockerfile copy with workspace bases, source-epoch labels and the image labels as one LABEL).
   */
  prepare<R extends BuildRequest>(request: R, context: PrepareContext): Promise<Prepared<R>>;
  /**
   * Reads what a prepared request's base slots name now (podman: each platform's base digest, from the registry or a
   * workspace base's layout), for planMultiArch's pull steps. Real runs only: a dry run plans with placeholders.
   */
  resolveBases?(request: MultiArchRequest, cwd: string, known?: KnownBaseNames): Promise<MultiArchRequest>;
  planMultiArch(request: MultiArchRequest): Plan;
  planSingle(request: SingleRequest): Plan;
  /** Writes one image from the local store as a docker-archive (what `kind load image-archive` takes). */
  saveArchive(reference: string, archive: string, remote?: RemoteBuilder): Step;
  /**
   * Throws when this engine cannot stitch as asked (options it cannot honour); docker-manifest calls it before it reads
   * or pushes anything, and planStitch calls it too.
   */
  assertStitchable?(request: Pick<StitchRequest, 'destinations' | 'tlsVerify' | 'remote'>): void;
  /** Creates `list` from images already in the registry (by digest) and pushes it to each reference. */
  planStitch(request: StitchRequest): Plan;
}

export interface StitchRequest {
  /** name@sha256:... of each per-arch image, already in the registry */
  sources: string[];
  /** Full references the list is pushed to, e.g. 127.0.0.1:5000/team/app:1.2 */
  destinations: string[];
  /** oci for OCI image manifests, v2s2 for Docker ones: the list matches its images, so nothing is converted */
  format: 'oci' | 'v2s2';
  tlsVerify: boolean;
  workName: string;
  remote?: RemoteBuilder;
}

/** Flags shared by every build: Dockerfile, stage, build args, labels, escape hatch. */
export function commonBuildFlags(request: BuildRequest): string[] {
  return [
    '--file',
    request.dockerfile,
    ...(request.target ? ['--target', request.target] : []),
    ...Object.entries(request.buildArgs).flatMap(([key, value]) => ['--build-arg', `${key}=${value}`]),
    ...Object.entries(request.labels).flatMap(([key, value]) => ['--label', `${key}=${value}`]),
    ...Object.entries(request.secrets ?? {}).flatMap(([id, path]) => ['--secret', `id=${id},src=${path}`]),
  ];
}

export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).map((n) => parseInt(n, 10) || 0);
  const pb = b.split(/[.-]/).map((n) => parseInt(n, 10) || 0);
  for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}
