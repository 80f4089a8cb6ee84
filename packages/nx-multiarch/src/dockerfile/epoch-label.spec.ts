import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { podmanDockerfile, withEpochLabels, withImageLabels } from './epoch-label';

describe('withEpochLabels', () => {
  it('puts the label after every FROM, multi-line FROMs included, and changes nothing else', () => {
    const text = ['# syntax=docker/dockerfile:1', 'ARG BASE', 'FROM --platform=$BUILDPLATFORM golang AS build', 'RUN go build', 'FROM \\', '  ${BASE}', 'COPY --from=build /app /app', ''].join('\n');
    expect(withEpochLabels(text, 1700000000).split('\n')).toEqual([
      '# syntax=docker/dockerfile:1', 'ARG BASE', 'FROM --platform=$BUILDPLATFORM golang AS build', 'LABEL nx-multiarch.source-epoch="1700000000"',
      'RUN go build', 'FROM \\', '  ${BASE}', 'LABEL nx-multiarch.source-epoch="1700000000"', 'COPY --from=build /app /app', '',
    ]);
  });
});

describe('withImageLabels', () => {
  const text = ['ARG BASE', 'FROM golang AS build', 'RUN go build', '', 'FROM ${BASE} AS production', 'COPY --from=build /app /app', 'CMD ["/app"]', '# trailing comment', ''].join('\n');

  it('adds one LABEL instruction at the end of the last stage', () => {
    expect(withImageLabels(text, { 'org.opencontainers.image.title': 'api', team: 'platform' }).split('\n')).toEqual([
      'ARG BASE', 'FROM golang AS build', 'RUN go build', '', 'FROM ${BASE} AS production', 'COPY --from=build /app /app', 'CMD ["/app"]',
      'LABEL "org.opencontainers.image.title"="api" "team"="platform"', '# trailing comment', '',
    ]);
  });

  it('or at the end of the target stage, found by name whatever its case', () => {
    expect(withImageLabels(text, { a: 'b' }, 'BUILD').split('\n').slice(1, 5)).toEqual(['FROM golang AS build', 'RUN go build', 'LABEL "a"="b"', '']);
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

describe('podmanDockerfile', () => {
  it('writes epoch labels and one image LABEL into a copy; a label with a line break stays a --label flag', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'podman-dockerfile-'));
    try {
      writeFileSync(join(dir, 'Dockerfile'), 'FROM busybox\nRUN true\n');
      writeFileSync(join(dir, 'Dockerfile.dockerignore'), '*.md\n');
      const result = await podmanDockerfile(join(dir, 'Dockerfile'), { sourceDateEpoch: 42, labels: { a: '1', multi: 'x\ny' } }, dir);
      expect(result.labels).toEqual({ multi: 'x\ny' });
      expect(readFileSync(result.dockerfile, 'utf8')).toBe('FROM busybox\nLABEL nx-multiarch.source-epoch="42"\nRUN true\nLABEL "a"="1"\n');
      expect(readFileSync(`${result.dockerfile}.dockerignore`, 'utf8')).toBe('*.md\n');

      // another escape character: every label stays a flag
      writeFileSync(join(dir, 'Dockerfile'), '# escape=`\nFROM busybox\n');
      expect((await podmanDockerfile(join(dir, 'Dockerfile'), { labels: { a: '1' } }, dir)).labels).toEqual({ a: '1' });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
