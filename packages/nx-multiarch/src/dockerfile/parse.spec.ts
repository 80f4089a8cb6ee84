import { baseImages, parseDockerfile, substituteArgs } from './parse';

const CENTRAL = `ARG GO_VERSION=1.19
ARG BASE_IMAGE=gcr.io/distroless/static:nonroot
FROM --platform=$BUILDPLATFORM golang:\${GO_VERSION} AS builder
COPY go.mod go.sum ./
COPY libs/common ./libs/common
COPY ["services/gateway", "./services/gateway"]
ADD https://example.com/tool.tgz /tmp/
RUN go build ./services/gateway
FROM \${BASE_IMAGE} AS production
COPY --from=builder /out/gw /gw
ADD --chown=1:1 config/ /etc/gw/
`;

describe('parseDockerfile', () => {
  it('lists stages, global ARG defaults and the context sources of COPY/ADD (not --from, not URLs)', () => {
    const parsed = parseDockerfile(CENTRAL);
    expect(parsed.globalArgs).toEqual({ GO_VERSION: '1.19', BASE_IMAGE: 'gcr.io/distroless/static:nonroot' });
    expect(parsed.stages).toEqual([
      { image: 'golang:${GO_VERSION}', name: 'builder', platform: '$BUILDPLATFORM', line: 3 },
      { image: '${BASE_IMAGE}', name: 'production', platform: undefined, line: 9 },
    ]);
    expect(parsed.copySources).toEqual(['go.mod', 'go.sum', 'libs/common', 'services/gateway', 'config/']);
  });

  it('returns the same parse for the same content', () => {
    expect(parseDockerfile(CENTRAL)).toBe(parseDockerfile(CENTRAL));
  });

  it('resolves base images with build args over ARG defaults, leaving out stages and scratch', () => {
    expect(baseImages(parseDockerfile(CENTRAL))).toEqual(['golang:1.19', 'gcr.io/distroless/static:nonroot']);
    expect(baseImages(parseDockerfile(CENTRAL), { BASE_IMAGE: 'busybox' })).toEqual(['golang:1.19', 'busybox']);
    expect(baseImages(parseDockerfile('FROM scratch AS a\nFROM a\n'))).toEqual([]);
    expect(substituteArgs('${X:-fallback}/$Y', {}, { Y: 'y' })).toBe('fallback/y');
  });
});
