/**
 * podman.resolveBases with the engine calls answered in memory: which tool reads each base's list, and when the pulls
 * can wait for a restart (every pinned name in the store already).
 */
import { ToolMissingError } from '../core/errors';
import type { RunResult, Step } from '../run/exec';
import { podman } from './podman';
import type { MultiArchRequest } from './types';

const BUSYBOX = '127.0.0.1:5000/fixtures/busybox:latest';
const list = JSON.stringify({
  schemaVersion: 2,
  manifests: [
    { digest: `sha256:${'a'.repeat(64)}`, platform: { os: 'linux', architecture: 'amd64' } },
    { digest: `sha256:${'b'.repeat(64)}`, platform: { os: 'linux', architecture: 'arm64' } },
  ],
});

let answer: (argv: string[]) => RunResult | Promise<RunResult>;
const calls: string[][] = [];
jest.mock('../run/exec', () => ({
  ...jest.requireActual('../run/exec'),
  run: jest.fn(async (step: Step) => {
    calls.push(step.argv);
    return answer(step.argv);
  }),
}));

const ok = (stdout = ''): RunResult => ({ exitCode: 0, stdout, all: stdout });
const failed: RunResult = { exitCode: 1, stdout: '', all: 'Error: manifest unknown' };

const request: MultiArchRequest = {
  dockerfile: '/tmp/copy/Dockerfile.podman',
  context: '/ws/services/api',
  buildArgs: {},
  labels: {},
  extraArgs: [],
  buildPlatform: 'linux/amd64',
  platforms: ['linux/amd64', 'linux/arm64'],
  layoutDir: '/ws/dist/api/oci',
  workName: 'localhost/work/api:1',
  jobs: 2,
  baseSlots: [{ arg: 'NX_MULTIARCH_BASE_0', image: BUSYBOX, perTarget: true, platforms: ['linux/amd64', 'linux/arm64'] }],
};

beforeEach(() => {
  calls.length = 0;
});

describe('podman.resolveBases', () => {
  it('reads the list with skopeo (no podman store set up), then looks for both local names in one podman call', async () => {
    answer = (argv) => (argv[0] === 'skopeo' ? ok(list) : ok('id\nid\n'));
    const resolved = await podman.resolveBases!(request, '/ws');
    expect(calls.map((argv) => argv.slice(0, 3))).toEqual([
      ['skopeo', 'inspect', '--raw'],
      ['podman', 'image', 'inspect'],
    ]);
    expect(calls[0].at(-1)).toBe(`docker://${BUSYBOX}`);
    expect(calls[1].slice(-2)).toEqual(resolved.basePins![0].pulls.map((pull) => pull.name));
    expect(resolved.basePinsPresent).toBe(true);
  });

  it('names the store was seen holding (KnownBaseNames): no podman call looks for them; names found are remembered', async () => {
    answer = (argv) => (argv[0] === 'skopeo' ? ok(list) : ok('id\nid\n'));
    const remembered: string[][] = [];
    const known = (has: boolean) => ({ has: () => has, remember: (names: string[]) => remembered.push(names) });
    const skipped = await podman.resolveBases!(request, '/ws', known(true));
    expect(calls.map((argv) => argv[0])).toEqual(['skopeo']);
    expect(skipped.basePinsPresent).toBe(true);

    calls.length = 0;
    const asked = await podman.resolveBases!(request, '/ws', known(false));
    expect(calls.map((argv) => argv.slice(0, 3))).toEqual([
      ['skopeo', 'inspect', '--raw'],
      ['podman', 'image', 'inspect'],
    ]);
    expect(remembered).toEqual([asked.basePins![0].pulls.map((pull) => pull.name)]);
  });

  it('a name missing from the store: the pulls run on the first attempt, and nothing is remembered', async () => {
    answer = (argv) => (argv[0] === 'skopeo' ? ok(list) : failed);
    const remember = jest.fn();
    expect((await podman.resolveBases!(request, '/ws', { has: () => false, remember })).basePinsPresent).toBe(false);
    expect(remember).not.toHaveBeenCalled();
  });

  it('a name missing from the store, no KnownBaseNames given: the pulls run on the first attempt', async () => {
    answer = (argv) => (argv[0] === 'skopeo' ? ok(list) : failed);
    expect((await podman.resolveBases!(request, '/ws')).basePinsPresent).toBe(false);
  });

  it("reads the list with podman when skopeo can't (a list only in the local store) or is not installed", async () => {
    const notInstalled = () => Promise.reject(new ToolMissingError('skopeo', 'apt-get install skopeo'));
    for (const skopeo of [() => failed, notInstalled]) {
      calls.length = 0;
      answer = (argv) => (argv[0] === 'skopeo' ? skopeo() : argv[1] === 'manifest' ? ok(list) : ok());
      const resolved = await podman.resolveBases!(request, '/ws');
      expect(calls.map((argv) => argv.slice(0, 3))).toEqual([
        ['skopeo', 'inspect', '--raw'],
        ['podman', 'manifest', 'inspect'],
        ['podman', 'image', 'inspect'],
      ]);
      expect(resolved.basePins![0].pulls.map((pull) => pull.source)).toEqual([
        `127.0.0.1:5000/fixtures/busybox@sha256:${'a'.repeat(64)}`,
        `127.0.0.1:5000/fixtures/busybox@sha256:${'b'.repeat(64)}`,
      ]);
    }
  });
});
