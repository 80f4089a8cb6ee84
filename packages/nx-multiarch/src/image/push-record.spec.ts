import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { recordPush, type PushRecord } from './push-record';
import { tempDir } from '../../../../tools/fixtures/workspace-kit';

describe('recordPush (the one writer of dist/push-records)', () => {
  const workspaceRoot = tempDir('push-record-');
  const project = { name: 'api', root: 'apps/api', workspaceRoot };
  const read = (file: string) => JSON.parse(readFileSync(join(workspaceRoot, 'dist', 'push-records', file), 'utf8')) as PushRecord;
  afterAll(() => rmSync(workspaceRoot, { recursive: true, force: true }));

  it('writes what was verified, ok: true', async () => {
    const platforms = [{ platform: 'linux/amd64', digest: 'sha256:a' }];
    await recordPush(project, { references: ['r/api:1'], mode: 'index' }, { digest: 'sha256:i', platforms });
    expect(read('apps/api.json')).toEqual({
      project: 'api',
      references: ['r/api:1'],
      mode: 'index',
      digest: 'sha256:i',
      platforms,
      verifiedAt: expect.any(String),
      ok: true,
    });
  });

  it('writes a failed verification over the last good record: ok: false, no digest, the problems', async () => {
    await recordPush(project, { references: ['r/api:1'], mode: 'stitched' }, { problems: ['arm64 is sha256:x, expected sha256:y'] });
    expect(read('apps/api.json')).toMatchObject({
      mode: 'stitched',
      digest: '',
      platforms: [],
      ok: false,
      problems: ['arm64 is sha256:x, expected sha256:y'],
    });
  });

  it('keeps per-arch pushes in a record of their own', async () => {
    await recordPush(project, { references: ['r/api:1-arm64'], mode: 'platform', arch: 'arm64' }, { digest: 'sha256:b', platforms: [] });
    expect(read('apps/api.arm64.json')).toMatchObject({ mode: 'platform', digest: 'sha256:b', ok: true });
  });
});
