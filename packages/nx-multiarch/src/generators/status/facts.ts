/**
 * The facts behind each row of the status page, read from the tree (which, under `nx g`, reads the workspace on
 * disk): the Dockerfile and its lint findings, image.json of the multi-arch and per-arch builds, the OCI layout,
 * and the push records. Nothing here runs an engine or asks a registry.
 */
import type { TargetConfiguration, Tree } from '../../devkit';
import { statSync } from 'node:fs';
import { isAbsolute, join, relative } from 'node:path';
import { archKey, hostPlatform } from '../../image/platform';
import type { PushRecord } from '../../image/push-record';
import type { ImageRecord } from '../../image/record';
import {
  archOutputPath,
  defaultLintOutput,
  defaultOutputPath,
  DOCKERFILE_NAMES,
  isPluginExecutor,
  LAYOUT_DIR,
  pushRecordPath,
  RECORD_FILE,
} from '../../core/conventions';
import { fillProjectTokens, normalisePath } from '../../core/paths';
import { lintDockerfile, type Finding } from '../../lint';
import { buildTargetOf, isDeprecated, joinPath, type StatusProject } from './projects';

export type TargetOrigin = 'inferred' | 'overridden';

export interface BuildFacts {
  /** workspace-relative path of image.json */
  path: string;
  record: ImageRecord;
  /** the file's modification time, used when image.json has no `created` */
  mtime?: string;
}

export interface PushFacts {
  path: string;
  /** '' for the multi-arch record, else the arch of a per-arch push (`<root>.<arch>.json`) */
  arch: string;
  record: Partial<PushRecord> & { ok?: boolean; problems?: unknown };
  failed: boolean;
  problems: string[];
}

export type SingleArchSeconds =
  { kind: 'measured'; seconds: number; arch: string; path: string } | { kind: 'estimated'; seconds: number; platform: string } | undefined;

export interface ServiceFacts {
  name: string;
  root: string;
  deprecated: boolean;
  buildTarget: string;
  dockerfile: string;
  context: string;
  dockerfileMissing: boolean;
  findings: Finding[];
  /** every nx-multiarch target of the project and whether project.json defines (overrides) it */
  targets: Array<{ name: string; origin: TargetOrigin }>;
  outputPath: string;
  build?: BuildFacts;
  /** image.json present but unreadable */
  buildError?: string;
  /** per-arch build records by arch */
  perArch: Record<string, BuildFacts>;
  pushes: PushFacts[];
  singleArch: SingleArchSeconds;
  /** sum of the distinct blobs (index, manifests, configs, layers) of the image in the OCI layout */
  registryStorage?: number;
  storageProblem?: string;
}

export interface FactOptions {
  /** the arch whose per-arch build counts as "single-arch" (default: this machine's) */
  hostArch?: string;
}

const asString = (value: unknown): string | undefined => (typeof value === 'string' && value !== '' ? value : undefined);

/** `{projectRoot}`, `{projectName}` and `{workspaceRoot}` in option values, as Nx interpolates them. */
function interpolate(value: string, project: StatusProject): string {
  return fillProjectTokens(value.replaceAll('{workspaceRoot}/', '').replaceAll('{workspaceRoot}', '.'), project.name, project.root);
}

function workspacePath(tree: Tree, value: string, project: StatusProject): string {
  const path = interpolate(value, project);
  return normalisePath(isAbsolute(path) ? relative(tree.root, path) : path);
}

function readJsonFile<T>(tree: Tree, path: string): { value?: T; error?: string } {
  const text = tree.read(path, 'utf-8');
  if (text === null) return {};
  try {
    return { value: JSON.parse(text) as T };
  } catch (error) {
    return { error: `${path} is not valid JSON (${(error as Error).message})` };
  }
}

function mtimeOf(tree: Tree, path: string): string | undefined {
  try {
    return statSync(join(tree.root, path)).mtime.toISOString();
  } catch {
    return undefined;
  }
}

function readBuild(tree: Tree, outputPath: string): { build?: BuildFacts; error?: string } {
  const path = joinPath(outputPath, RECORD_FILE);
  const { value, error } = readJsonFile<ImageRecord>(tree, path);
  if (error) return { error };
  if (!value) return {};
  if (!value.index?.digest || !Array.isArray(value.platforms)) return { error: `${path} lacks the index or the platforms` };
  return { build: { path, record: value, mtime: value.created ? undefined : mtimeOf(tree, path) } };
}

function originOf(tree: Tree, project: StatusProject, targetName: string): TargetOrigin {
  const { value } = readJsonFile<{ targets?: Record<string, unknown> }>(tree, joinPath(project.root, 'project.json'));
  return value?.targets && Object.prototype.hasOwnProperty.call(value.targets, targetName) ? 'overridden' : 'inferred';
}

/**
 * The findings docker-lint wrote (it also asks the registry about digest-pinned bases), when they are at least as new
 * as the Dockerfile; else the same lint run here without the registry.
 */
function lint(tree: Tree, project: StatusProject, dockerfile: string, context: string): { findings: Finding[]; missing: boolean } {
  const text = tree.read(dockerfile, 'utf-8');
  if (text === null) return { findings: [], missing: true };
  const written = writtenFindings(tree, project, dockerfile);
  if (written) return { findings: written, missing: false };
  const ignoreFiles = [joinPath(context, '.dockerignore'), joinPath(context, '.containerignore'), `${dockerfile}.dockerignore`];
  const findings = lintDockerfile({
    text,
    path: dockerfile,
    contextIsWorkspaceRoot: context === '',
    hasDockerignore: ignoreFiles.some((file) => tree.exists(file)),
  });
  return { findings, missing: false };
}

function writtenFindings(tree: Tree, project: StatusProject, dockerfile: string): Finding[] | undefined {
  const lintTarget = Object.values(project.targets).find((target) => isPluginExecutor(target.executor, 'docker-lint'));
  if (!lintTarget) return undefined;
  const path = workspacePath(tree, asString(lintTarget.options?.outputPath) ?? defaultLintOutput(project.root), project);
  const { value } = readJsonFile<Finding[]>(tree, path);
  if (!Array.isArray(value) || value.some((finding) => finding?.path !== dockerfile)) return undefined;
  const [writtenAt, editedAt] = [mtimeOf(tree, path), mtimeOf(tree, dockerfile)];
  if (writtenAt && editedAt && writtenAt < editedAt) return undefined;
  return value;
}

const problemsOf = (record: { ok?: unknown; problems?: unknown }): string[] => {
  if (Array.isArray(record.problems)) return record.problems.map(String);
  if (typeof record.problems === 'string' && record.problems) return [record.problems];
  return [];
};

/** `dist/push-records/<projectRoot>.json` and every `<projectRoot>.<arch>.json` beside it. */
function readPushes(tree: Tree, project: StatusProject, arches: string[]): PushFacts[] {
  const candidates = [{ arch: '', path: normalisePath(pushRecordPath('', project.root)) }];
  for (const arch of arches) candidates.push({ arch, path: normalisePath(pushRecordPath('', project.root, arch)) });
  const pushes: PushFacts[] = [];
  for (const { arch, path } of candidates) {
    const { value, error } = readJsonFile<PushFacts['record']>(tree, path);
    if (error) {
      pushes.push({ path, arch, record: {}, failed: true, problems: [error] });
    } else if (value) {
      const problems = problemsOf(value);
      pushes.push({ path, arch, record: value, failed: value.ok === false || problems.length > 0, problems });
    }
  }
  return pushes;
}

interface Descriptor {
  mediaType?: string;
  digest: string;
  size: number;
  annotations?: Record<string, string>;
}

/**
 * What a registry holds for the image: every distinct blob it references (the index, each manifest, each config and
 * layer once, however many platforms share it), by the sizes the descriptors give.
 */
export function registryStorage(tree: Tree, layoutDir: string, tag = 'latest'): { bytes?: number; problem?: string } {
  const blob = (digest: string) => joinPath(layoutDir, 'blobs', ...digest.split(':'));
  const top = readJsonFile<{ manifests?: Descriptor[] }>(tree, joinPath(layoutDir, 'index.json'));
  if (top.error) return { problem: top.error };
  if (!top.value) return { problem: `no OCI layout at ${layoutDir}` };
  const manifests = top.value.manifests ?? [];
  const entry = manifests.find((m) => m.annotations?.['org.opencontainers.image.ref.name'] === tag) ?? manifests[0];
  if (!entry) return { problem: `${layoutDir} holds no image` };
  const sizes = new Map<string, number>();
  const pending: Descriptor[] = [entry];
  while (pending.length > 0) {
    const descriptor = pending.pop()!;
    if (sizes.has(descriptor.digest)) continue;
    sizes.set(descriptor.digest, descriptor.size);
    if (descriptor !== entry && !/manifest|index/.test(descriptor.mediaType ?? '')) continue;
    const { value, error } = readJsonFile<{ manifests?: Descriptor[]; config?: Descriptor; layers?: Descriptor[] }>(
      tree,
      blob(descriptor.digest),
    );
    if (error) return { problem: error };
    if (!value) return { problem: `${blob(descriptor.digest)} is missing from the layout` };
    pending.push(...(value.manifests ?? []), ...(value.config ? [value.config] : []), ...(value.layers ?? []));
  }
  return { bytes: [...sizes.values()].reduce((sum, size) => sum + size, 0) };
}

/** Arches of the build target's per-arch configurations (those that set `platform`), with their output paths. */
function perArchOutputs(tree: Tree, project: StatusProject, target: TargetConfiguration): Record<string, string> {
  const outputs: Record<string, string> = {};
  for (const options of Object.values(target.configurations ?? {})) {
    const platform = asString(options?.platform);
    if (!platform) continue;
    let arch: string;
    try {
      arch = archKey(platform);
    } catch {
      continue;
    }
    outputs[arch] = workspacePath(tree, asString(options.outputPath) ?? archOutputPath(project.root, arch), project);
  }
  return outputs;
}

function singleArchSeconds(build: BuildFacts | undefined, perArch: Record<string, BuildFacts>, hostArch: string): SingleArchSeconds {
  const own = perArch[hostArch];
  if (own && typeof own.record.buildSeconds === 'number')
    return { kind: 'measured', seconds: own.record.buildSeconds, arch: hostArch, path: own.path };
  const timed = (build?.record.platforms ?? []).filter((p) => typeof p.seconds === 'number');
  if (timed.length === 0) return undefined;
  const slowest = timed.reduce((a, b) => (b.seconds! > a.seconds! ? b : a));
  return { kind: 'estimated', seconds: slowest.seconds!, platform: slowest.platform };
}

export function serviceFacts(tree: Tree, project: StatusProject, options: FactOptions = {}): ServiceFacts {
  const [buildTarget, target] = buildTargetOf(project)!;
  const targetOptions = target.options ?? {};
  const dockerfile = workspacePath(tree, asString(targetOptions.dockerfile) ?? joinPath(project.root, DOCKERFILE_NAMES[0]), project);
  const context = workspacePath(tree, asString(targetOptions.context) ?? project.root, project);
  const outputPath = workspacePath(tree, asString(targetOptions.outputPath) ?? defaultOutputPath(project.root), project);
  const { findings, missing } = lint(tree, project, dockerfile, context);

  const targets = Object.entries(project.targets)
    .filter(([, t]) => isPluginExecutor(t.executor))
    .map(([name]) => ({ name, origin: originOf(tree, project, name) }))
    .sort((a, b) => a.name.localeCompare(b.name));

  const { build, error: buildError } = readBuild(tree, outputPath);
  const perArch: Record<string, BuildFacts> = {};
  const archOutputs = perArchOutputs(tree, project, target);
  for (const [arch, path] of Object.entries(archOutputs)) {
    const found = readBuild(tree, path).build;
    if (found) perArch[arch] = found;
  }
  const arches = new Set(Object.keys(archOutputs));
  for (const p of build?.record.platforms ?? []) {
    try {
      arches.add(archKey(p.platform));
    } catch {
      // not a platform we can name a per-arch record after
    }
  }
  const pushes = readPushes(tree, project, [...arches].sort());

  let registry: { bytes?: number; problem?: string } = {};
  if (build)
    registry = registryStorage(tree, joinPath(outputPath, build.record.layout?.path ?? LAYOUT_DIR), build.record.layout?.tag ?? 'latest');

  return {
    name: project.name,
    root: project.root,
    deprecated: isDeprecated(project),
    buildTarget,
    dockerfile,
    context,
    dockerfileMissing: missing,
    findings,
    targets,
    outputPath,
    build,
    buildError,
    perArch,
    pushes,
    singleArch: singleArchSeconds(build, perArch, options.hostArch ?? archKey(hostPlatform())),
    registryStorage: registry.bytes,
    storageProblem: registry.problem,
  };
}

export const errorsOf = (facts: ServiceFacts): Finding[] => facts.findings.filter((f) => f.level === 'error');
export const warningsOf = (facts: ServiceFacts): Finding[] => facts.findings.filter((f) => f.level === 'warning');
/** Multi-arch ready: the Dockerfile exists and has no error-level finding. */
export const isReady = (facts: ServiceFacts): boolean => !facts.dockerfileMissing && errorsOf(facts).length === 0;
