import type { Step } from '../run/exec';

/** What every engine needs to build one image; all paths absolute. */
export interface BuildRequest {
  dockerfile: string;
  context: string;
  target?: string;
  buildArgs: Record<string, string>;
  labels: Record<string, string>;
  extraArgs: string[];
  /** Seconds since the epoch used for image and file timestamps, for reproducible digests. */
  sourceDateEpoch?: number;
  /** The platform the engine runs on (os/arch), e.g. linux/amd64. */
  buildPlatform: string;
}

export interface MultiArchRequest extends BuildRequest {
  platforms: string[];
  /** provenance attestations (buildx only) */
  provenance?: boolean;
  /** Folder that receives the OCI image layout (index.json, blobs/), tagged "latest". */
  layoutDir: string;
  /** A name unique to this run, for temporary engine objects (podman manifest lists). */
  workName: string;
}

export interface SingleRequest extends BuildRequest {
  platform: string;
  /** Name the image gets in the engine's local store. */
  reference: string;
}

export interface Plan {
  steps: Step[];
  /** Always run afterwards, also after a failure (temporary manifest lists and the like). */
  cleanup: Step[];
}

export interface Engine {
  readonly name: 'podman' | 'docker';
  /** The command that prints the engine version, and how to read it. */
  readonly versionStep: Step;
  parseVersion(output: string): string;
  /** Throws when this version can't do what the plugin needs. */
  assertSupported(version: string): void;
  planMultiArch(request: MultiArchRequest): Plan;
  planSingle(request: SingleRequest): Plan;
}

/** Flags shared by every build: Dockerfile, stage, build args, labels, escape hatch. */
export function commonBuildFlags(request: BuildRequest): string[] {
  return [
    '--file', request.dockerfile,
    ...(request.target ? ['--target', request.target] : []),
    ...Object.entries(request.buildArgs).flatMap(([key, value]) => ['--build-arg', `${key}=${value}`]),
    ...Object.entries(request.labels).flatMap(([key, value]) => ['--label', `${key}=${value}`]),
  ];
}

export function compareVersions(a: string, b: string): number {
  const pa = a.split(/[.-]/).map((n) => parseInt(n, 10) || 0);
  const pb = b.split(/[.-]/).map((n) => parseInt(n, 10) || 0);
  for (let i = 0; i < 3; i++) if ((pa[i] ?? 0) !== (pb[i] ?? 0)) return (pa[i] ?? 0) - (pb[i] ?? 0);
  return 0;
}
