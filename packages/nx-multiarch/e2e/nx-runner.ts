/**
 * The one way end-to-end specs run nx (harness.ts re-exports it): this repository's nx binary (or a workspace's own),
 * started through processes.ts's execa (time limit, killed with its test), with Nx's test environment, nxEnv() of
 * tools/fixtures/workspace-kit.ts (no daemon, no TUI, no cloud, plugins in-process), and CI=true. What differs between
 * specs is an option: the workspace, extra environment variables, the flags appended after the arguments.
 */
import { join } from 'node:path';
import { execa } from './processes';
import { nxBin, nxEnv } from '../../../tools/fixtures/workspace-kit';

/** This repository's root: the workspace nx runs in unless `cwd` names another. */
export const workspaceRoot = join(__dirname, '..', '..', '..');

export interface NxOptions {
  /** the workspace to run in; default this repository */
  cwd?: string;
  /** the nx binary; default this repository's (a packed workspace runs its own) */
  bin?: string;
  /** environment variables over nxEnv() and CI */
  env?: Record<string, string>;
  /** CI=true (the default); false leaves CI as the test's own environment has it */
  ci?: boolean;
  /** appends --outputStyle=static */
  staticOutput?: boolean;
  /** appends --parallel=<n> */
  parallel?: number;
  /** appends --skip-nx-cache */
  skipCache?: boolean;
  /** false appends --verbose=false */
  verbose?: false;
  /** the output without ANSI colour codes */
  stripAnsi?: boolean;
  /** execa's time limit for this command, instead of COMMAND_TIMEOUT */
  timeout?: number;
  /** startNx only: nx in a process group of its own, so that a signal to the group reaches nx and every task like Ctrl-C */
  detached?: boolean;
}

export interface NxResult {
  exitCode: number;
  /** stdout and stderr, interleaved as nx wrote them */
  output: string;
  stdout: string;
}

const ANSI = /\x1b\[[0-9;]*m/g;
export const stripAnsi = (text: string) => text.replace(ANSI, '');

/** The argument list nx gets: the spec's arguments, then the flags the options ask for. */
export function nxArgs(args: string[], options: NxOptions = {}): string[] {
  return [
    ...args,
    ...(options.staticOutput ? ['--outputStyle=static'] : []),
    ...(options.parallel !== undefined ? [`--parallel=${options.parallel}`] : []),
    ...(options.skipCache ? ['--skip-nx-cache'] : []),
    ...(options.verbose === false ? ['--verbose=false'] : []),
  ];
}

/** The environment nx gets (over the test's own, which execa extends): nxEnv(), CI=true unless `ci` is false, then `env`. */
export function nxEnvFor(options: NxOptions = {}): Record<string, string> {
  return { ...nxEnv(), ...(options.ci === false ? {} : { CI: 'true' }), ...options.env };
}

/** nx started, not awaited: for a spec that streams its output or signals it. Never rejects; `all` holds the output. */
export function startNx(args: string[], options: NxOptions = {}) {
  return execa(options.bin ?? nxBin, nxArgs(args, options), {
    cwd: options.cwd ?? workspaceRoot,
    env: nxEnvFor(options),
    all: true as const,
    reject: false as const,
    ...(options.timeout !== undefined ? { timeout: options.timeout } : {}),
    ...(options.detached ? { detached: true } : {}),
  });
}

/** nx run to its end: its exit code (1 when a signal ended it) and output. Never throws on a failed nx. */
export async function runNx(args: string[], options: NxOptions = {}): Promise<NxResult> {
  const result = await startNx(args, options);
  const output = String(result.all);
  return { exitCode: result.exitCode ?? 1, output: options.stripAnsi ? stripAnsi(output) : output, stdout: String(result.stdout) };
}

/** runNx, throwing with the end of nx's output unless it exited 0. */
export async function runNxOk(args: string[], options: NxOptions = {}): Promise<NxResult> {
  const result = await runNx(args, options);
  if (result.exitCode !== 0) {
    const where = options.cwd && options.cwd !== workspaceRoot ? ` in ${options.cwd}` : '';
    throw new Error(`nx ${args.join(' ')}${where} failed (exit ${result.exitCode}):\n${result.output.slice(-8000)}`);
  }
  return result;
}

// Nx's notes on tasks it did not run but restored: `> nx run api:docker-build  [local cache]`, `[remote cache]`,
// `[existing outputs match the cache, left as is]`.

/** Any of Nx's cache notes: an output that must show every task really ran must not match it. */
export const CACHE_NOTE = /local cache|remote cache|existing outputs match/;

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The `[local cache]` note on one task (`project:target`): the task was restored from this workspace's cache. */
export const localCacheNote = (task: string) => new RegExp(`nx run ${escapeRegExp(task)}\\s+\\[local cache\\]`);

export interface TaskNote {
  project: string;
  target: string;
  /** restored from a cache (any CACHE_NOTE on its line), not run */
  fromCache: boolean;
}

/** Every task nx announced (`> nx run <project>:<target> ...` at a line's start, as --outputStyle=static prints it). */
export function tasksIn(output: string): TaskNote[] {
  return [...stripAnsi(output).matchAll(/^> nx run (\S+?):(\S+)(.*)$/gm)].map(([, project, target, rest]) => ({
    project,
    target,
    fromCache: CACHE_NOTE.test(rest),
  }));
}
