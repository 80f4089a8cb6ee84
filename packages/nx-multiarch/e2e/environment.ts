/**
 * The test environment of every Jest project (jest.config.ts): Node's, plus the end of every process a test left
 * running (it failed, timed out, or forgot one), with every process it started, once the test is done (after its
 * afterEach hooks), and of a file's own processes (what a beforeAll started) once the file's afterAll hooks have run.
 * processes.ts starts and tracks them; this only tells it when a test or the file is done. Test events rather than
 * afterEach/afterAll hooks of a setup file: Jest runs no afterEach for concurrent tests (bad-input.spec's rows), and a
 * setup file's hooks would run before the spec's own, killing a service before its afterAll stops it.
 * Then, the file's processes gone, it removes the temporary folders the file made with tempDir() (and isolatedStorage())
 * of tools/fixtures/workspace-kit.ts, passed or failed; NX_MULTIARCH_KEEP_TMP=1 keeps them and prints where they are.
 */
import type { Circus } from '@jest/types';
import { TestEnvironment } from 'jest-environment-node';
import type { ProcessControl } from './processes';
import type { TempDirs } from '../../../tools/fixtures/workspace-kit';

const PROCESS_CONTROL = Symbol.for('nx-multiarch.e2e.processes');
const TEMP_DIRS = Symbol.for('nx-multiarch.temp-dirs');

/** Jest's name of a test (jest-circus getTestID): its describe blocks' names and its own, the root block left out. */
function testName(test: Circus.TestEntry): string {
  const names: string[] = [];
  for (let block: Circus.TestEntry | Circus.DescribeBlock | undefined = test; block; block = block.parent) names.unshift(block.name);
  return names.slice(1).join(' ');
}

export default class E2eEnvironment extends TestEnvironment {
  async handleTestEvent(event: Circus.Event): Promise<void> {
    // set once the spec has loaded processes.ts (through harness.ts or itself)
    const control = (this.global as unknown as Record<symbol, ProcessControl | undefined>)[PROCESS_CONTROL];
    if (control && event.name === 'test_start') control.testStarted(testName(event.test));
    if (control && event.name === 'test_done') {
      const killed = await control.testDone(testName(event.test));
      if (killed.length > 0) process.stderr.write(`\nkilled what "${testName(event.test)}" left running:\n  ${killed.join('\n  ')}\n`);
    }
    if (event.name === 'run_finish') {
      await control?.fileDone();
      // set once the spec has made a temporary folder through workspace-kit.ts
      const temp = (this.global as unknown as Record<symbol, TempDirs | undefined>)[TEMP_DIRS];
      const notes = temp?.removeAll() ?? [];
      if (notes.length > 0) process.stderr.write(`\ntemporary folders:\n  ${notes.join('\n  ')}\n`);
    }
  }
}
