/**
 * runPlan's restart on podman 4.x's parallel-pull race ("locating pulled image ...: image not known"), with real
 * commands: each step is `sh -c` counting its runs in a file, the cleanup step logs that it ran. The end-to-end check
 * (a stand-in podman that fails a real build once) is in e2e/throwaway/dry-run.spec.ts.
 */
import { readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { logger } from '../devkit';
import { PODMAN_RETRY } from '../engines/podman';
import type { Plan } from '../engines/types';
import { CommandFailedError } from '../core/errors';
import { runPlan } from './shared';
import { tempDir } from '../../../../tools/fixtures/workspace-kit';

/** What podman 4.3 prints when a platform's build loses the base image another platform's pull just stored. */
const IMAGE_NOT_KNOWN =
  'Error: creating build container: locating pulled image "127.0.0.1:5000/fixtures/busybox:latest" name in containers storage: ' +
  '127.0.0.1:5000/fixtures/busybox:latest: image not known';

let dir: string;
let warn: jest.SpyInstance;
let info: jest.SpyInstance;

beforeEach(() => {
  dir = tempDir('run-plan-');
  warn = jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
  info = jest.spyOn(logger, 'info').mockImplementation(() => undefined);
});

afterEach(() => {
  warn.mockRestore();
  info.mockRestore();
  rmSync(dir, { recursive: true, force: true });
});

const log = () => readFileSync(join(dir, 'log'), 'utf8').trim().split('\n');

/** A podman-like plan of two steps (podman's retry): "prepare" always succeeds, "build" fails with `message` its first `failures` runs. */
function plan(failures: number, message: string): Plan {
  const step = (name: string, script: string) => ({ argv: ['sh', '-c', `echo ${name} >> log; ${script}`], description: name });
  return {
    steps: [
      step('prepare', 'true'),
      step(
        'build',
        `n=$(cat n 2>/dev/null || echo 0); echo $((n+1)) > n; if [ "$n" -lt ${failures} ]; then echo '${message}' >&2; exit 125; fi`,
      ),
    ],
    cleanup: [step('cleanup', 'true')],
    retry: PODMAN_RETRY,
  };
}

describe('runPlan', () => {
  it('"image not known" once: removes what the attempt left (cleanup) and runs the whole plan again, saying so', async () => {
    await runPlan(plan(1, IMAGE_NOT_KNOWN), dir, () => undefined);
    expect(log()).toEqual(['prepare', 'build', 'cleanup', 'prepare', 'build', 'cleanup']);
    expect(warn).toHaveBeenCalledTimes(1);
    expect(warn.mock.calls[0][0]).toMatch(
      /^podman could not find an image or the local name of a base \(lost to a race between parallel builds, .*\); starting again \(attempt 2 of 3\)\.$/,
    );
  });

  it('"layer not known", the same race on a layer, is restarted too', async () => {
    await runPlan(plan(1, 'Error: committing container for step: layer not known'), dir, () => undefined);
    expect(log()).toEqual(['prepare', 'build', 'cleanup', 'prepare', 'build', 'cleanup']);
  });

  it("a pinned base's name lost to a concurrent `podman tag` (podman before 4.8) is restarted too", async () => {
    const lost =
      'Error: creating build container: initializing source docker://localhost/nx-multiarch-base/busybox:82b216093b1963c1-arm64: ' +
      'pinging container registry localhost: Get "https://localhost/v2/": dial tcp 127.0.0.1:443: connect: connection refused';
    await runPlan(plan(1, lost), dir, () => undefined);
    expect(log()).toEqual(['prepare', 'build', 'cleanup', 'prepare', 'build', 'cleanup']);
  });

  it('a step marked onlyOnRetry is skipped on the first attempt and runs when the plan starts again', async () => {
    const withPull = plan(1, IMAGE_NOT_KNOWN);
    withPull.steps.unshift({ argv: ['sh', '-c', 'echo pull >> log'], description: 'pull', onlyOnRetry: true });
    await runPlan(withPull, dir, () => undefined);
    expect(log()).toEqual(['prepare', 'build', 'cleanup', 'pull', 'prepare', 'build', 'cleanup']);
  });

  it('three attempts at most, then the engine error', async () => {
    const error = await runPlan(plan(9, IMAGE_NOT_KNOWN), dir, () => undefined).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CommandFailedError);
    expect((error as CommandFailedError).output).toContain('image not known');
    expect(log()).toEqual(Array(3).fill(['prepare', 'build', 'cleanup']).flat());
    expect(warn).toHaveBeenCalledTimes(2);
  });

  it('any other engine failure is not restarted: one attempt, its cleanup, the error', async () => {
    const error = await runPlan(plan(1, 'Error: building at STEP "RUN make": exit status 2'), dir, () => undefined).catch(
      (e: unknown) => e,
    );
    expect((error as CommandFailedError).output).toContain('exit status 2');
    expect(log()).toEqual(['prepare', 'build', 'cleanup']);
    expect(warn).not.toHaveBeenCalled();
  });

  it('a plan whose last step cleans up after itself (podman manifest push --rm) runs its cleanup only after a failure', async () => {
    await runPlan({ ...plan(1, IMAGE_NOT_KNOWN), cleanupAfterFailureOnly: true }, dir, () => undefined);
    expect(log()).toEqual(['prepare', 'build', 'cleanup', 'prepare', 'build']);
  });
});
