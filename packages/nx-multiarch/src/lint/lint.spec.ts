import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { formatJson, formatText } from './format';
import { lintDockerfile, type Finding } from './lint';

const corpusDir = join(__dirname, 'corpus');
const corpus = readdirSync(corpusDir)
  .filter((file) => file.endsWith('.Dockerfile'))
  .sort();
const brief = (findings: Finding[]) => findings.map(({ rule, level, line }) => ({ rule, level, line }));

describe('lintDockerfile over the corpus', () => {
  it('has at least 15 Dockerfiles, 5 of them good, each with its expected findings', () => {
    expect(corpus.length).toBeGreaterThanOrEqual(15);
    expect(corpus.filter((file) => file.endsWith('.good.Dockerfile')).length).toBeGreaterThanOrEqual(5);
  });

  it.each(corpus)('%s', (file) => {
    const expected = JSON.parse(readFileSync(join(corpusDir, file.replace(/\.Dockerfile$/, '.expected.json')), 'utf8'));
    const findings = lintDockerfile({ text: readFileSync(join(corpusDir, file), 'utf8'), path: `docker/${file}` });
    expect(brief(findings)).toEqual(expected);
    if (file.endsWith('.good.Dockerfile')) expect(expected).toEqual([]);
    for (const finding of findings) {
      expect(finding.path).toBe(`docker/${file}`);
      expect(finding.message).not.toBe('');
      expect(finding.fix).not.toMatch(/\{\{\w+\}\}/);
    }
  });
});

describe('lintDockerfile options', () => {
  const pinned = 'FROM golang:1.22@sha256:aaaa AS build\nRUN true\nFROM alpine@sha256:bbbb\nCOPY --from=build /x /x\n';

  it('reports a digest that the registry lists with exactly one platform', () => {
    const platforms: Record<string, string[]> = {
      'golang:1.22@sha256:aaaa': ['linux/amd64'],
      'alpine@sha256:bbbb': ['linux/amd64', 'linux/arm64'],
    };
    const findings = lintDockerfile({ text: pinned, path: 'Dockerfile', baseImagePlatforms: (image) => platforms[image] });
    expect(brief(findings)).toEqual([{ rule: 'single-platform-base', level: 'error', line: 1 }]);
    expect(findings[0].message).toContain('linux/amd64');
    expect(findings[0].fix).toContain('imagetools inspect golang:1.22');
  });

  it('says nothing when the registry cannot tell, or without a callback', () => {
    expect(lintDockerfile({ text: pinned, path: 'Dockerfile', baseImagePlatforms: () => undefined })).toEqual([]);
    expect(lintDockerfile({ text: pinned, path: 'Dockerfile' })).toEqual([]);
  });

  it('resolves global ARGs in the image and asks only about digest pins', () => {
    const asked: string[] = [];
    const text = 'ARG BASE=debian@sha256:cccc\nFROM ${BASE}\nFROM alpine:3.20\n';
    const findings = lintDockerfile({ text, path: 'Dockerfile', baseImagePlatforms: (image) => (asked.push(image), ['linux/arm64']) });
    expect(asked).toEqual(['debian@sha256:cccc']);
    expect(brief(findings)).toEqual([{ rule: 'single-platform-base', level: 'error', line: 2 }]);
  });

  it('warns about a workspace-root context without .dockerignore, on line 1', () => {
    const text = 'FROM alpine:3.20\n';
    expect(brief(lintDockerfile({ text, path: 'Dockerfile', contextIsWorkspaceRoot: true, hasDockerignore: false }))).toEqual([
      { rule: 'root-context-no-dockerignore', level: 'warning', line: 1 },
    ]);
    expect(brief(lintDockerfile({ text, path: 'Dockerfile', contextIsWorkspaceRoot: true }))).toHaveLength(1);
    expect(lintDockerfile({ text, path: 'Dockerfile', contextIsWorkspaceRoot: true, hasDockerignore: true })).toEqual([]);
    expect(lintDockerfile({ text, path: 'Dockerfile', contextIsWorkspaceRoot: false, hasDockerignore: false })).toEqual([]);
  });

  it('counts RUN --mount=…,from= as a reader of a builder, and a stage used as a base as more than a source', () => {
    const mounted =
      'FROM golang:1.22 AS build\nRUN go build -o /out/app .\nFROM alpine\nRUN --mount=type=bind,from=build,source=/out,target=/mnt cp /mnt/app /app\n';
    expect(brief(lintDockerfile({ text: mounted, path: 'Dockerfile' }))).toEqual([{ rule: 'emulated-builder', level: 'warning', line: 1 }]);
    const based =
      'FROM golang:1.22 AS build\nRUN go build -o /out/app .\nFROM build AS test\nRUN go test ./...\nFROM alpine\nCOPY --from=build /out/app /app\n';
    expect(lintDockerfile({ text: based, path: 'Dockerfile' })).toEqual([]);
  });

  it('sorts findings by line across rules', () => {
    const text = 'FROM --platform=linux/arm64 alpine\nRUN GOARCH=arm64 echo\n';
    const findings = lintDockerfile({ text, path: 'Dockerfile', contextIsWorkspaceRoot: true });
    expect(findings.map((f) => `${f.line} ${f.rule}`)).toEqual([
      '1 fixed-final-platform',
      '1 root-context-no-dockerignore',
      '2 hardcoded-arch',
    ]);
  });
});

describe('formatText / formatJson', () => {
  const findings = lintDockerfile({
    text: 'FROM golang:1.22\nENV GOARCH=amd64\nRUN go build -o /app .\n',
    path: 'docker/x.Dockerfile',
  });

  it('writes one path:line: level [rule] message Fix: fix line per finding', () => {
    expect(formatText(findings)).toBe(
      `docker/x.Dockerfile:2: error [hardcoded-arch] GOARCH=amd64 is fixed: every platform's image gets the amd64 build. Fix: ${findings[0].fix}`,
    );
    expect(findings[0].fix).toContain('${TARGETARCH}');
    expect(formatText([])).toBe('');
  });

  it('writes a stable JSON array', () => {
    const reordered = findings.map(({ fix, message, line, path, level, rule }) => ({ fix, message, line, path, level, rule }));
    expect(formatJson(reordered)).toBe(formatJson(findings));
    expect(JSON.parse(formatJson(findings))).toEqual(findings);
    expect(Object.keys(JSON.parse(formatJson(findings))[0])).toEqual(['rule', 'level', 'path', 'line', 'message', 'fix']);
    expect(formatJson([])).toBe('[]');
  });
});
