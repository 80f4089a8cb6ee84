import { readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { dockerfileCopyPath, writeDockerfileCopy } from './copy';
import { tempDir } from '../../../../tools/fixtures/workspace-kit';

describe('the Dockerfile copy podman builds', () => {
  const dir = tempDir('copy-spec-');
  const original = join(dir, 'Dockerfile');
  const written: string[] = [];
  beforeAll(() => writeFileSync(original, 'FROM busybox\n'));
  afterAll(() => {
    for (const path of [dir, ...written.map((copy) => dirname(copy))]) rmSync(path, { recursive: true, force: true });
  });

  it('lives at a path made of the project and the content, so a dry run names the file a real run builds', () => {
    const text = `FROM busybox\nLABEL run="${process.pid}-${Date.now()}"\n`;
    const path = dockerfileCopyPath('@scope/app', original, text);
    expect(path).toBe(dockerfileCopyPath('@scope/app', original, text));
    expect(path).toMatch(new RegExp(`^${tmpdir()}/nx-multiarch-dockerfiles/_scope_app-[0-9a-f]{16}/Dockerfile\\.podman$`));
    expect(dockerfileCopyPath('@scope/app', original, `${text}RUN true\n`)).not.toBe(path);
    expect(dockerfileCopyPath('other', original, text)).not.toBe(path);
  });

  it("writes the copy and the original's .dockerignore beside it, once; another ignore file is another copy", async () => {
    const text = `FROM busybox\nLABEL run="${process.pid}-${Date.now()}-ignore"\n`;
    writeFileSync(`${original}.dockerignore`, '*.md\n');
    const copies = await Promise.all([1, 2, 3].map(() => writeDockerfileCopy('app', original, text)));
    written.push(...copies);
    expect(new Set(copies).size).toBe(1);
    expect(readFileSync(copies[0], 'utf8')).toBe(text);
    expect(readFileSync(`${copies[0]}.dockerignore`, 'utf8')).toBe('*.md\n');
    const folder = basename(dirname(copies[0]));
    expect(readdirSync(dirname(dirname(copies[0]))).filter((name) => name.startsWith(`${folder}.partial-`))).toEqual([]);

    writeFileSync(`${original}.dockerignore`, '*.txt\n');
    const other = await writeDockerfileCopy('app', original, text);
    written.push(other);
    expect(other).not.toBe(copies[0]);
    expect(readFileSync(`${other}.dockerignore`, 'utf8')).toBe('*.txt\n');
  });
});
