import { CommandFailedError } from '../core/errors';
import { hintFor } from './errors';

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

describe('registry hints', () => {
  const argv = ['skopeo', 'copy', 'oci:/x:latest', 'docker://quay.example.com/team/app:1'];

  it('says how to log in to the registry the command pushed to, and where credentials come from', () => {
    const hint = hintFor('writing blob: ... unauthorized: authentication required', argv);
    expect(hint).toContain('quay.example.com refused the request as unauthorized: log in first with podman login quay.example.com');
    expect(hint).toContain('REGISTRY_AUTH_FILE');
  });

  it('names tlsVerify and the CA folder on a TLS failure', () => {
    expect(hintFor('http: server gave HTTP response to HTTPS client', argv)).toContain('set tlsVerify: false for it');
    expect(hintFor('x509: certificate signed by unknown authority', argv)).toContain('/etc/containers/certs.d/quay.example.com/ca.crt');
  });
});
