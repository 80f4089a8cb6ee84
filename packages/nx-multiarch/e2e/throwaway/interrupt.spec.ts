/**
 * SIGINT and SIGTERM mid-build and mid-push, end to end in a throwaway workspace: the run stops promptly, leaves no
 * temporary manifest list in podman and no partial output that a later run could take for a build, and the rerun
 * succeeds. Signals go to nx's whole process group, as Ctrl-C in a terminal or a CI cancel does.
 */
import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { readdir, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execa } from '../processes';
import { commitAll, installPlugin, writeFiles } from '../../../../tools/fixtures/workspace-kit';
import { command, NX_BIN, REGISTRY, remoteRaw, remoteTags, requireRealParts, RUN_ID } from '../harness';
import { startFaultProxy, type FaultProxy } from '../fault-proxy';

jest.setTimeout(15 * 60 * 1000);

const dir = mkdtempSync(join(tmpdir(), 'nx-multiarch-signals-'));
const REPOSITORY = `${RUN_ID}-signals/slow`;
const OUTPUT = join(dir, 'dist', 'images', 'services', 'slow');

function startNx(args: string[]) {
  const lines: string[] = [];
  const run = execa(NX_BIN, [...args, '--outputStyle=static'], {
    cwd: dir,
    env: { NX_DAEMON: 'false', NX_TUI: 'false', NX_NO_CLOUD: 'true', CI: 'true', NX_CACHE_DIRECTORY: join(dir, '.nx', 'cache') },
    all: true,
    reject: false,
    detached: true, // its own process group, so the signal reaches nx, the task process and podman/skopeo like Ctrl-C
  });
  run.all.on('data', (chunk: Buffer) => lines.push(...chunk.toString().split('\n')));
  return { run, lines };
}

/** Command lines of every process now (nx prints a task's output only when it ends, so the output can't tell where it is). */
async function commandLines(): Promise<string[]> {
  const pids = (await readdir('/proc')).filter((name) => /^\d+$/.test(name));
  const lines = await Promise.all(pids.map((pid) => readFile(`/proc/${pid}/cmdline`, 'utf8').catch(() => '')));
  return lines.map((line) => line.split('\0').join(' '));
}

async function waitForProcess(pattern: RegExp, what: string, timeoutMs = 180_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await commandLines()).some((line) => pattern.test(line))) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** Temporary manifest lists and partial outputs left behind; the task process may still be cleaning up for a moment. */
async function leftovers(): Promise<string[]> {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const images = (await command(['podman', 'images', '--format', '{{.Repository}}:{{.Tag}}'])).stdout
      .split('\n')
      .filter((name) => name.startsWith('localhost/nx-multiarch-work/slow:'));
    const parent = join(dir, 'dist', 'images', 'services');
    const partial = existsSync(parent) ? readdirSync(parent).filter((name) => name.includes('.partial-')) : [];
    const found = [...images, ...partial];
    if (found.length === 0 || Date.now() > deadline) return found;
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

async function interrupt(run: ReturnType<typeof startNx>['run'], signal: NodeJS.Signals): Promise<{ exitCode?: number; signal?: string }> {
  process.kill(-run.pid!, signal);
  const result = await run;
  return { exitCode: result.exitCode, signal: result.signal };
}

let proxy: FaultProxy;

beforeAll(async () => {
  await requireRealParts(['podman', 'skopeo', 'git']);
  proxy = await startFaultProxy(5000);
  installPlugin(dir);
  writeFiles(dir, {
    '.gitignore': 'node_modules\ndist\n.nx\n',
    'nx.json': `${JSON.stringify({
      plugins: [{ plugin: 'nx-multiarch', options: { registry: REGISTRY, imageName: REPOSITORY, buildArgs: { BASE_IMAGE: `${REGISTRY}/fixtures/busybox:latest` } } }],
    }, null, 2)}\n`,
    'services/slow/project.json': JSON.stringify({ name: 'slow' }),
    // Slow enough to be caught mid-build on every platform.
    'services/slow/Dockerfile': 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nRUN sleep 15 && uname -m > /arch\n',
  });
  commitAll(dir, 'signals workspace');
});

afterAll(async () => {
  await proxy?.close();
  rmSync(dir, { recursive: true, force: true });
});

describe.each(['SIGINT', 'SIGTERM'] as const)('%s', (signal) => {
  it(`mid-build: non-zero exit (a build the signal missed would finish with 0), no temporary manifest list, no partial output; the rerun builds`, async () => {
    rmSync(OUTPUT, { recursive: true, force: true }); // the previous test's build: this one must not leave any
    // A RUN line of this test's own, so podman's layer cache can't skip the slow step.
    writeFiles(dir, { 'services/slow/Dockerfile': `ARG BASE_IMAGE\nFROM \${BASE_IMAGE}\nRUN sleep 15 && uname -m > /arch && echo ${signal}\n` });
    const { run } = startNx(['run', 'slow:docker-build', '--skip-nx-cache']);
    await waitForProcess(/sleep 15 && uname -m/, 'the RUN step to start');
    const stopped = await interrupt(run, signal);
    expect(stopped.exitCode === 0).toBe(false);
    expect(await leftovers()).toEqual([]);
    expect(existsSync(join(OUTPUT, 'image.json'))).toBe(false);

    const rerun = startNx(['run', 'slow:docker-build']);
    const result = await rerun.run;
    if (result.exitCode !== 0) throw new Error(`rerun failed:\n${rerun.lines.join('\n')}`);
    expect(rerun.lines.join('\n')).not.toMatch(/local cache|remote cache/);
    expect(existsSync(join(OUTPUT, 'image.json'))).toBe(true);
    rmSync(OUTPUT, { recursive: true, force: true });
  });

  it(`mid-push: non-zero exit (a push the signal missed would finish with 0), the tag is absent or complete; the rerun pushes and verifies`, async () => {
    const tag = `push-${signal.toLowerCase()}`;
    const built = startNx(['run', 'slow:docker-build']);
    expect((await built.run).exitCode).toBe(0);
    proxy.fault = { kind: 'slow', delayMs: 2000 };
    const { run } = startNx(['run', 'slow:docker-push', `--registry=${proxy.registry}`, `--tag=${tag}`, '--tlsVerify=false']);
    await waitForProcess(new RegExp(`skopeo copy .*:${tag}`), 'the push to start');
    await new Promise((resolve) => setTimeout(resolve, 3000)); // a few slow requests into the copy
    const stopped = await interrupt(run, signal);
    proxy.fault = undefined;
    expect(stopped.exitCode === 0).toBe(false);
    // Read straight from the registry: the tag must not exist, or be the whole list.
    if ((await remoteTags(REPOSITORY)).includes(tag)) {
      const { json } = await remoteRaw(`${REGISTRY}/${REPOSITORY}:${tag}`);
      expect(json.manifests).toHaveLength(2);
    }
    const rerun = startNx(['run', 'slow:docker-push', `--tag=${tag}`]);
    const result = await rerun.run;
    if (result.exitCode !== 0) throw new Error(`rerun failed:\n${rerun.lines.join('\n')}`);
    expect(rerun.lines.join('\n')).toContain('Pushed and verified');
  });
});
