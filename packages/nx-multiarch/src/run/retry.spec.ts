import { readFileSync } from 'node:fs';
import { runWithRetry } from './retry';
import { tempDir } from '../../../../tools/fixtures/workspace-kit';

/** A real command that fails with a registry-style 5xx the first `failures` times, counted in a file. */
function flakyStep(dir: string, failures: number, message: string) {
  const script = `n=$(cat ${dir}/n 2>/dev/null || echo 0); echo $((n+1)) > ${dir}/n; if [ "$n" -lt ${failures} ]; then echo '${message}' >&2; exit 1; fi; echo ok`;
  return { argv: ['sh', '-c', script], description: 'flaky' };
}

describe('runWithRetry', () => {
  let dir: string;
  beforeEach(() => {
    dir = tempDir('retry-');
  });

  it('tries again after a registry 5xx and succeeds', async () => {
    const result = await runWithRetry(
      flakyStep(dir, 2, 'received unexpected HTTP status: 500 Internal Server Error'),
      { cwd: dir },
      [1, 1, 1],
    );
    expect(result.stdout).toBe('ok');
  });

  it('gives up after the bounded retries, with the registry error', async () => {
    await expect(
      runWithRetry(flakyStep(dir, 9, 'received unexpected HTTP status: 503 Service Unavailable'), { cwd: dir }, [1, 1]),
    ).rejects.toThrow(/503 Service Unavailable/);
    expect(readFileSync(`${dir}/n`, 'utf8').trim()).toBe('3');
  });

  it('does not retry other failures', async () => {
    await expect(runWithRetry(flakyStep(dir, 1, 'unauthorized: authentication required'), { cwd: dir }, [1, 1])).rejects.toThrow(
      /unauthorized/,
    );
    expect(readFileSync(`${dir}/n`, 'utf8').trim()).toBe('1');
  });
});
