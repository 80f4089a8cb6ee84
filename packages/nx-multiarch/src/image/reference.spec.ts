import { formatReference, isLoopbackRegistry, parseReference, repositoryOf, validateRepository, validateTag } from './reference';

describe('image references', () => {
  it('parses IMG-style references with and without registry and tag', () => {
    expect(parseReference('quay.io/team/gateway:v1')).toEqual({ registry: 'quay.io', repository: 'team/gateway', tag: 'v1' });
    expect(parseReference('127.0.0.1:5000/gw')).toEqual({ registry: '127.0.0.1:5000', repository: 'gw', tag: undefined });
    expect(parseReference('team/gw:1.0')).toEqual({ registry: '', repository: 'team/gw', tag: '1.0' });
    expect(formatReference({ registry: 'localhost:5000', repository: 'a/b' }, 't')).toBe('localhost:5000/a/b:t');
  });

  it('rejects uppercase names with a lowercase hint', () => {
    expect(() => validateRepository('team/Gateway')).toThrow(/Invalid image name "team\/Gateway".*lowercase/);
  });

  it.each(['', '-x', '.x', 'a b', 'x;rm', 'a'.repeat(129), '$(id)'])('rejects the tag %p', (tag) => {
    expect(() => validateTag(tag)).toThrow(`Invalid tag "${tag}"`);
  });

  it('rejects digests and empty names in IMG', () => {
    expect(() => parseReference('quay.io/x@sha256:abc')).toThrow('digest');
    expect(() => parseReference('quay.io/:v1')).toThrow('Invalid');
  });

  it('treats only loopback registries as loopback', () => {
    expect(isLoopbackRegistry('127.0.0.1:5000')).toBe(true);
    expect(isLoopbackRegistry('localhost')).toBe(true);
    expect(isLoopbackRegistry('quay.io')).toBe(false);
    expect(isLoopbackRegistry('127.0.0.1.example.com')).toBe(false);
  });
});

describe('repositoryOf', () => {
  it('drops registry, tag and digest', () => {
    expect(repositoryOf('127.0.0.1:5000/team/base:1.0')).toBe('team/base');
    expect(repositoryOf('quay.io/team/base@sha256:abc')).toBe('team/base');
    expect(repositoryOf('base')).toBe('base');
    expect(repositoryOf('team/base:latest')).toBe('team/base');
  });
});
