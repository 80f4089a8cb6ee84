import { hostPlatform, parsePlatform, parsePlatformList, platformFromArch } from './platform';

describe('platforms', () => {
  it('parses os/arch and os/arch/variant', () => {
    expect(parsePlatform('linux/amd64')).toEqual({ os: 'linux', architecture: 'amd64' });
    expect(parsePlatform('linux/arm/v7')).toEqual({ os: 'linux', architecture: 'arm', variant: 'v7' });
  });

  it.each(['linux', 'amd64', 'linux/', 'linux/amd64/v1/x', 'Linux/AMD64', 'linux/amd 64', ''])(
    'rejects %p naming it and the accepted form',
    (value) => {
      expect(() => parsePlatform(value)).toThrow(`Invalid platform "${value}"`);
      expect(() => parsePlatform(value)).toThrow('os/arch[/variant]');
    },
  );

  it('takes comma lists and arrays, trims, rejects duplicates and empties', () => {
    expect(parsePlatformList('linux/amd64, linux/arm64')).toEqual(['linux/amd64', 'linux/arm64']);
    expect(parsePlatformList(['linux/amd64', 'linux/arm64,linux/s390x'])).toEqual(['linux/amd64', 'linux/arm64', 'linux/s390x']);
    expect(() => parsePlatformList('linux/amd64,linux/amd64')).toThrow(
      'Invalid platform "linux/amd64": it is listed twice: list each platform once.',
    );
    expect(() => parsePlatformList('linux/arm64,linux/arm64/v8')).toThrow(
      'Invalid platform "linux/arm64/v8": it is listed twice (linux/arm64 is the same platform): list each platform once.',
    );
    expect(() => parsePlatformList('')).toThrow('empty');
    expect(() => parsePlatformList('linux/amd64,,linux/arm64')).toThrow('Invalid platform ""');
  });

  it('maps Node arch names to OCI ones for the host, and TARGETARCH values to platforms', () => {
    expect(hostPlatform('x64')).toBe('linux/amd64');
    expect(hostPlatform('arm64')).toBe('linux/arm64');
    expect(platformFromArch('arm64')).toBe('linux/arm64');
    expect(platformFromArch('linux/arm/v7')).toBe('linux/arm/v7');
    expect(() => platformFromArch('ARM64')).toThrow('Invalid platform');
  });
});
