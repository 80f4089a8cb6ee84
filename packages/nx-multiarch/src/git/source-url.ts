/**
 * The repository URL an image names in org.opencontainers.image.source. Read from .git/config without running git
 * (it is needed while Nx computes the project graph), and normalised: CI clones carry credentials in the remote
 * (`https://gitlab-ci-token:<token>@host/...`), which must never reach an image, a log or the Nx cache, and the
 * ssh, scp-style and https forms of one repository must give the same label (and the same cache key).
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { isAbsolute, join, resolve } from 'node:path';

/** https://host/path for a remote URL; undefined for a local path or anything that names no host. */
export function normaliseRemoteUrl(raw: string | undefined): string | undefined {
  const value = raw?.trim();
  if (!value) return undefined;
  // scp-like `[user@]host:path`; a one-letter host is a Windows drive (C:\repo), as git reads it
  const scp = /^(?:[^@/\s]+@)?([^:/\\\s]{2,}):(?!\/)([^\\]+)$/.exec(value);
  if (scp && !/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return httpsUrl(scp[1], scp[2]);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return undefined;
  }
  if (!['http:', 'https:', 'ssh:', 'git:', 'git+ssh:', 'ssh+git:'].includes(url.protocol) || !url.hostname) return undefined;
  // an ssh port says nothing about the web address; an http(s) one does
  const port = ['http:', 'https:'].includes(url.protocol) && url.port ? `:${url.port}` : '';
  return httpsUrl(`${url.hostname}${port}`, url.pathname, url.protocol === 'http:' ? 'http' : 'https');
}

function httpsUrl(host: string, path: string, scheme = 'https'): string | undefined {
  const cleanPath = path
    .replace(/^\/+/, '')
    .replace(/\/+$/, '')
    .replace(/\.git$/, '');
  if (!cleanPath) return undefined;
  return `${scheme}://${host.toLowerCase()}/${cleanPath}`;
}

/** The git directory holding `config`: `.git`, or for a worktree or submodule the folder `.git` points to, then its commondir. */
function gitConfigPath(workspaceRoot: string): string | undefined {
  const dotGit = join(workspaceRoot, '.git');
  if (!existsSync(dotGit)) return undefined;
  let gitDir = dotGit;
  if (statSync(dotGit).isFile()) {
    const pointer = /^gitdir:\s*(.+)$/m.exec(readFileSync(dotGit, 'utf8'))?.[1]?.trim();
    if (!pointer) return undefined;
    gitDir = isAbsolute(pointer) ? pointer : resolve(workspaceRoot, pointer);
    const common = join(gitDir, 'commondir');
    if (existsSync(common)) gitDir = resolve(gitDir, readFileSync(common, 'utf8').trim());
  }
  const config = join(gitDir, 'config');
  return existsSync(config) ? config : undefined;
}

/** `url` of `[remote "origin"]` in git's config file format (the last one wins, as git reads it). */
export function originUrlFromConfig(config: string): string | undefined {
  let inOrigin = false;
  let url: string | undefined;
  for (const line of config.split(/\r?\n/)) {
    const section = /^\s*\[\s*([^\]]+?)\s*\]/.exec(line);
    if (section) {
      inOrigin = /^remote\s+"origin"$/i.test(section[1]);
      continue;
    }
    const entry = inOrigin ? /^\s*url\s*=\s*(.*?)\s*$/i.exec(line) : null;
    if (entry) url = entry[1].replace(/^"(.*)"$/, '$1');
  }
  return url;
}

export function sourceUrlOf(workspaceRoot: string): string | undefined {
  const config = gitConfigPath(workspaceRoot);
  return config ? normaliseRemoteUrl(originUrlFromConfig(readFileSync(config, 'utf8'))) : undefined;
}
