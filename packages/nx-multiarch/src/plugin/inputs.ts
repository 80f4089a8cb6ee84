import type { TargetConfiguration } from '../devkit';
import ignore, { type Ignore } from 'ignore';
import type { ParsedDockerfile } from '../dockerfile/parse';
import { normalisePath } from '../core/paths';
import { certainExclusions, excludedBy, ignoreFiles, readIgnorePatterns } from './dockerignore';
import type { WorkspaceFiles } from './workspace-files';

type Input = NonNullable<TargetConfiguration['inputs']>[number];

const join = (...parts: string[]) => parts.filter(Boolean).join('/');

/** Exclusions as workspace-relative globs, rooted at the context as Docker roots them (`*.md` is top-level only). */
export function ignoredGlobs(patterns: string[], context: string): string[] {
  return certainExclusions(patterns).flatMap((p) => [join(context, p), join(context, p, '**')]);
}

const parsedIgnores = new Map<string, Ignore>();

/** What Nx never hashes: the root .gitignore and .nxignore, node_modules and .git. Parsed once per distinct content. */
function nxIgnored(files: WorkspaceFiles): Ignore {
  const rules = ['.gitignore', '.nxignore'].map((file) => files.read(file) ?? '').join('\n');
  let ignored = parsedIgnores.get(rules);
  if (!ignored) {
    ignored = ignore().add(['node_modules', '.git']).add(rules);
    parsedIgnores.set(rules, ignored);
  }
  return ignored;
}

/**
 * The whole context, as one glob per top-level entry the ignore file leaves in, rather than one glob for everything.
 * Nx's `affected` turns every `{workspaceRoot}/...` input into a pattern that marks the project touched and ignores
 * negated inputs (Nx 20-22: getImplicitlyTouchedProjects in nx/src/project-graph/affected/locators/workspace-projects),
 * so a glob for everything would let a README.md that the image excludes affect every root-context image.
 * Entries Nx never hashes (git-ignored ones) are left out too: an input for them would only be noise.
 */
function wholeContextGlobs(files: WorkspaceFiles, context: string, exclusions: string[]): string[] {
  const entries = files.list(context);
  if (!entries) return [join(context, '**/*')]; // no such folder: the build reports it; the graph must still load
  const ignored = nxIgnored(files);
  return entries
    .filter(
      (entry) => !excludedBy(exclusions, entry.name) && !ignored.ignores(join(context, entry.name) + (entry.kind === 'dir' ? '/' : '')),
    )
    .flatMap((entry) => {
      if (entry.kind === 'file') return [join(context, entry.name)];
      if (entry.kind === 'dir') return [join(context, entry.name, '**/*')];
      return [join(context, entry.name), join(context, entry.name, '**/*')];
    });
}

/** Context paths the COPY/ADD sources name, workspace-relative: `.` is the whole context; so is a source with a variable. */
export function copiedGlobs(
  copySources: string[],
  context: string,
  wholeContext: () => string[] = () => [join(context, '**/*')],
): string[] {
  const globs = new Set<string>();
  for (const source of copySources) {
    const path = normalisePath(source);
    if (path === '' || source.includes('$')) {
      for (const glob of wholeContext()) globs.add(glob);
    } else {
      globs.add(join(context, path));
      globs.add(join(context, path, '**/*'));
    }
  }
  return [...globs];
}

/** What shapes an image's content, as workspace-relative paths and globs. */
export interface ImageSources {
  files: string[];
  excluded: string[];
}

/** A path inside the context, relative to it; undefined outside it. */
function withinContext(path: string, context: string): string | undefined {
  if (!context) return path;
  return path.startsWith(`${context}/`) ? path.slice(context.length + 1) : undefined;
}

export function imageSources(files: WorkspaceFiles, dockerfile: string, context: string, parsed: ParsedDockerfile): ImageSources {
  const ctx = normalisePath(context);
  const exclusions = certainExclusions(readIgnorePatterns(files, dockerfile, ctx));
  const own = [dockerfile, ...ignoreFiles(dockerfile, ctx)];
  // The Dockerfile and ignore files shape the build even where the ignore file keeps them out of the context (a
  // central docker/ folder often is): Nx cannot re-include a path after a negation, so no negation may reach them.
  const ownInContext = own.map((path) => withinContext(path, ctx)).filter((path): path is string => path !== undefined);
  const negatable = exclusions.filter((pattern) => !ownInContext.some((path) => excludedBy([pattern], path)));
  return {
    files: [...new Set([...own, ...copiedGlobs(parsed.copySources, ctx, () => wholeContextGlobs(files, ctx, exclusions))])],
    excluded: ignoredGlobs(negatable, ctx),
  };
}

/** The same sources as git pathspecs, to find the newest commit that touched them. */
export function gitPathspecs(sources: ImageSources): string[] {
  return [...sources.files.map((f) => `:(glob)${f}`), ...sources.excluded.map((f) => `:(exclude,glob)${f}`)];
}

/** Everything that shapes the image, and nothing else. */
export function buildInputs(sources: ImageSources, engine: string | undefined): Input[] {
  return [
    ...sources.files.map((f) => `{workspaceRoot}/${f}`),
    ...sources.excluded.map((f) => `!{workspaceRoot}/${f}`),
    { env: 'PLATFORMS' },
    { env: 'MULTI_ARCH' },
    // Which engine builds matters (podman and buildx lay out images differently); with auto it depends on the machine.
    // A constant command Nx runs to hash, not one the plugin runs.
    { runtime: engine && engine !== 'auto' ? `echo ${engine}` : 'command -v podman >/dev/null && echo podman || echo docker' },
  ];
}
