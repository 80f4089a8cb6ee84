/**
 * What a verifier spec's `jest.mock('../run/exec', ...)` factory returns: the real module, with run() answered by the
 * spec's registry in memory. `registry` is called per command, so a spec can start a fresh FakeRegistry in every
 * beforeEach. The jest.mock call itself stays in the spec (Jest hoists it above the spec's imports). Specs only: not
 * built into dist (tsconfig.lib.json excludes it).
 */
import type { Step } from '../run/exec';
import type { FakeRegistry } from './test-registry';

export function execAnsweredBy(registry: () => FakeRegistry): typeof import('../run/exec') {
  return {
    ...jest.requireActual<typeof import('../run/exec')>('../run/exec'),
    run: jest.fn(async (step: Step) => registry().answer(step)),
  };
}
