import { execa } from './execa';
import { CommandFailedError, ToolMissingError } from '../core/errors';
import { hintFor, installHint } from './errors';
import { trackProcess } from './interrupt';

/** One command of a plan: an argv array (never a shell string) and what it is for. */
export interface Step {
  argv: string[];
  description: string;
  env?: Record<string, string>;
  /** The platform this step builds, when the engine's own output doesn't say. */
  platform?: string;
  /** Put before each output line of a step that builds nothing, e.g. "pull linux/arm64". */
  prefix?: string;
  /** Skipped on a plan's first attempt (what it does is known to be done already); runs when the plan starts again. */
  onlyOnRetry?: boolean;
}

export interface RunOptions {
  cwd: string;
  /** Called with each output line (stdout and stderr); when absent, output is only captured. */
  onLine?: (line: string) => void;
  /** Return true to treat a failure as expected and get the result instead of an exception. */
  allowFailure?: boolean;
}

export interface RunResult {
  exitCode: number;
  stdout: string;
  all: string;
  /** the signal that ended the command, when one did (only seen with allowFailure) */
  signal?: NodeJS.Signals;
}

export async function run(step: Step, options: RunOptions): Promise<RunResult> {
  const [file, ...args] = step.argv;
  // The same transform for both streams: each line goes to onLine as it comes, and on into the captured output.
  const { onLine } = options;
  const echoed = onLine
    ? [
        'pipe' as const,
        function* (line: unknown) {
          onLine(String(line));
          yield line;
        },
      ]
    : ('pipe' as const);
  const child = execa(file, args, {
    cwd: options.cwd,
    env: step.env,
    all: true,
    reject: false,
    stdin: 'ignore',
    stdout: echoed,
    stderr: echoed,
  });
  const untrack = trackProcess(child);
  const result = await child.finally(untrack);
  if ((result as { code?: string }).code === 'ENOENT') throw new ToolMissingError(file, installHint(file));
  const exitCode = result.exitCode ?? 1;
  const all = String(result.all ?? '');
  if (result.failed && !options.allowFailure) throw new CommandFailedError(step.argv, result.exitCode, all, hintFor(all, step.argv));
  return {
    exitCode: result.failed ? exitCode || 1 : 0,
    stdout: String(result.stdout ?? ''),
    all,
    ...(result.signal ? { signal: result.signal } : {}),
  };
}

/** The same argv, printable for a dry run: each element quoted when it would need it in a shell. */
export function formatArgv(argv: readonly string[]): string {
  return argv.map((arg) => (/^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replace(/'/g, `'\\''`)}'`)).join(' ');
}
