/**
 * Every process an end-to-end test starts asynchronously goes through `execa` here: execa 9 with a time limit and a
 * SIGKILL some seconds after the SIGTERM (tools/fixtures/workspace-kit.ts has the numbers), and tracked, so that the
 * e2e projects' test environment (environment.ts) can end, when a test ends (passed, failed or timed out), what the
 * test left running, with every process it started (nx's task processes, their podman and skopeo).
 *
 * A process belongs to the test it was started in (its beforeEach and afterEach included, and concurrent tests each
 * their own: Jest keeps the running test's name in an AsyncLocalStorage) and is killed when that test is done; one
 * started in a beforeAll or afterAll (a podman service, a containerd) belongs to the file and is killed when the
 * file's last hook has run. A test that goes on after its timeout cannot start anything more: execa throws.
 */
import { execa as execa9, type Options, type ResultPromise } from 'execa';
import { readdirSync, readFileSync } from 'node:fs';
import { COMMAND_TIMEOUT, KILL_GRACE } from '../../../tools/fixtures/workspace-kit';

export { COMMAND_TIMEOUT, KILL_GRACE, SYNC_LIMITS } from '../../../tools/fixtures/workspace-kit';

interface Tracked {
  /** The test's name, or undefined for the file. */
  owner?: string;
  argv: string[];
  pid?: number;
  /** Resolves (never rejects) when the subprocess has ended. */
  ended: Promise<unknown>;
}
const running = new Set<Tracked>();
const doneTests = new Set<string>();

/** Jest's name of the test whose code (or beforeEach/afterEach) is running, in any test; undefined in beforeAll/afterAll. */
const currentTest = (): string | undefined => (typeof expect === 'undefined' ? undefined : expect.getState().currentConcurrentTestName?.());

/** execa(file, args, options) with COMMAND_TIMEOUT and KILL_GRACE unless the options say otherwise, tracked. */
// `{}` as execa's own default, so results are typed as execa types them without options (stdout: string).
// eslint-disable-next-line @typescript-eslint/no-empty-object-type
export function execa<O extends Options = {}>(file: string, args: readonly string[] = [], options?: O): ResultPromise<O> {
  const owner = currentTest();
  if (owner !== undefined && doneTests.has(owner)) {
    throw new Error(`"${owner}" has ended (timed out?): it may not start ${[file, ...args].join(' ')}`);
  }
  const subprocess = execa9(file, args, {
    timeout: COMMAND_TIMEOUT,
    forceKillAfterDelay: KILL_GRACE,
    ...options,
  }) as unknown as ResultPromise<O>;
  const tracked: Tracked = { owner, argv: [file, ...args], pid: subprocess.pid, ended: Promise.resolve() };
  const forget = () => {
    running.delete(tracked);
  };
  tracked.ended = subprocess.then(forget, forget);
  running.add(tracked);
  return subprocess;
}

/** What environment.ts calls, found on the test file's global (this module lives in the test file's module registry). */
export interface ProcessControl {
  testStarted(name: string): void;
  /** Kills what the test left running; returns the command lines of what it killed. */
  testDone(name: string): Promise<string[]>;
  /** Kills everything still running, the file's own processes included. */
  fileDone(): Promise<string[]>;
}
export const PROCESS_CONTROL = Symbol.for('nx-multiarch.e2e.processes');

const control: ProcessControl = {
  testStarted: (name) => {
    doneTests.delete(name);
  },
  testDone: (name) => {
    doneTests.add(name);
    return kill([...running].filter((tracked) => tracked.owner === name));
  },
  fileDone: () => kill([...running]),
};
(globalThis as Record<symbol, unknown>)[PROCESS_CONTROL] = control;

/**
 * Ends each process with the processes it started: all are stopped first (so none can start another meanwhile), then
 * sent SIGTERM and let go; whatever is still there after KILL_GRACE gets SIGKILL. Resolves when all are gone.
 */
async function kill(leftovers: Tracked[]): Promise<string[]> {
  if (leftovers.length === 0) return [];
  const pids = await freeze(leftovers.map((tracked) => tracked.pid).filter((pid): pid is number => pid !== undefined));
  signal(pids, 'SIGTERM');
  signal(pids, 'SIGCONT');
  if (!(await gone(pids, KILL_GRACE))) {
    const survivors = await freeze(pids.filter(alive));
    signal(survivors, 'SIGKILL');
    await gone(survivors, KILL_GRACE);
  }
  // execa settles once the output pipes close too, which a process that left the tree could hold open
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    Promise.all(leftovers.map((tracked) => tracked.ended)),
    new Promise((resolve) => (timer = setTimeout(resolve, KILL_GRACE))),
  ]);
  clearTimeout(timer);
  return leftovers.map((tracked) => tracked.argv.join(' '));
}

/**
 * Stops each process and then its children, level by level, until no stopped process has a child not yet stopped: a
 * stopped process cannot start another, so none escapes between the look at /proc and the signal.
 */
async function freeze(roots: number[]): Promise<number[]> {
  const frozen = new Set<number>();
  let next = roots;
  while (next.length > 0) {
    signal(next, 'SIGSTOP');
    next.forEach((pid) => frozen.add(pid));
    // kill() returns before the process has stopped; a fork it is in the middle of still completes
    const deadline = Date.now() + 2000;
    while (next.some((pid) => alive(pid) && readStat(pid)?.state !== 'T') && Date.now() < deadline) await sleep(10);
    const children = childrenByParent();
    next = next.flatMap((pid) => children.get(pid) ?? []).filter((pid) => !frozen.has(pid));
  }
  return [...frozen];
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

function childrenByParent(): Map<number, number[]> {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readStat(Number(name));
    if (!stat) continue;
    children.set(stat.ppid, [...(children.get(stat.ppid) ?? []), Number(name)]);
  }
  return children;
}

/** /proc/<pid>/stat: "pid (comm) state ppid ...", where comm may hold spaces and parentheses. */
function readStat(pid: number): { state: string; ppid: number } | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return { state, ppid: Number(ppid) };
  } catch {
    return undefined;
  }
}

/** A zombie has exited: only its parent's wait is missing. */
const alive = (pid: number) => {
  const state = readStat(pid)?.state;
  return state !== undefined && state !== 'Z';
};

function signal(pids: number[], name: NodeJS.Signals): void {
  for (const pid of pids) {
    try {
      process.kill(pid, name);
    } catch {
      // gone already
    }
  }
}

async function gone(pids: number[], withinMs: number): Promise<boolean> {
  const deadline = Date.now() + withinMs;
  while (pids.some(alive)) {
    if (Date.now() > deadline) return false;
    await sleep(100);
  }
  return true;
}

/** Processes now running whose command line contains `text` (for the check that nothing was left behind). */
export function processesMatching(text: string): string[] {
  const found: string[] = [];
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name) || Number(name) === process.pid || !alive(Number(name))) continue;
    let cmdline: string;
    try {
      cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').join(' ').trim();
    } catch {
      continue;
    }
    if (cmdline.includes(text)) found.push(`${name} ${cmdline}`);
  }
  return found;
}
