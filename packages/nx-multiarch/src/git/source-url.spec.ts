import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { throwawayWorkspace } from '../plugin/test-workspace';
import { normaliseRemoteUrl, originUrlFromConfig, sourceUrlOf } from './source-url';

describe('normaliseRemoteUrl', () => {
  it.each([
    ['https://gitlab-ci-token:glcbt-SECRET123@gitlab.example.com/acme/platform.git', 'https://gitlab.example.com/acme/platform'],
    ['https://x-access-token:ghs_abc@github.com/acme/platform', 'https://github.com/acme/platform'],
    ['https://oauth2@GitLab.Example.com/acme/platform.git/', 'https://gitlab.example.com/acme/platform'],
    ['git@github.com:acme/platform.git', 'https://github.com/acme/platform'],
    ['github.com:acme/platform', 'https://github.com/acme/platform'],
    ['ssh://git@gitlab.example.com:2222/acme/platform.git', 'https://gitlab.example.com/acme/platform'],
    ['git+ssh://git@github.com/acme/platform.git', 'https://github.com/acme/platform'],
    ['git://github.com/acme/platform.git', 'https://github.com/acme/platform'],
    ['http://user:pw@git.internal:8080/acme/platform.git', 'http://git.internal:8080/acme/platform'],
    ['https://github.com/acme/platform.git?token=abc#frag', 'https://github.com/acme/platform'],
  ])('%s → %s', (raw, expected) => {
    expect(normaliseRemoteUrl(raw)).toBe(expected);
  });

  it.each([
    '/srv/git/platform.git',
    '../platform',
    './platform',
    'file:///srv/git/platform.git',
    'C:\\repos\\platform',
    '',
    '   ',
    undefined,
    'https://github.com/',
  ])('gives no URL for a local path or a URL without a repository (%j)', (raw) => {
    expect(normaliseRemoteUrl(raw)).toBeUndefined();
  });
});

describe('originUrlFromConfig', () => {
  it("reads origin's url, not another remote's", () => {
    const config =
      '[core]\n\tbare = false\n[remote "upstream"]\n\turl = https://github.com/up/x\n[remote "origin"]\n\turl = git@github.com:acme/x.git\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n[branch "main"]\n\tremote = origin\n';
    expect(originUrlFromConfig(config)).toBe('git@github.com:acme/x.git');
    expect(originUrlFromConfig('[core]\n\tbare = false\n')).toBeUndefined();
  });
});

describe('sourceUrlOf', () => {
  it('reads .git/config, and through a worktree or submodule .git file and its commondir', () => {
    const repo = throwawayWorkspace({ '.git/config': '[remote "origin"]\n\turl = https://ci:tok@example.com/acme/x.git\n' });
    expect(sourceUrlOf(repo)).toBe('https://example.com/acme/x');
    const worktree = throwawayWorkspace({});
    mkdirSync(join(repo, '.git', 'worktrees', 'wt'), { recursive: true });
    writeFileSync(join(repo, '.git', 'worktrees', 'wt', 'commondir'), '../..\n');
    writeFileSync(join(worktree, '.git'), `gitdir: ${join(repo, '.git', 'worktrees', 'wt')}\n`);
    expect(sourceUrlOf(worktree)).toBe('https://example.com/acme/x');
    expect(sourceUrlOf(throwawayWorkspace({}))).toBeUndefined();
  });
});
