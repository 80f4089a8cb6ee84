import { logger } from '../devkit';
import { InterruptedError } from '../core/errors';

interface Killable {
  kill(signal?: NodeJS.Signals): boolean;
}

const live = new Set<Killable>();
const immediate = new Set<() => void>();
let received: NodeJS.Signals | undefined;

/** Commands running now, so that an interrupt can stop them; cleanup commands started afterwards still run. */
export function trackProcess<T extends Killable>(child: T): () => void {
  live.add(child);
  return () => live.delete(child);
}

/**
 * Synchronous clean-up to run the moment a signal arrives (removing a partial output folder), before anything slower:
 * nx kills the task's process tree with SIGKILL when its grace period ends.
 */
export function onInterrupt(cleanup: () => void): () => void {
  immediate.add(cleanup);
  return () => immediate.delete(cleanup);
}

export function interruptedBy(): NodeJS.Signals | undefined {
  return received;
}

export function throwIfInterrupted(): void {
  if (received) throw new InterruptedError(received);
}

const exitCode = (signal: NodeJS.Signals) => 128 + (signal === 'SIGINT' ? 2 : 15);

/**
 * SIGINT/SIGTERM stop the running command (podman, skopeo) and let the executor unwind through its cleanup instead of
 * dying with a temporary manifest list in the engine and a partial folder on disk; the task then exits with the first
 * signal's code (130 for SIGINT, 143 for SIGTERM). A second SIGINT (Ctrl-C pressed again) exits at once, with that code.
 *
 * A SIGTERM after the first signal does not: it is how nx stops its task when it got the same Ctrl-C or CI cancel
 * itself (killProcessTreeGraceful: SIGTERM, then SIGKILL after NX_PROCESS_KILL_GRACE_PERIOD, 5 s by default), so it
 * arrives during nearly every clean-up. Taking it for a second signal killed the `podman manifest rm` the clean-up was
 * running and turned a Ctrl-C into exit code 143.
 * Returns a function that removes the handlers and exits with the signal's code when one came.
 */
export function handleInterrupts(): () => void {
  const handler = (signal: NodeJS.Signals) => {
    if (received) {
      if (signal === 'SIGINT') process.exit(exitCode(received));
      return;
    }
    received = signal;
    logger.warn(`\n${signal}: stopping; cleaning up before exit (press Ctrl-C again to exit at once).`);
    for (const cleanup of immediate) {
      try {
        cleanup();
      } catch {
        // best effort: the regular clean-up runs again when the executor unwinds
      }
    }
    for (const child of live) child.kill('SIGTERM');
  };
  process.on('SIGINT', handler);
  process.on('SIGTERM', handler);
  return () => {
    process.off('SIGINT', handler);
    process.off('SIGTERM', handler);
    if (received) process.exit(exitCode(received));
  };
}
