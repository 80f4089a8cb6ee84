/**
 * What a test leaves running is killed when it ends (kill-with-test.ts, processes.ts). This spec runs itself again in
 * a nested Jest, through the real e2e project of jest.config.ts, with NX_MULTIARCH_KILL_CHECK set: there one test
 * times out while `sh -c 'sleep ...'` (a process and its child) runs, the next test looks for both, and a process a
 * beforeAll started must still be running then and be gone once the nested Jest has finished. Each sleep has a
 * duration of its own, so no other process can be taken for it.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { workspaceRoot } from './harness';
import { execa, processesMatching } from './processes';

const CHECK = process.env.NX_MULTIARCH_KILL_CHECK;

if (CHECK) {
  const [ofTest, ofFile] = CHECK.split(',');
  const sleeper = (duration: string) => execa('sh', ['-c', `sleep ${duration}; exit 0`], { reject: false });

  beforeAll(() => {
    void sleeper(ofFile);
  });

  it('times out while its child runs (fails on purpose)', async () => {
    await sleeper(ofTest);
  }, 1000);

  it('nothing the timed-out test started is left', () => {
    expect(processesMatching(`sleep ${ofTest}`)).toEqual([]);
  });

  it('what beforeAll started is still running', () => {
    expect(processesMatching(`sleep ${ofFile}`)).not.toEqual([]);
  });
} else {
  // measured here (2 cores, other specs running): 10 s, the nested Jest's start included; ~10x that
  it('a test that times out leaves no process behind; a process of the file lives until the file ends', async () => {
    const unique = () => `3600.${process.pid}${Math.floor(Math.random() * 1e6)}`;
    const [ofTest, ofFile] = [unique(), unique()];
    const out = mkdtempSync(join(tmpdir(), 'nx-multiarch-kill-check-'));
    try {
      const jest = await execa(process.execPath, [join(workspaceRoot, 'node_modules', 'jest', 'bin', 'jest.js'), '--selectProjects=e2e',
        '--testPathPatterns=e2e/kill-with-test\\.spec', '--ci', '--json', `--outputFile=${join(out, 'result.json')}`], {
        cwd: workspaceRoot, env: { NX_MULTIARCH_KILL_CHECK: `${ofTest},${ofFile}` }, all: true, reject: false,
        // a process left behind keeps the nested Jest from exiting after it has written its results
        timeout: 60_000,
      });
      const report = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'));
      const tests = report.testResults.flatMap((file: { assertionResults: unknown[] }) => file.assertionResults) as Array<{
        title: string; status: string; failureMessages: string[];
      }>;
      const summary = tests.map((test) => ({ title: test.title, status: test.status, timedOut: test.failureMessages.some((m) => m.includes('Exceeded timeout')) }));
      const expected = [
        { title: 'times out while its child runs (fails on purpose)', status: 'failed', timedOut: true },
        { title: 'nothing the timed-out test started is left', status: 'passed', timedOut: false },
        { title: 'what beforeAll started is still running', status: 'passed', timedOut: false },
      ];
      // the nested run's own output (its failures) only when the results are not the expected ones
      const nestedOutput = JSON.stringify(summary) === JSON.stringify(expected) ? '' : String(jest.all).slice(-4000);
      expect({ results: summary, thenOutput: nestedOutput }).toEqual({ results: expected, thenOutput: '' });
      expect(processesMatching(`sleep ${ofFile}`)).toEqual([]);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 100_000);
}
