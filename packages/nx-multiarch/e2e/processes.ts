/**
 * Every process an end-to-end test starts asynchronously goes through `execa` here: execa 9 with a time limit and a
 * SIGKILL some seconds after the SIGTERM (tools/fixtures/workspace-kit.ts has the numbers), and tracked, so that when a
 * test ends (passed, failed or timed out) kill-with-test.ts, a setupFilesAfterEnv file of the e2e projects, can end
 * what the test left running, with every process it started (nx's task processes, their podman and skopeo).
 *
 * A process started inside a test (or a beforeEach) belongs to that test and is killed after it; one started in a
 * beforeAll (a podman service, a containerd) belongs to the file and is killed after the file's last test.
 */
import { execa as execa9, type Options, type ResultPromise } from 'execa';
import { readdirSync, readFileSync } from 'node:fs';
import { COMMAND_TIMEOUT, KILL_GRACE } from '../../../tools/fixtures/workspace-kit';

export { COMMAND_TIMEOUT, KILL_GRACE, SYNC_LIMITS } from '../../../tools/fixtures/workspace-kit';

type Scope = 'test' | 'file';
interface Tracked {
  scope: Scope;
  argv: string[];
  pid?: number;
  /** Resolves (never rejects) when the subprocess has ended. */
  ended: Promise<unknown>;
}
const running = new Set<Tracked>();
let scope: Scope = 'file';

/** execa(file, args, options) with COMMAND_TIMEOUT and KILL_GRACE unless the options say otherwise, tracked. */
export function execa<O extends Options = {}>(file: string, args: readonly string[] = [], options?: O): ResultPromise<O> {
  const subprocess = execa9(file, args, { timeout: COMMAND_TIMEOUT, forceKillAfterDelay: KILL_GRACE, ...options }) as unknown as ResultPromise<O>;
  const tracked: Tracked = { scope, argv: [file, ...args], pid: subprocess.pid, ended: Promise.resolve() };
  const forget = () => {
    running.delete(tracked);
  };
  tracked.ended = subprocess.then(forget, forget);
  running.add(tracked);
  return subprocess;
}

/** kill-with-test.ts: from here until the test ends, new processes belong to the test. */
export function enterTest(): void {
  scope = 'test';
}

/**
 * Ends the processes still running that the test started (`test`), or every one (`all`, after a file), each with the
 * processes it started: all are stopped first (so none can start another meanwhile), then sent SIGTERM and let go;
 * whatever is still there after KILL_GRACE gets SIGKILL. Resolves when all are gone; returns the command lines of
 * the ones a test started.
 */
export async function killLeftovers(which: Scope | 'all'): Promise<string[]> {
  if (which === 'test') scope = 'file';
  const leftovers = [...running].filter((tracked) => which === 'all' || tracked.scope === which);
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
  await Promise.race([Promise.all(leftovers.map((tracked) => tracked.ended)), new Promise((resolve) => (timer = setTimeout(resolve, KILL_GRACE)))]);
  clearTimeout(timer);
  return leftovers.filter((tracked) => tracked.scope === 'test').map((tracked) => tracked.argv.join(' '));
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
    let cmdline = '';
    try {
      cmdline = readFileSync(`/proc/${name}/cmdline`, 'utf8').split('\0').join(' ').trim();
    } catch {
      continue;
    }
    if (cmdline.includes(text)) found.push(`${name} ${cmdline}`);
  }
  return found;
}
