import { lineDiff } from './line-diff';

describe('lineDiff', () => {
  it('lists inserted lines with their line in the copy, and a replaced line as removed then added', () => {
    const before = 'ARG B\nFROM 127.0.0.1:5000/base:latest\nRUN true\n';
    const after = 'ARG B\nFROM oci:/tmp/b:latest\nLABEL e="1"\nRUN true\nLABEL "a"="b"\n';
    expect(lineDiff(before, after)).toEqual([
      { kind: '-', line: 2, text: 'FROM 127.0.0.1:5000/base:latest' },
      { kind: '+', line: 2, text: 'FROM oci:/tmp/b:latest' },
      { kind: '+', line: 3, text: 'LABEL e="1"' },
      { kind: '+', line: 5, text: 'LABEL "a"="b"' },
    ]);
  });

  it('is empty for the same text', () => {
    expect(lineDiff('FROM a\n', 'FROM a\n')).toEqual([]);
  });
});
