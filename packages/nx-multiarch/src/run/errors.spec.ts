import { CommandFailedError, hintFor } from './errors';

describe('command errors', () => {
  it('explains exec format error as missing QEMU/binfmt with the fix', () => {
    const hint = hintFor('[linux/arm64] STEP 2/3: RUN uname -m\nexec container process `/bin/sh`: Exec format error');
    expect(hint).toContain('QEMU');
    expect(hint).toContain('update-binfmts --enable qemu-aarch64');
    expect(hintFor('no space left on device')).toBeUndefined();
  });

  it('names the command, exit code and the end of its output', () => {
    const error = new CommandFailedError(['podman', 'build', '--platform', 'linux/arm64'], 125, 'line 1\nboom');
    expect(error.message).toContain('podman build --platform ... failed (exit code 125)');
    expect(error.message).toContain('boom');
  });
});
