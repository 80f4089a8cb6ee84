/**
 * setupFilesAfterEnv of the e2e projects (jest.config.ts): what a test started and left running (it failed, timed
 * out, or forgot a process) is killed when the test ends, with everything it started; what a beforeAll started, when
 * the file ends. Hooks registered here run before the spec's own hooks of the same level: this afterAll ends a podman
 * service or containerd a beforeAll started before the spec's afterAll stops it (which then finds it gone).
 */
import { KILL_GRACE } from '../../../tools/fixtures/workspace-kit';
import { enterTest, killLeftovers } from './processes';

// SIGTERM, up to KILL_GRACE for it to work, SIGKILL, up to KILL_GRACE for that
const KILL_HOOK_TIMEOUT = 3 * KILL_GRACE;

const report = (killed: string[]) => {
  if (killed.length > 0) console.warn(`killed ${killed.length} process(es) a test left running:\n${killed.join('\n')}`);
};

beforeEach(() => enterTest());
afterEach(async () => report(await killLeftovers('test')), KILL_HOOK_TIMEOUT);
// a file's own services are expected to be running here: only a test's leftovers are worth a warning
afterAll(async () => report(await killLeftovers('all')), KILL_HOOK_TIMEOUT);
