/**
 * runPlan's clean-up after an interrupt: nx stops an interrupted task's process tree with SIGTERM from snapshots of it,
 * so it can kill a clean-up command the interrupt started (`podman manifest rm`); that step runs again. Real commands
 * (sh) stand in for podman; the interrupt is a SIGINT emitted on `process` with process.exit mocked.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Plan } from '../engines/types';
import { tempDir } from '../../../../tools/fixtures/workspace-kit';

jest.mock('../devkit', () => ({ logger: { warn: jest.fn(), info: jest.fn(), error: jest.fn() } }));

let shared: typeof import('./shared');
let interrupt: typeof import('../run/interrupt');
let dir: string;

beforeEach(() => {
  jest.isolateModules(() => {
    // Fresh modules per test: interrupt.ts keeps its state (handlers, the signal received) at module level.
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    shared = require('./shared');
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    interrupt = require('../run/interrupt');
  });
  dir = tempDir('run-plan-');
});

/**
 * A clean-up step that counts its runs in a file and, for the first `signalled` runs, kills itself with SIGTERM (or,
 * `silently`, exits 0 printing nothing, as podman 4.3 does when SIGTERM stops it); otherwise it says what it removed.
 */
function cleanupStep(signalled: number, silently = false) {
  const stop = silently ? 'exit 0' : 'kill -TERM $$';
  const script = `n=$(cat ${dir}/n 2>/dev/null || echo 0); echo $((n+1)) > ${dir}/n; if [ "$n" -lt ${signalled} ]; then ${stop}; fi; echo Untagged: list`;
  return { argv: ['sh', '-c', script], description: 'remove the temporary manifest list' };
}

const runs = () => Number(readFileSync(join(dir, 'n'), 'utf8').trim());

/** runPlan with a SIGINT received first (or not); process.exit is mocked while the handlers are in place. */
async function runInterrupted(plan: Plan, interrupted: boolean): Promise<unknown> {
  const exit = jest.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
  const release = interrupt.handleInterrupts();
  try {
    if (interrupted) process.emit('SIGINT' as never, 'SIGINT' as never);
    return await shared
      .runPlan(plan, dir, () => undefined)
      .then(
        () => 'done',
        (error: Error) => error.message,
      );
  } finally {
    release();
    exit.mockRestore();
  }
}

describe('runPlan clean-up', () => {
  it('runs a clean-up step again when a signal killed it after an interrupt (three attempts in all)', async () => {
    const plan: Plan = { steps: [{ argv: ['true'], description: 'build' }], cleanup: [cleanupStep(1)] };
    expect(await runInterrupted(plan, true)).toMatch(/^Interrupted by SIGINT/);
    expect(runs()).toBe(2);

    dir = tempDir('run-plan-');
    const stubborn: Plan = { steps: [{ argv: ['true'], description: 'build' }], cleanup: [cleanupStep(9)] };
    expect(await runInterrupted(stubborn, true)).toMatch(/^Interrupted by SIGINT/);
    expect(runs()).toBe(3);
  });

  it('runs it again when it exited 0 without a word after an interrupt (podman 4.3 stopped by SIGTERM)', async () => {
    const plan: Plan = { steps: [{ argv: ['true'], description: 'build' }], cleanup: [cleanupStep(1, true)] };
    expect(await runInterrupted(plan, true)).toMatch(/^Interrupted by SIGINT/);
    expect(runs()).toBe(2);
  });

  it('runs it after an interrupt even when the plan cleans up after itself and its last step exited 0 (podman stopped by SIGTERM)', async () => {
    const ready = join(dir, 'ready');
    // a stand-in for `podman manifest push --rm`: exits 0 on SIGTERM without doing its work, as podman 4.3 does
    const selfCleaning = {
      argv: ['sh', '-c', `trap 'kill $!; exit 0' TERM; touch ${ready}; sleep 30 >/dev/null 2>&1 & wait`],
      description: 'export',
    };
    const plan: Plan = { steps: [selfCleaning], cleanup: [cleanupStep(0)], cleanupAfterFailureOnly: true };
    const exit = jest.spyOn(process, 'exit').mockImplementation((() => undefined) as never);
    const release = interrupt.handleInterrupts();
    try {
      const running = shared
        .runPlan(plan, dir, () => undefined)
        .then(
          () => 'done',
          (error: Error) => error.message,
        );
      while (!existsSync(ready)) await new Promise((resolve) => setTimeout(resolve, 20));
      process.emit('SIGINT' as never, 'SIGINT' as never);
      expect(await running).toMatch(/^Interrupted by SIGINT/);
      expect(runs()).toBe(1);
    } finally {
      release();
      exit.mockRestore();
    }
  });

  it('runs it once when nothing was interrupted, even if a signal killed it', async () => {
    const plan: Plan = { steps: [{ argv: ['true'], description: 'build' }], cleanup: [cleanupStep(1)] };
    expect(await runInterrupted(plan, false)).toBe('done');
    expect(runs()).toBe(1);
  });
});
