import { withEpochLabels } from './epoch-label';

describe('withEpochLabels', () => {
  it('puts the label after every FROM, multi-line FROMs included, and changes nothing else', () => {
    const text = ['# syntax=docker/dockerfile:1', 'ARG BASE', 'FROM --platform=$BUILDPLATFORM golang AS build', 'RUN go build', 'FROM \\', '  ${BASE}', 'COPY --from=build /app /app', ''].join('\n');
    expect(withEpochLabels(text, 1700000000).split('\n')).toEqual([
      '# syntax=docker/dockerfile:1', 'ARG BASE', 'FROM --platform=$BUILDPLATFORM golang AS build', 'LABEL nx-multiarch.source-epoch="1700000000"',
      'RUN go build', 'FROM \\', '  ${BASE}', 'LABEL nx-multiarch.source-epoch="1700000000"', 'COPY --from=build /app /app', '',
    ]);
  });
});
