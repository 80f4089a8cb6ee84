import { findPlatformLeaks } from './platform-leak';

describe('findPlatformLeaks', () => {
  it('flags a later FROM without --platform after a --platform=$BUILDPLATFORM stage', () => {
    const text =
      'ARG BASE=busybox\nFROM --platform=$BUILDPLATFORM golang AS builder\nRUN go build\nFROM ${BASE} AS production\nCOPY --from=builder /x /x\n';
    expect(findPlatformLeaks(text)).toEqual([{ line: 4, image: '${BASE}', after: '$BUILDPLATFORM' }]);
  });

  it('accepts an explicit $TARGETPLATFORM, scratch, a stage name, and Dockerfiles without --platform', () => {
    expect(findPlatformLeaks('FROM --platform=$BUILDPLATFORM golang AS b\nFROM --platform=$TARGETPLATFORM busybox\n')).toEqual([]);
    expect(findPlatformLeaks('FROM --platform=$BUILDPLATFORM golang AS b\nFROM scratch\n')).toEqual([]);
    expect(findPlatformLeaks('FROM --platform=$BUILDPLATFORM golang AS b\nFROM b AS c\n')).toEqual([]);
    expect(findPlatformLeaks('FROM busybox\nRUN true\nFROM alpine\n')).toEqual([]);
  });
});
