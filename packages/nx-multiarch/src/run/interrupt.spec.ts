/**
 * The interrupt handler's contract (README, "Interrupts, faults and bad input"): the first SIGINT/SIGTERM stops the
 * running commands and runs the immediate clean-ups, the task exits with 130 / 143 once it has unwound, a second SIGINT
 * exits at once, and the SIGTERM nx sends its task while stopping it (after the same Ctrl-C) cuts nothing short.
 * Signals are emitted on `process` (no real signal) and process.exit is mocked; each test loads a fresh module.
 */
jest.mock('../devkit', () => ({ logger: { warn: jest.fn(), info: jest.fn(), error: jest.fn() } }));

type InterruptModule = typeof import('./interrupt');

class Exited extends Error {
  constructor(readonly code: number | undefined) {
    super(`process.exit(${code})`);
  }
}

let exit: jest.SpyInstance;
let mod: InterruptModule;
let release: (() => void) | undefined;

beforeEach(() => {
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    mod = require('./interrupt');
  });
  exit = jest.spyOn(process, 'exit').mockImplementation(((code?: number) => {
    throw new Exited(code);
  }) as never);
  release = mod.handleInterrupts();
});

afterEach(() => {
  // Remove the handlers whatever the test did (release exits when a signal came: that exit is mocked).
  try {
    release?.();
  } catch {
    // the mocked exit
  }
  exit.mockRestore();
});

/** Emits the signal to the handler; the code process.exit was called with, or undefined when it was not. */
function send(signal: NodeJS.Signals): number | undefined {
  try {
    process.emit(signal as never, signal as never); // as a real signal does: the handler gets its name
    return undefined;
  } catch (error) {
    if (error instanceof Exited) return error.code;
    throw error;
  }
}

/** What release() (the executor having unwound) exits with. */
function unwind(): number | undefined {
  const done = release!;
  release = undefined;
  try {
    done();
    return undefined;
  } catch (error) {
    if (error instanceof Exited) return error.code;
    throw error;
  }
}

describe('handleInterrupts', () => {
  it.each([
    ['SIGINT', 130],
    ['SIGTERM', 143],
  ] as const)(
    '%s: stops the running commands, runs the immediate clean-ups, and the task exits with %i once it has unwound',
    (signal, code) => {
      const child = { kill: jest.fn(() => true) };
      const untrack = mod.trackProcess(child);
      const cleanup = jest.fn();
      mod.onInterrupt(cleanup);

      expect(send(signal)).toBeUndefined();
      expect(child.kill).toHaveBeenCalledWith('SIGTERM');
      expect(cleanup).toHaveBeenCalledTimes(1);
      expect(mod.interruptedBy()).toBe(signal);
      expect(() => mod.throwIfInterrupted()).toThrow(`Interrupted by ${signal}`);
      untrack();
      expect(unwind()).toBe(code);
    },
  );

  it("a second SIGINT (Ctrl-C again) exits at once, with the first signal's code", () => {
    expect(send('SIGINT')).toBeUndefined();
    expect(send('SIGINT')).toBe(130);
  });

  it('a SIGINT after a SIGTERM exits at once with 143', () => {
    expect(send('SIGTERM')).toBeUndefined();
    expect(send('SIGINT')).toBe(143);
  });

  it('the SIGTERM nx sends its task after the same Ctrl-C does not cut the clean-up short, nor change the exit code', () => {
    const child = { kill: jest.fn(() => true) };
    mod.trackProcess(child);
    expect(send('SIGINT')).toBeUndefined();
    // nx's killProcessTreeGraceful, sometimes twice
    expect(send('SIGTERM')).toBeUndefined();
    expect(send('SIGTERM')).toBeUndefined();
    expect(child.kill).toHaveBeenCalledTimes(1);
    expect(mod.interruptedBy()).toBe('SIGINT');
    expect(unwind()).toBe(130);
  });

  it("a CI cancel (SIGTERM to the group, then nx's own SIGTERM) lets the clean-up finish and exits with 143", () => {
    expect(send('SIGTERM')).toBeUndefined();
    expect(send('SIGTERM')).toBeUndefined();
    expect(unwind()).toBe(143);
  });

  it('no signal: unwinding exits nothing', () => {
    expect(unwind()).toBeUndefined();
    expect(exit).not.toHaveBeenCalled();
  });
});
