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

export const shortHeadSha = (workspaceRoot: string) => git(['rev-parse', '--short', 'HEAD'], workspaceRoot);
export const originUrl = (workspaceRoot: string) => git(['config', '--get', 'remote.origin.url'], workspaceRoot);
