import { onPath } from '../run/path';
import { ToolMissingError } from '../core/errors';
import { run } from '../run/exec';

export interface SourceRevision {
  sha: string;
  /** commit time, seconds since the epoch */
  epoch: number;
}

async function git(args: string[], cwd: string): Promise<string | undefined> {
  try {
    const result = await run({ argv: ['git', ...args], description: `git ${args[0]}` }, { cwd, allowFailure: true });
    return result.exitCode === 0 ? result.stdout.trim() || undefined : undefined;
  } catch {
    return undefined; // git missing: labels and tags fall back to what is known
  }
}

/** The newest commit that touched any of `paths`: a revision and time that unrelated commits leave unchanged. */
export async function lastCommitTouching(workspaceRoot: string, paths: string[]): Promise<SourceRevision | undefined> {
  const out = await git(['log', '-1', '--format=%H %ct', '--', ...paths], workspaceRoot);
  if (!out) return undefined;
  const [sha, epoch] = out.split(' ');
  return { sha, epoch: Number(epoch) };
}

/** The default tag needs git: a missing git is said as such, not mistaken for a repository without commits. */
export async function shortHeadSha(workspaceRoot: string): Promise<string | undefined> {
  if (!onPath('git'))
    throw new ToolMissingError('git', 'The default tag is the short commit SHA: install git, or set IMAGE_TAG or the tag option.');
  return git(['rev-parse', '--short', 'HEAD'], workspaceRoot);
}
