/**
 * SIGINT and SIGTERM mid-build and mid-push, end to end in a throwaway workspace, against what the README promises:
 * the running podman or skopeo is stopped, the temporary manifest list and the partial output folder are removed, the
 * target exits with 130 / 143, a second Ctrl-C exits at once, and an interrupted push leaves the tag absent or the
 * complete list. Signals go to nx's whole process group, as Ctrl-C in a terminal or a CI cancel does.
 *
 * Exit codes: "the target" is the task process nx forks (run-executor.js). nx prints nothing of it after a SIGINT, so
 * a --require hook (NODE_OPTIONS) in that process writes the code it exits with to a log; no line means it did not
 * exit by itself (nx killed it with SIGKILL). nx's own exit code is Nx's: Nx 24 without a terminal exits 130 for any
 * interrupted run, SIGTERM included; the README says so, and this test holds it to that.
 *
 * Where the signal lands: a `podman` stand-in first on PATH passes every command to the real podman except
 * `podman manifest push` (the export, which runs once the build has made the temporary manifest list), which it holds
 * until it is stopped. So the build is real, and the signal comes when the list and the partial folder both exist:
 * a clean-up that did not run would leave both. The push is held at the registry instead: a fault proxy keeps the PUT of
 * the second tag's list (`latest`) unanswered, so the first tag is complete and the second one is what the interrupt
 * cut short.
 */
import { chmodSync, existsSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { pathOf } from '../../src/run/path';
import type { ImageRecord } from '../../src/image/record';
import { commitAll, installPlugin, writeFiles } from '../../../../tools/fixtures/workspace-kit';
import { command, listMismatches, REGISTRY, remoteTags, requireRealParts, RUN_ID, startNx, tempDir } from '../harness';
import { startFaultProxy, type FaultProxy } from '../fault-proxy';

// Each test took 5-45 s on 2 cores shared with other runs' builds, up to 150 s under a load of 10-15: 7.5 minutes each.
jest.setTimeout(450_000);

const dir = tempDir('nx-multiarch-signals-');
const OUTPUT = join(dir, 'dist', 'images', 'services', 'slow');
const HOOK = join(dir, '.signals', 'exit-hook.js');
const EXITS = join(dir, '.signals', 'exits.log');
const STAND_IN = join(dir, '.signals', 'bin');
const HELD = join(dir, '.signals', 'held');

type Signal = 'SIGINT' | 'SIGTERM';
const CODE: Record<Signal, number> = { SIGINT: 130, SIGTERM: 143 };

function startRun(args: string[], env: Record<string, string> = {}) {
  const lines: string[] = [];
  const run = startNx(args, {
    cwd: dir,
    env: { NX_CACHE_DIRECTORY: join(dir, '.nx', 'cache'), ...env },
    staticOutput: true,
    detached: true, // its own process group, so the signal reaches nx, the task process and podman/skopeo like Ctrl-C
  });
  run.all.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n')));
  return { run, lines };
}
type Started = ReturnType<typeof startRun>;

/**
 * nx with the exit hook in its task process (and the podman stand-in first on PATH, for the builds to interrupt).
 * nx SIGKILLs an interrupted task that has not ended NX_PROCESS_KILL_GRACE_PERIOD after its own SIGTERM (5 s by
 * default; the README says so). A task here died that way, with no exit code, in a run slowed by other builds holding
 * podman's store locks: the grace is 2 minutes, so that what is measured is the plugin's clean-up, not the load.
 */
function startWatched(args: string[], env: Record<string, string> = {}): Started {
  rmSync(EXITS, { force: true });
  return startRun(args, { NODE_OPTIONS: `--require ${HOOK}`, SIGNALS_EXIT_LOG: EXITS, NX_PROCESS_KILL_GRACE_PERIOD: '120000', ...env });
}

/** Once nx has ended: every task process that started has written its exit line (or was killed, and never will). */
async function settled(): Promise<void> {
  const pids = taskLog()
    .filter((line) => line.startsWith('start '))
    .map((line) => line.split(' ')[1]);
  const deadline = Date.now() + 30_000;
  while (
    pids.some((pid) => !taskLog().some((line) => line.startsWith(`exit ${pid} `)) && existsSync(`/proc/${pid}`)) &&
    Date.now() < deadline
  ) {
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

const withStandIn = (extra: Record<string, string> = {}) => ({
  PATH: `${STAND_IN}${delimiter}${process.env.PATH}`,
  HELD_FILE: HELD,
  ...extra,
});

/** The exit codes the task processes of the last watched run exited with (one line each). */
function taskExits(): number[] {
  return taskLog()
    .filter((line) => line.startsWith('exit '))
    .map((line) => Number(line.split(' ')[2]));
}

const taskLog = () => (existsSync(EXITS) ? readFileSync(EXITS, 'utf8').trim().split('\n').filter(Boolean) : []);

/** nx's and the task's exit codes, and nx's last lines when they are not the expected ones (to read a failure). */
function exitCodes(started: Started, nx: number | undefined, expected: { nx: number; task: number[] }) {
  const got = { nx, task: taskExits() };
  return JSON.stringify(got) === JSON.stringify(expected) ? got : { ...got, log: taskLog(), output: started.lines.slice(-40).join('\n') };
}

/** Polls `done` every 200 ms; fails naming `what` after `timeoutMs`, or at once (with nx's output) if nx ended first. */
async function waitFor(done: () => boolean | Promise<boolean>, what: string, started: Started, timeoutMs = 240_000): Promise<void> {
  let ended = false;
  void started.run.then(() => (ended = true));
  const deadline = Date.now() + timeoutMs;
  while (!(await done())) {
    if (ended) throw new Error(`nx ended before ${what}:\n${started.lines.join('\n')}`);
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}:\n${started.lines.join('\n')}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

/** The held `podman manifest push`: its pid, the temporary list it exports and the partial folder it writes to. */
function held(): { pid: number; list: string; partial: string } {
  const [pid, args] = readFileSync(HELD, 'utf8').split('\n');
  const list = /localhost\/nx-multiarch-work\/slow:\S+/.exec(args)?.[0];
  const partial = /oci:(\S+)\/oci:latest/.exec(args)?.[1];
  if (!list || !partial) throw new Error(`unexpected podman manifest push: ${args}`);
  return { pid: Number(pid), list, partial };
}

const listExists = async (name: string) => (await command(['podman', 'manifest', 'exists', name])).exitCode === 0;

/** Partial output folders (`<output>.partial-*`) in the services folder. */
function partials(): string[] {
  const parent = join(dir, 'dist', 'images', 'services');
  return existsSync(parent) ? readdirSync(parent).filter((name) => name.includes('.partial-')) : [];
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

const readRecord = (): ImageRecord => JSON.parse(readFileSync(join(OUTPUT, 'image.json'), 'utf8'));

let proxy: FaultProxy;

beforeAll(async () => {
  await requireRealParts(['podman', 'skopeo', 'git']);
  const podman = pathOf('podman');
  if (!podman) throw new Error('podman is not on PATH');
  proxy = await startFaultProxy(5000);
  installPlugin(dir);
  writeFiles(dir, {
    '.gitignore': 'node_modules\ndist\n.nx\n.signals\n',
    'nx.json': `${JSON.stringify(
      {
        plugins: [
          {
            plugin: 'nx-multiarch',
            options: {
              registry: REGISTRY,
              imageName: `${RUN_ID}-signals/slow`,
              buildArgs: { BASE_IMAGE: `${REGISTRY}/fixtures/busybox:latest` },
            },
          },
        ],
      },
      null,
      2,
    )}\n`,
    'services/slow/project.json': JSON.stringify({ name: 'slow' }),
    'services/slow/Dockerfile': 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nRUN uname -m > /arch\n',
    // In the task process only (nx marks it): that it started, and the code it exits with (process.exit and a normal
    // end both emit 'exit'; a process killed by a signal writes no exit line).
    '.signals/exit-hook.js':
      "if (process.env.NX_FORKED_TASK_EXECUTOR === 'true' && process.env.SIGNALS_EXIT_LOG) {\n" +
      "  const log = (line) => require('node:fs').appendFileSync(process.env.SIGNALS_EXIT_LOG, `${line}\\n`);\n" +
      '  log(`start ${process.pid}`);\n' +
      "  process.on('exit', (code) => log(`exit ${process.pid} ${code}`));\n" +
      '}\n',
    // The stand-in (a test tool, not podman): holds the export until stopped; HOLD=stubborn ignores SIGINT and SIGTERM.
    '.signals/bin/podman':
      '#!/bin/sh\n' +
      'if [ "$1 $2" = "manifest push" ] && [ -n "$HELD_FILE" ]; then\n' +
      '  if [ "$HOLD" = stubborn ]; then trap "" INT TERM; fi\n' +
      '  printf "%s\\n%s\\n" "$$" "$*" > "$HELD_FILE.tmp" && mv "$HELD_FILE.tmp" "$HELD_FILE"\n' +
      '  exec sleep 600\n' +
      'fi\n' +
      `exec ${podman} "$@"\n`,
  });
  chmodSync(join(STAND_IN, 'podman'), 0o755);
  commitAll(dir, 'signals workspace');
});

afterAll(async () => {
  await proxy?.close();
});

describe.each(['SIGINT', 'SIGTERM'] as const)('%s', (signal: Signal) => {
  it(`mid-build (the temporary list and the partial folder exist): the task exits ${CODE[signal]}, nx 130, both are removed; the rerun builds`, async () => {
    rmSync(OUTPUT, { recursive: true, force: true }); // the previous test's build: this one must not leave any
    rmSync(HELD, { force: true });
    // A RUN line of this test's own: the interrupted build is not in Nx's cache, whatever ran before.
    writeFiles(dir, { 'services/slow/Dockerfile': `ARG BASE_IMAGE\nFROM \${BASE_IMAGE}\nRUN uname -m > /arch && echo ${signal}\n` });
    const started = startWatched(['run', 'slow:docker-build', '--skip-nx-cache'], withStandIn());
    await waitFor(() => existsSync(HELD), 'the export to start', started);
    const { list, partial } = held();
    // The clean-up has something to do: a check that found nothing would pass without it.
    expect({ list: await listExists(list), partial: existsSync(partial) }).toEqual({ list: true, partial: true });

    process.kill(-started.run.pid!, signal);
    const stopped = await started.run;
    await settled();
    expect(exitCodes(started, stopped.exitCode, { nx: 130, task: [CODE[signal]] })).toEqual({ nx: 130, task: [CODE[signal]] });
    expect({ list: await listExists(list), partials: partials(), record: existsSync(join(OUTPUT, 'image.json')) }).toEqual({
      list: false,
      partials: [],
      record: false,
    });

    const rerun = startRun(['run', 'slow:docker-build']);
    const result = await rerun.run;
    if (result.exitCode !== 0) throw new Error(`rerun failed:\n${rerun.lines.join('\n')}`);
    expect(rerun.lines.join('\n')).not.toMatch(/local cache|remote cache/);
    expect(existsSync(join(OUTPUT, 'image.json'))).toBe(true);
  });

  it(`mid-push (the second tag's list sent, unanswered): the task exits ${CODE[signal]}, nx 130; the first tag is image.json's list, the second absent or that list; the rerun pushes both`, async () => {
    const repository = `${RUN_ID}-signals/slow-${signal.toLowerCase()}`;
    const built = startRun(['run', 'slow:docker-build']);
    expect((await built.run).exitCode).toBe(0);
    const record = readRecord();
    proxy.fault = { kind: 'hold', match: /^PUT \S*\/manifests\/latest$/ };
    const push = ['run', 'slow:docker-push', '--exclude-task-dependencies', `--imageName=${repository}`, '--tag=pushed', '--latest'];
    const started = startWatched([...push, `--registry=${proxy.registry}`, '--tlsVerify=false']);
    await waitFor(() => proxy.fired > 0, 'the list PUT of the tag latest', started);
    process.kill(-started.run.pid!, signal);
    const stopped = await started.run;
    await settled();
    proxy.fault = undefined;
    expect(exitCodes(started, stopped.exitCode, { nx: 130, task: [CODE[signal]] })).toEqual({ nx: 130, task: [CODE[signal]] });

    // Read straight from the registry, against image.json: `pushed` was copied whole before the signal; `latest` must
    // not exist, or be that same list.
    const tags = await remoteTags(repository);
    expect(tags).toContain('pushed');
    expect(await listMismatches(repository, 'pushed', record)).toEqual([]);
    if (tags.includes('latest')) expect(await listMismatches(repository, 'latest', record)).toEqual([]);

    const rerun = startRun([...push]);
    const result = await rerun.run;
    if (result.exitCode !== 0) throw new Error(`rerun failed:\n${rerun.lines.join('\n')}`);
    expect(rerun.lines.join('\n')).toContain('Pushed and verified');
    expect({
      pushed: await listMismatches(repository, 'pushed', record),
      latest: await listMismatches(repository, 'latest', record),
    }).toEqual({ pushed: [], latest: [] });
  });
});

it('a second SIGINT exits at once, with 130, while the command it stopped is still running', async () => {
  rmSync(HELD, { force: true });
  // The held export ignores SIGINT and SIGTERM: after the first signal the task waits for it, as for a command that
  // hangs, until execa's SIGKILL 5 s after the plugin's SIGTERM (forceKillAfterDelay); the second SIGINT comes well
  // before. nx's grace period is raised so that nx does not SIGKILL the task first.
  const started = startWatched(
    ['run', 'slow:docker-build', '--skip-nx-cache'],
    withStandIn({ HOLD: 'stubborn', NX_PROCESS_KILL_GRACE_PERIOD: '900000' }),
  );
  await waitFor(() => existsSync(HELD), 'the export to start', started);
  const { pid, list, partial } = held();
  try {
    process.kill(-started.run.pid!, 'SIGINT');
    // The first signal was handled: its immediate clean-up removed the partial folder.
    await waitFor(() => !existsSync(partial), 'the first SIGINT to be handled', started, 120_000);
    expect(taskExits()).toEqual([]);
    process.kill(-started.run.pid!, 'SIGINT');
    await waitFor(() => taskExits().length > 0, 'the task to exit after the second SIGINT', started, 120_000);
    expect({ task: taskExits(), commandStillRunning: alive(pid) }).toEqual({ task: [130], commandStillRunning: true });
  } finally {
    if (alive(pid)) process.kill(pid, 'SIGKILL'); // nx waits for it (its grace period) before it exits
    await started.run;
    await command(['podman', 'manifest', 'rm', list]); // exiting at once leaves it: the documented price
  }
  expect((await started.run).exitCode).toBe(130);
});
