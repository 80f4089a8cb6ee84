import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDockerfile } from '../dockerfile/parse';
import { minimatch } from 'minimatch';
import { normalisePath } from '../core/paths';
import { buildInputs, copiedGlobs, gitPathspecs, ignoredGlobs, imageSources } from './inputs';
import { throwawayWorkspace } from './test-workspace';
import { diskFiles } from './workspace-files';
import { tempDir } from '../../../../tools/fixtures/workspace-kit';

describe('build inputs', () => {
  it('normalises paths to workspace-relative POSIX', () => {
    expect(normalisePath('.')).toBe('');
    expect(normalisePath('./src/')).toBe('src');
    expect(normalisePath('/libs/common/')).toBe('libs/common');
    expect(normalisePath('services/gw')).toBe('services/gw');
  });

  it('takes the files COPY names, or the whole context for `.` and for variables', () => {
    expect(copiedGlobs(['go.mod', 'src/'], 'services/gw')).toEqual([
      'services/gw/go.mod',
      'services/gw/go.mod/**/*',
      'services/gw/src',
      'services/gw/src/**/*',
    ]);
    expect(copiedGlobs(['.'], 'services/gw')).toEqual(['services/gw/**/*']);
    expect(copiedGlobs(['./'], '')).toEqual(['**/*']);
    expect(copiedGlobs(['${APP}/bin'], 'svc')).toEqual(['svc/**/*']);
  });

  it('turns .dockerignore exclusions into negative inputs rooted at the context, dropping those a re-include overlaps', () => {
    expect(ignoredGlobs(['*.md', 'tests/'], 'svc')).toEqual(['svc/*.md', 'svc/*.md/**', 'svc/tests', 'svc/tests/**']);
    expect(ignoredGlobs(['docs', '!docs/keep.txt', 'tmp'], '')).toEqual(['tmp', 'tmp/**']);
    expect(ignoredGlobs(['*', '!src'], 'svc')).toEqual([]);
  });

  it('puts the Dockerfile, ignore files, sources, exclusions, env and engine together', () => {
    const root = tempDir('inputs-');
    mkdirSync(join(root, 'svc'));
    writeFileSync(join(root, 'svc', '.dockerignore'), '# docs\nREADME.md\n');
    const sources = imageSources(diskFiles(root), 'svc/Dockerfile', 'svc', parseDockerfile('FROM x\nCOPY app/ /app/\n'));
    expect(gitPathspecs(sources)).toContain(':(exclude,glob)svc/README.md');
    expect(gitPathspecs(sources)).toContain(':(glob)svc/app/**/*');
    expect(buildInputs(sources, 'podman')).toEqual([
      '{workspaceRoot}/svc/Dockerfile',
      '{workspaceRoot}/svc/Dockerfile.dockerignore',
      '{workspaceRoot}/svc/.dockerignore',
      '{workspaceRoot}/svc/.containerignore',
      '{workspaceRoot}/svc/app',
      '{workspaceRoot}/svc/app/**/*',
      '!{workspaceRoot}/svc/README.md',
      '!{workspaceRoot}/svc/README.md/**',
      { env: 'PLATFORMS' },
      { env: 'MULTI_ARCH' },
      { runtime: 'echo podman' },
    ]);
  });
});

describe('inputs of a root-context image that copies the whole workspace', () => {
  const root = throwawayWorkspace({
    '.dockerignore': '*.md\n.git\ndocker/\n',
    '.gitignore': 'dist\n',
    'dist/images/x.json': '{}',
    'README.md': '# docs\n',
    'go.mod': 'module x\n',
    'cmd/gateway/main.go': 'package main\n',
    'pkg/shared/shared.go': 'package shared\n',
    'docker/gateway.Dockerfile': 'FROM x\nCOPY . .\n',
  });
  const sources = imageSources(diskFiles(root), 'docker/gateway.Dockerfile', '.', parseDockerfile('FROM x\nCOPY . .\n'));

  // minimatch, with the options Nx 20-22's affected matches inputs with.
  const matched = (file: string) => sources.files.some((glob) => minimatch(file, glob, { dot: true }));

  it('names each top-level entry the .dockerignore leaves in (and git does not ignore), so a change to README.md matches no input', () => {
    expect(sources.files).toEqual([
      'docker/gateway.Dockerfile',
      'docker/gateway.Dockerfile.dockerignore',
      '.dockerignore',
      '.containerignore',
      '.gitignore',
      'cmd/**/*',
      'go.mod',
      'pkg/**/*',
    ]);
    expect(matched('README.md')).toBe(false);
    expect(matched('pkg/shared/shared.go')).toBe(true);
    expect(matched('docker/orders.Dockerfile')).toBe(false);
  });

  it('negates no exclusion that would take the Dockerfile itself out of the hash (docker/ holds it)', () => {
    expect(sources.excluded).toEqual(['*.md', '*.md/**', '.git', '.git/**']);
  });

  it('falls back to everything under a context folder that does not exist (the build then reports it)', () => {
    expect(imageSources(diskFiles(root), 'docker/gateway.Dockerfile', 'missing', parseDockerfile('FROM x\nCOPY . .\n')).files).toContain(
      'missing/**/*',
    );
  });
});
