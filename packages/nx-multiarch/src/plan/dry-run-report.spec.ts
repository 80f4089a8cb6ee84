import { formatDryRun } from './dry-run-report';

describe('formatDryRun', () => {
  it('prints every command as a shell would read it, then the files the plan wrote and what it assumed', () => {
    const text = formatDryRun({
      task: 'app:docker-build',
      steps: [
        {
          description: 'build',
          argv: ['podman', 'build', '--build-arg', 'NOTE=a b', '--file', '/tmp/x/Dockerfile.podman', '.'],
          env: { SOURCE_DATE_EPOCH: '1' },
        },
      ],
      cleanup: [{ description: 'remove the list', argv: ['podman', 'manifest', 'rm', 'w'] }],
      files: [{ path: '/tmp/x/Dockerfile.podman', about: 'the copy', changes: [{ kind: '+', line: 2, text: 'LABEL a="b"' }] }],
      notes: ['podman version not asked'],
    });
    expect(text.split('\n')).toEqual([
      'Dry run of app:docker-build: nothing was run. A real run runs:',
      '  # build',
      "  SOURCE_DATE_EPOCH=1 podman build --build-arg 'NOTE=a b' --file /tmp/x/Dockerfile.podman .",
      '  # then, whatever happened:',
      '  # remove the list',
      '  podman manifest rm w',
      '/tmp/x/Dockerfile.podman: the copy (this dry run wrote it; a real run builds this same file)',
      '  +   2  LABEL a="b"',
      'Assumed, or not known without running anything:',
      '  - podman version not asked',
    ]);
  });

  it('says when the cleanup runs only after a failure (the steps clean up after themselves)', () => {
    const text = formatDryRun({
      task: 'app:docker-build',
      steps: [{ description: 'export', argv: ['podman', 'manifest', 'push', '--rm', 'w', 'oci:/x:latest'] }],
      cleanup: [{ description: 'remove the list', argv: ['podman', 'manifest', 'rm', 'w'] }],
      cleanupAfterFailureOnly: true,
      notes: [],
    });
    expect(text).toContain('  # then, if a step failed:\n  # remove the list\n  podman manifest rm w');
  });
});
