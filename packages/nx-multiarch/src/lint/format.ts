import type { Finding } from './meta';

/** One line per finding: `path:line: level [rule] message Fix: fix`. */
export function formatText(findings: Finding[]): string {
  return findings.map((f) => `${f.path}:${f.line}: ${f.level} [${f.rule}] ${f.message} Fix: ${f.fix}`).join('\n');
}

/** The findings as a JSON array with a fixed key order, so output can be diffed and snapshotted. */
export function formatJson(findings: Finding[]): string {
  return JSON.stringify(
    findings.map(({ rule, level, path, line, message, fix }) => ({ rule, level, path, line, message, fix })),
    null,
    2,
  );
}
