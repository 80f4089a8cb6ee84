export interface LineChange {
  kind: '+' | '-';
  /** 1-based line number: in the copy for '+', in the original for '-' */
  line: number;
  text: string;
}

/** The lines `after` adds to `before` and the ones it drops (a longest-common-subsequence diff; Dockerfiles are short). */
export function lineDiff(before: string, after: string): LineChange[] {
  const a = before.split('\n');
  const b = after.split('\n');
  const common = Array.from({ length: a.length + 1 }, () => new Array<number>(b.length + 1).fill(0));
  for (let i = a.length - 1; i >= 0; i--) {
    for (let j = b.length - 1; j >= 0; j--)
      common[i][j] = a[i] === b[j] ? common[i + 1][j + 1] + 1 : Math.max(common[i + 1][j], common[i][j + 1]);
  }
  const changes: LineChange[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length || j < b.length) {
    if (i < a.length && j < b.length && a[i] === b[j]) {
      i++;
      j++;
    } else if (i < a.length && (j === b.length || common[i + 1][j] >= common[i][j + 1])) {
      changes.push({ kind: '-', line: i + 1, text: a[i++] });
    } else {
      changes.push({ kind: '+', line: j + 1, text: b[j++] });
    }
  }
  return changes;
}
