import { normalisePath } from '../core/paths';
import type { WorkspaceFiles } from './workspace-files';

const join = (...parts: string[]) => parts.filter(Boolean).join('/');

/** .dockerignore next to the Dockerfile (<Dockerfile>.dockerignore) wins over the context's, as in BuildKit and podman. */
export function ignoreFiles(dockerfile: string, context: string): string[] {
  return [`${dockerfile}.dockerignore`, join(context, '.dockerignore'), join(context, '.containerignore')];
}

/** The patterns of the ignore file that applies (workspace-relative paths in, raw lines out, comments dropped). */
export function readIgnorePatterns(files: WorkspaceFiles, dockerfile: string, context: string): string[] {
  const file = ignoreFiles(dockerfile, context).find((path) => files.exists(path));
  if (!file) return [];
  return (files.read(file) ?? '')
    .split('\n')
    .map((line) => line.trim())
    .filter((line) => line && !line.startsWith('#'));
}

const literalPrefix = (pattern: string) => pattern.split(/[*?[\\]/)[0];

/**
 * The exclusion patterns (normalised, context-relative) that no `!` re-include could overlap. Nx inputs cannot
 * re-include after a negation, so an exclusion a re-include could reach is dropped: that can cost a needless rebuild,
 * never a stale image.
 */
export function certainExclusions(patterns: string[]): string[] {
  const reincluded = patterns.filter((p) => p.startsWith('!')).map((p) => normalisePath(p.slice(1)));
  return patterns
    .filter((p) => !p.startsWith('!'))
    .map(normalisePath)
    .filter((p) => p && !reincluded.some((r) => r.startsWith(literalPrefix(p)) || literalPrefix(p).startsWith(literalPrefix(r))));
}

const compiled = new Map<string, RegExp>();

/** A .dockerignore pattern as Docker matches it (moby/patternmatcher): `*` and `?` stop at `/`, `**` crosses folders. */
export function patternRegex(pattern: string): RegExp {
  let regex = compiled.get(pattern);
  if (regex) return regex;
  let source = '^';
  for (let i = 0; i < pattern.length; i++) {
    const ch = pattern[i];
    if (ch === '*' && pattern[i + 1] === '*') {
      i++;
      if (pattern[i + 1] === '/') i++;
      source += i + 1 >= pattern.length ? '.*' : '(.*/)?';
    } else if (ch === '*') source += '[^/]*';
    else if (ch === '?') source += '[^/]';
    else if (ch === '\\' && i + 1 < pattern.length) source += `\\${pattern[++i]}`;
    else if (ch === '[') {
      const end = pattern.indexOf(']', i + 2);
      if (end === -1) source += '\\[';
      else {
        source += `[${pattern.slice(i + 1, end)}]`;
        i = end;
      }
    } else source += /[.+^${}()|\]]/.test(ch) ? `\\${ch}` : ch;
  }
  regex = new RegExp(`${source}$`);
  compiled.set(pattern, regex);
  return regex;
}

/** Whether an exclusion covers this context-relative path: the pattern matches it or one of its parent folders. */
export function excludedBy(exclusions: string[], path: string): boolean {
  const segments = normalisePath(path).split('/');
  return segments.some((_, i) => {
    const prefix = segments.slice(0, i + 1).join('/');
    return exclusions.some((pattern) => patternRegex(pattern).test(prefix));
  });
}
