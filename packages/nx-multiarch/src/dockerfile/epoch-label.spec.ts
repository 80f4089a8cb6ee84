import { podmanDockerfileText, withEpochLabels, withImageLabels } from './epoch-label';

describe('withEpochLabels', () => {
  it('puts the label after every FROM, multi-line FROMs included, and changes nothing else', () => {
    const text = [
      '# syntax=docker/dockerfile:1',
      'ARG BASE',
      'FROM --platform=$BUILDPLATFORM golang AS build',
      'RUN go build',
      'FROM \\',
      '  ${BASE}',
      'COPY --from=build /app /app',
      '',
    ].join('\n');
    expect(withEpochLabels(text, 1700000000).split('\n')).toEqual([
      '# syntax=docker/dockerfile:1',
      'ARG BASE',
      'FROM --platform=$BUILDPLATFORM golang AS build',
      'LABEL nx-multiarch.source-epoch="1700000000"',
      'RUN go build',
      'FROM \\',
      '  ${BASE}',
      'LABEL nx-multiarch.source-epoch="1700000000"',
      'COPY --from=build /app /app',
      '',
    ]);
  });
});

describe('withImageLabels', () => {
  const text = [
    'ARG BASE',
    'FROM golang AS build',
    'RUN go build',
    '',
    'FROM ${BASE} AS production',
    'COPY --from=build /app /app',
    'CMD ["/app"]',
    '# trailing comment',
    '',
  ].join('\n');

  it('adds one LABEL instruction at the end of the last stage', () => {
    expect(withImageLabels(text, { 'org.opencontainers.image.title': 'api', team: 'platform' }).split('\n')).toEqual([
      'ARG BASE',
      'FROM golang AS build',
      'RUN go build',
      '',
      'FROM ${BASE} AS production',
      'COPY --from=build /app /app',
      'CMD ["/app"]',
      'LABEL "org.opencontainers.image.title"="api" "team"="platform"',
      '# trailing comment',
      '',
    ]);
  });

  it('or at the end of the target stage, found by name whatever its case', () => {
    expect(withImageLabels(text, { a: 'b' }, 'BUILD').split('\n').slice(1, 5)).toEqual([
      'FROM golang AS build',
      'RUN go build',
      'LABEL "a"="b"',
      '',
    ]);
  });

  it('escapes what a double-quoted Dockerfile word treats specially: quotes, backslashes and $ (LABEL expands variables)', () => {
    const line = withImageLabels('FROM scratch\n', { note: 'say "hi" to $HOME\\n' }).split('\n')[1];
    expect(line).toBe('LABEL "note"="say \\"hi\\" to \\$HOME\\\\n"');
  });

  it('changes nothing without labels or when the target stage is not there', () => {
    expect(withImageLabels(text, {})).toBe(text);
    expect(withImageLabels(text, { a: 'b' }, 'nope')).toBe(text);
  });
});

describe('podmanDockerfileText', () => {
  it('adds epoch labels and one image LABEL; a label with a line break stays a --label flag', () => {
    const result = podmanDockerfileText('FROM busybox\nRUN true\n', { sourceDateEpoch: 42, labels: { a: '1', multi: 'x\ny' } });
    expect(result.labels).toEqual({ multi: 'x\ny' });
    expect(result.text).toBe('FROM busybox\nLABEL nx-multiarch.source-epoch="42"\nRUN true\nLABEL "a"="1"\n');
  });

  it('keeps every label a flag for a Dockerfile with another escape character, or a target stage it lacks', () => {
    expect(podmanDockerfileText('# escape=`\nFROM busybox\n', { labels: { a: '1' } }).labels).toEqual({ a: '1' });
    expect(podmanDockerfileText('FROM busybox\n', { labels: { a: '1' }, target: 'nope' })).toEqual({
      text: 'FROM busybox\n',
      labels: { a: '1' },
    });
  });
});
