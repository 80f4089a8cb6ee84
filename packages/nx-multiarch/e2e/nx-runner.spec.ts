/**
 * The runner every spec starts nx with (nx-runner.ts), against a stand-in nx that reports what it got: the flags each
 * option appends, the environment, the workspace, and what the runner makes of its exit code and output. Then the
 * readers of Nx's cache notes, on output as Nx prints it. No real nx runs here.
 */
import { chmodSync, realpathSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { CACHE_NOTE, localCacheNote, nxArgs, runNx, runNxOk, tasksIn, workspaceRoot } from './nx-runner';
import { tempDir } from '../../../tools/fixtures/workspace-kit';

const dir = realpathSync(tempDir('nx-multiarch-runner-spec-'));
const fakeNx = join(dir, 'nx');
writeFileSync(
  fakeNx,
  `#!${process.execPath}
const { env } = process;
const pick = ['NX_DAEMON', 'NX_TUI', 'NX_NO_CLOUD', 'NX_ISOLATE_PLUGINS', 'CI', 'EXTRA'];
process.stdout.write(JSON.stringify({ argv: process.argv.slice(2), cwd: process.cwd(), env: Object.fromEntries(pick.map((k) => [k, env[k]])) }) + '\\n');
process.stderr.write('\\x1b[31mon stderr\\x1b[39m\\n');
process.exit(Number(env.EXIT_WITH ?? 0));
`,
);
chmodSync(fakeNx, 0o755);

const reported = (stdout: string) => JSON.parse(stdout) as { argv: string[]; cwd: string; env: Record<string, string | undefined> };

describe('runNx', () => {
  it('appends the flags its options ask for, after the arguments, in one order', async () => {
    const result = await runNx(['run', 'a:b'], { bin: fakeNx, cwd: dir, staticOutput: true, parallel: 2, skipCache: true, verbose: false });
    expect(reported(result.stdout).argv).toEqual([
      'run',
      'a:b',
      '--outputStyle=static',
      '--parallel=2',
      '--skip-nx-cache',
      '--verbose=false',
    ]);
    expect(reported((await runNx(['show', 'projects'], { bin: fakeNx, cwd: dir })).stdout).argv).toEqual(['show', 'projects']);
  });

  it("runs in the workspace given (this repository's by default) with nxEnv(), CI=true and the extra variables over them", async () => {
    const result = await runNx([], { bin: fakeNx, cwd: dir, env: { EXTRA: 'yes', NX_TUI: 'overridden' } });
    expect(reported(result.stdout)).toMatchObject({
      cwd: dir,
      env: {
        NX_DAEMON: 'false',
        NX_TUI: 'overridden',
        NX_NO_CLOUD: 'true',
        NX_ISOLATE_PLUGINS: process.env.NX_ISOLATE_PLUGINS ?? 'false',
        CI: 'true',
        EXTRA: 'yes',
      },
    });
    expect(reported((await runNx([], { bin: fakeNx })).stdout).cwd).toBe(workspaceRoot);
  });

  it('ci: false leaves CI as the environment has it', async () => {
    const result = await runNx([], { bin: fakeNx, cwd: dir, ci: false });
    expect(reported(result.stdout).env.CI).toBe(process.env.CI);
  });

  it('gives the exit code, stdout and stderr together as output (stripAnsi takes the colour codes out), stdout alone', async () => {
    const failed = await runNx([], { bin: fakeNx, cwd: dir, env: { EXIT_WITH: '3' } });
    expect(failed.exitCode).toBe(3);
    expect(failed.output).toContain('\x1b[31mon stderr');
    expect(failed.output).toContain('"argv":[]');
    expect(failed.stdout).not.toContain('on stderr');
    const plain = (await runNx([], { bin: fakeNx, cwd: dir, stripAnsi: true })).output;
    expect(plain).toMatch(/\non stderr$/);
    expect(plain).not.toContain('\x1b[');
  });

  it('runNxOk returns a success and throws on a failure, naming the command, the workspace, the exit code and the output', async () => {
    expect((await runNxOk(['a'], { bin: fakeNx, cwd: dir })).exitCode).toBe(0);
    await expect(runNxOk(['run', 'x:y'], { bin: fakeNx, cwd: dir, env: { EXIT_WITH: '2' } })).rejects.toThrow(
      new RegExp(`^nx run x:y in ${dir.replace(/[.]/g, '\\.')} failed \\(exit 2\\):\\n.*on stderr`, 's'),
    );
  });

  it("nxArgs is the runner's argument list", () => {
    expect(nxArgs(['g', 'x'], { skipCache: true })).toEqual(['g', 'x', '--skip-nx-cache']);
  });
});

describe("Nx's cache notes", () => {
  // as nx 24 prints them with --outputStyle=static (colour codes included)
  const output = [
    '',
    '> nx run base:docker-build  [existing outputs match the cache, left as is]',
    '',
    '\x1b[2m> nx run api:docker-build  \x1b[22m[local cache]',
    '> nx run web:docker-build  [remote cache]',
    '> nx run api:docker-push --tag=x',
    '> podman build --platform linux/amd64 .',
    '',
    ' NX   Successfully ran target docker-push for project api and 3 tasks it depends on',
  ].join('\n');

  it('tasksIn lists each task announced at the start of a line, and whether a cache gave it', () => {
    expect(tasksIn(output)).toEqual([
      { project: 'base', target: 'docker-build', fromCache: true },
      { project: 'api', target: 'docker-build', fromCache: true },
      { project: 'web', target: 'docker-build', fromCache: true },
      { project: 'api', target: 'docker-push', fromCache: false },
    ]);
  });

  it('localCacheNote matches one task restored from the local cache, and no other', () => {
    const plain = output.replace(/\x1b\[[0-9;]*m/g, '');
    expect(plain).toMatch(localCacheNote('api:docker-build'));
    expect(plain).not.toMatch(localCacheNote('web:docker-build'));
    expect(plain).not.toMatch(localCacheNote('api:docker-push'));
  });

  it('CACHE_NOTE matches any of the three notes, and an output without them not', () => {
    for (const note of ['[local cache]', '[remote cache]', '[existing outputs match the cache, left as is]'])
      expect(`> nx run a:b  ${note}`).toMatch(CACHE_NOTE);
    expect('> nx run a:b\n> podman build .').not.toMatch(CACHE_NOTE);
  });
});
