import type { PreparedFile } from '../engines/types';
import { formatArgv, type Step } from '../run/exec';

/** What a dry run shows: the commands a real run runs, in order, the files they read, and what the plan assumed. */
export interface DryRunReport {
  task: string;
  steps: Step[];
  /** run at the end whatever happened (or only after a failure: cleanupAfterFailureOnly) */
  cleanup?: Step[];
  cleanupAfterFailureOnly?: boolean;
  /** files a dry run wrote because the planned commands read them */
  files?: PreparedFile[];
  notes: string[];
}

const command = (step: Step) => {
  const env = Object.entries(step.env ?? {})
    .map(([key, value]) => `${key}=${value} `)
    .join('');
  return `  # ${step.description}\n  ${env}${formatArgv(step.argv)}`;
};

export function formatDryRun(report: DryRunReport): string {
  const lines = [`Dry run of ${report.task}: nothing was run. A real run runs:`, ...report.steps.map(command)];
  if (report.cleanup?.length)
    lines.push(
      report.cleanupAfterFailureOnly ? '  # then, if a step failed:' : '  # then, whatever happened:',
      ...report.cleanup.map(command),
    );
  for (const file of report.files ?? []) {
    lines.push(`${file.path}: ${file.about} (this dry run wrote it; a real run builds this same file)`);
    lines.push(...file.changes.map((change) => `  ${change.kind}${String(change.line).padStart(4)}  ${change.text}`));
  }
  if (report.notes.length > 0) lines.push('Assumed, or not known without running anything:', ...report.notes.map((note) => `  - ${note}`));
  return lines.join('\n');
}
