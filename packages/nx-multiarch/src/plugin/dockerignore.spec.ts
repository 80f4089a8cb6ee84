import { certainExclusions, excludedBy, patternRegex } from './dockerignore';

describe('.dockerignore patterns, as Docker matches them', () => {
  it.each([
    ['*.md', 'README.md', true],
    ['*.md', 'docs/guide.md', false], // rooted at the context: top level only
    ['**/*.md', 'docs/guide.md', true],
    ['**/*.md', 'README.md', true],
    ['docs/**', 'docs/a/b.txt', true],
    ['cmd/*/testdata', 'cmd/gateway/testdata', true],
    ['cmd/*/testdata', 'cmd/gateway/sub/testdata', false],
    ['file?.txt', 'file1.txt', true],
    ['file?.txt', 'file10.txt', false],
    ['[a-c].txt', 'b.txt', true],
    ['[a-c].txt', 'd.txt', false],
    ['go.mod', 'goXmod', false], // "." is literal
    ['weird\\*name', 'weird*name', true],
    ['weird\\*name', 'weirdXname', false],
  ])('%s on %s: %s', (pattern, path, matches) => {
    expect(patternRegex(pattern).test(path)).toBe(matches);
  });

  it('a folder pattern excludes everything under it (Docker checks the parent folders too)', () => {
    expect(excludedBy(['docker'], 'docker/go-base/Dockerfile')).toBe(true);
    expect(excludedBy(['docker'], 'dockerfiles/a')).toBe(false);
    expect(excludedBy(['*.md'], 'cmd/README.md')).toBe(false);
    expect(excludedBy(['.git'], '.git')).toBe(true);
  });

  it('keeps only exclusions that no `!` re-include could overlap, normalised', () => {
    expect(certainExclusions(['*.md', '!README.md', './docker/', '.git'])).toEqual(['docker', '.git']);
    expect(certainExclusions(['*', '!cmd'])).toEqual([]);
  });
});
