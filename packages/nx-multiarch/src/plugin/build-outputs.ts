/**
 * Images of another target's output: a Dockerfile that copies `dist/apps/api` builds from files git ignores, so Nx
 * hashes none of them. The target that writes them must run first and its outputs must be in the image's hash, or a
 * source change ends in a cache hit with a stale image. Found without a project graph (createNodes has none): the
 * project's own project.json outputs, then Nx's conventions `dist/<projectRoot>` and `<projectRoot>/dist`.
 */
import { basename } from 'node:path';
import ignore, { type Ignore } from 'ignore';
import { fillProjectTokens, normalisePath } from '../core/paths';
import type { WorkspaceFiles } from './workspace-files';

export interface Producer {
  project: string;
  target: string;
  /** the image's own project */
  self: boolean;
}

export interface CopiedOutput {
  /** workspace-relative */
  path: string;
  producer?: Producer;
}

/** Folder names a build writes into under a project root (`apps/web/dist`, Maven's `target`). */
const OUTPUT_FOLDERS = ['dist', 'build', 'out', 'target'];
const DEFAULT_TARGET = 'build';

/** One output path covers a copied path when either holds the other. */
export const covers = (output: string, path: string) => output === path || path.startsWith(`${output}/`) || output.startsWith(`${path}/`);

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a project.json or package.json, read as it is
function readJson(files: WorkspaceFiles, path: string): Record<string, any> | undefined {
  try {
    const text = files.read(path);
    return text === undefined ? undefined : JSON.parse(text);
  } catch {
    return undefined;
  }
}

const compiledRules = new Map<string, Ignore>();

/** The root .gitignore's rules, read when first asked (through `files`, so a recording sees it) and compiled once per content. */
export function gitIgnoreOf(files: WorkspaceFiles): (path: string) => boolean {
  let rules: Ignore | undefined;
  const compiled = () => {
    const text = files.read('.gitignore') ?? '';
    if (!compiledRules.has(text)) compiledRules.set(text, ignore().add(text));
    return compiledRules.get(text) as Ignore;
  };
  return (path) => {
    rules ??= compiled();
    return path !== '' && (rules.ignores(path) || rules.ignores(`${path}/`));
  };
}

/** COPY/ADD sources (context-relative) that git ignores, workspace-relative; sources with variables can't be told. */
export function ignoredCopies(copySources: string[], context: string, isIgnored: (path: string) => boolean): string[] {
  const paths = copySources
    .filter((source) => !source.includes('$') && !/^[a-z]+:\/\//i.test(source))
    .map((source) => normalisePath([normalisePath(context), normalisePath(source)].filter(Boolean).join('/')))
    .filter((path) => path && !/[*?[]/.test(path));
  return [...new Set(paths.filter(isIgnored))];
}

interface ProjectFile {
  name: string;
  root: string;
  targets: Record<string, { outputs?: string[]; options?: Record<string, unknown> }>;
}

function projectAt(files: WorkspaceFiles, root: string): ProjectFile | undefined {
  const projectJson = readJson(files, normalisePath(`${root}/project.json`));
  if (projectJson) return { name: projectJson.name ?? basename(root), root, targets: projectJson.targets ?? {} };
  const packageJson = readJson(files, normalisePath(`${root}/package.json`));
  return packageJson?.name ? { name: packageJson.name, root, targets: packageJson.nx?.targets ?? {} } : undefined;
}

/** Output paths a target declares, with Nx's tokens filled in as far as a project.json tells. */
function declaredOutputs(project: ProjectFile, target: ProjectFile['targets'][string]): string[] {
  return (target.outputs ?? [])
    .filter((output) => !output.startsWith('!'))
    .map((output) =>
      fillProjectTokens(output.replaceAll('{workspaceRoot}/', '').replaceAll('{workspaceRoot}', ''), project.name, project.root).replace(
        /\{options\.(\w+)\}/g,
        (token, key: string) => (typeof target.options?.[key] === 'string' ? String(target.options[key]) : token),
      ),
    )
    .filter((output) => !output.includes('{'))
    .map(normalisePath);
}

function declaringTarget(project: ProjectFile, path: string): string | undefined {
  return Object.entries(project.targets).find(([, target]) => declaredOutputs(project, target).some((output) => covers(output, path)))?.[0];
}

/** Roots a path could be the conventional output of, longest first: dist/apps/api/x → apps/api/x, apps/api, apps. */
function conventionalRoots(path: string): string[] {
  const segments = path.split('/');
  const roots: string[] = [];
  if (segments[0] === 'dist') for (let end = segments.length; end > 1; end -= 1) roots.push(segments.slice(1, end).join('/'));
  segments.forEach((segment, i) => {
    if (i > 0 && OUTPUT_FOLDERS.includes(segment)) roots.push(segments.slice(0, i).join('/'));
  });
  return roots;
}

export function producerOf(files: WorkspaceFiles, path: string, self: { name: string; root: string }): Producer | undefined {
  const own = projectAt(files, self.root);
  const ownTarget = own && declaringTarget(own, path);
  if (ownTarget) return { project: self.name, target: ownTarget, self: true };
  for (const root of conventionalRoots(path)) {
    const project = root === self.root ? own : projectAt(files, root);
    if (!project) continue;
    return { project: project.name, target: declaringTarget(project, path) ?? DEFAULT_TARGET, self: root === self.root };
  }
  return undefined;
}

export function copiedOutputs(
  files: WorkspaceFiles,
  copySources: string[],
  context: string,
  self: { name: string; root: string },
): CopiedOutput[] {
  return ignoredCopies(copySources, context, gitIgnoreOf(files)).map((path) => ({ path, producer: producerOf(files, path, self) }));
}
