/**
 * What a test leaves running is killed when it is done (environment.ts, processes.ts). This spec runs itself again in
 * a nested Jest, through the real e2e project of jest.config.ts, with NX_MULTIARCH_KILL_CHECK set. There a test, and
 * a concurrent test, time out while `sh -c 'sleep ...'` (a process and its child) runs; the next test looks for both
 * processes of each, and checks that the timed-out test, going on, cannot start another; a process a beforeAll
 * started must still be running then, and be gone once the nested Jest has finished. Each sleep has a duration of its
 * own, so no other process can be taken for it.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { workspaceRoot } from './harness';
import { execa, processesMatching } from './processes';

const CHECK = process.env.NX_MULTIARCH_KILL_CHECK;
const INNER = [
  'times out while its child runs (fails on purpose)',
  'times out while its child runs, concurrently (fails on purpose)',
  'nothing the timed-out tests started is left, and they cannot start more',
  'what beforeAll started is still running',
];

if (CHECK) {
  const [ofTest, ofConcurrent, ofFile, late] = CHECK.split(',');
  const sleeper = (duration: string) => execa('sh', ['-c', `sleep ${duration}; exit 0`], { reject: false });
  let goOn = () => {};
  let wentOn: Promise<string> = Promise.resolve('');

  beforeAll(() => {
    void sleeper(ofFile);
  });

  it(
    INNER[0],
    async () => {
      // runs in the test's async context when released, as the rest of a timed-out test does
      wentOn = new Promise<void>((resolve) => (goOn = resolve))
        .then(() => {
          void sleeper(late);
          return 'started';
        })
        .catch(String);
      await sleeper(ofTest);
    },
    1000,
  );

  it.concurrent(
    INNER[1],
    async () => {
      await sleeper(ofConcurrent);
    },
    1000,
  );

  it(INNER[2], async () => {
    expect(processesMatching(`sleep ${ofTest}`)).toEqual([]);
    expect(processesMatching(`sleep ${ofConcurrent}`)).toEqual([]);
    goOn();
    expect(await wentOn).toMatch(/has ended/);
    expect(processesMatching(`sleep ${late}`)).toEqual([]);
  });

  it(INNER[3], () => {
    expect(processesMatching(`sleep ${ofFile}`)).not.toEqual([]);
  });
} else {
  // measured here (2 cores, other specs running): 10 s, the nested Jest's start included; ~10x that
  it('tests that time out leave no process behind and start no more; a process of the file lives until the file ends', async () => {
    const unique = () => `3600.${process.pid}${Math.floor(Math.random() * 1e6)}`;
    const sleeps = [unique(), unique(), unique(), unique()];
    const out = mkdtempSync(join(tmpdir(), 'nx-multiarch-kill-check-'));
    try {
      const jest = await execa(
        process.execPath,
        [
          join(workspaceRoot, 'node_modules', 'jest', 'bin', 'jest.js'),
          '--selectProjects=e2e',
          '--testPathPatterns=e2e/kill-with-test\\.spec',
          '--ci',
          '--json',
          `--outputFile=${join(out, 'result.json')}`,
        ],
        {
          cwd: workspaceRoot,
          env: { NX_MULTIARCH_KILL_CHECK: sleeps.join(',') },
          all: true,
          reject: false,
          // a process left behind keeps the nested Jest from exiting after it has written its results
          timeout: 60_000,
        },
      );
      const report = JSON.parse(readFileSync(join(out, 'result.json'), 'utf8'));
      const tests = report.testResults.flatMap((file: { assertionResults: unknown[] }) => file.assertionResults) as Array<{
        title: string;
        status: string;
        failureMessages: string[];
      }>;
      const results = tests.map((test) => ({
        title: test.title,
        status: test.status,
        timedOut: test.failureMessages.some((m) => m.includes('Exceeded timeout')),
      }));
      const expected = INNER.map((title, i) => ({ title, status: i < 2 ? 'failed' : 'passed', timedOut: i < 2 }));
      // the nested run's own output (its failures) only when the results are not the expected ones
      const thenOutput = JSON.stringify(results) === JSON.stringify(expected) ? '' : String(jest.all).slice(-4000);
      expect({ results, thenOutput }).toEqual({ results: expected, thenOutput: '' });
      expect(sleeps.flatMap((sleep) => processesMatching(`sleep ${sleep}`))).toEqual([]);
    } finally {
      rmSync(out, { recursive: true, force: true });
    }
  }, 100_000);
}
