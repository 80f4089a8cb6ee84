import type { TargetConfiguration } from '../devkit';
import { existsSync, readFileSync } from 'node:fs';
import { join as fsJoin, posix } from 'node:path';
import type { ParsedDockerfile } from '../dockerfile/parse';

type Input = NonNullable<TargetConfiguration['inputs']>[number];

/** Workspace-relative, POSIX, no "./" or trailing "/"; "" is the workspace root. */
export function normalisePath(path: string): string {
  const normal = posix.normalize(path.replace(/\\/g, '/')).replace(/^\.\/?$/, '').replace(/^\.\//, '').replace(/\/$/, '').replace(/^\//, '');
  return normal === '.' ? '' : normal;
}

const join = (...parts: string[]) => parts.filter(Boolean).join('/');

/** .dockerignore next to the Dockerfile (<Dockerfile>.dockerignore) wins over the context's, as in BuildKit and podman. */
export function ignoreFiles(dockerfile: string, context: string): string[] {
  return [`${dockerfile}.dockerignore`, join(context, '.dockerignore'), join(context, '.containerignore')];
}

function readIgnorePatterns(workspaceRoot: string, dockerfile: string, context: string): string[] {
  const file = ignoreFiles(dockerfile, context).find((path) => existsSync(fsJoin(workspaceRoot, path)));
  if (!file) return [];
  return readFileSync(fsJoin(workspaceRoot, file), 'utf8')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
}

const literalPrefix = (pattern: string) => pattern.split(/[*?[]/)[0];

/**
 * Exclusions, workspace-relative globs. Docker patterns are rooted at the context (`*.md` is top-level only).
 * Nx cannot re-include after a negation, so an exclusion that a `!` re-include could overlap is dropped:
 * that can cost a needless rebuild, never a stale image.
 */
export function ignoredGlobs(patterns: string[], context: string): string[] {
  const reincluded = patterns.filter((p) => p.startsWith('!')).map((p) => normalisePath(p.slice(1)));
  return patterns
    .filter((p) => !p.startsWith('!'))
    .map(normalisePath)
    .filter((p) => p && !reincluded.some((r) => r.startsWith(literalPrefix(p)) || literalPrefix(p).startsWith(literalPrefix(r))))
    .flatMap((p) => [join(context, p), join(context, p, '**')]);
}

/** Context paths the COPY/ADD sources name, workspace-relative: `.` is the whole context; so is a source with a variable. */
export function copiedGlobs(copySources: string[], context: string): string[] {
  const globs = new Set<string>();
  for (const source of copySources) {
    const path = normalisePath(source);
    if (path === '' || source.includes('$')) {
      globs.add(join(context, '**/*'));
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

export function imageSources(workspaceRoot: string, dockerfile: string, context: string, parsed: ParsedDockerfile): ImageSources {
  const ctx = normalisePath(context);
  return {
    files: [dockerfile, ...ignoreFiles(dockerfile, ctx), ...copiedGlobs(parsed.copySources, ctx)],
    excluded: ignoredGlobs(readIgnorePatterns(workspaceRoot, dockerfile, ctx), ctx),
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
