import { logger } from '../devkit';
import { commandIsDryRun, DRY_RUN_ENV, dryRunDependents, dryRunFlag, isDryRun, namesTarget } from './dry-run';

describe('dryRunFlag', () => {
  it.each([
    [['run', 'a:docker-push', '--dry-run'], true],
    [['run', 'a:docker-push', '--dryRun'], true],
    [['run', 'a:docker-push', '--dry-run=true'], true],
    [['run', 'a:docker-push', '--dry-run', 'false'], false],
    [['run', 'a:docker-push', '--dry-run=false'], false],
    [['run', 'a:docker-push', '--dry-run', '--no-dry-run'], false],
    [['run', 'a:docker-push', '--dry-run-later'], undefined],
    [['run', 'a:docker-push'], undefined],
  ])('%j -> %s', (args, expected) => {
    expect(dryRunFlag(args)).toBe(expected);
  });
});

describe('namesTarget', () => {
  const ours = ['docker-build', 'docker-push'];
  it.each([
    [['run', 'svc:docker-push:arm64'], true],
    [['run-many', '-t', 'lint,docker-build'], true],
    [['affected', '--targets=test,docker-push'], true],
    [['docker-push', 'svc'], true],
    [['run', 'app:deploy', '--dry-run'], false],
    [['run', 'docker-pushy:build'], false],
  ])('%j -> %s', (args, expected) => {
    expect(namesTarget(args, ours)).toBe(expected);
  });
});

describe('commandIsDryRun', () => {
  it("needs the plugin's mark and Nx's cache turned off: a hand-set mark alone would let Nx cache a dry result as a real one", () => {
    expect(commandIsDryRun({ [DRY_RUN_ENV]: 'true', NX_SKIP_NX_CACHE: 'true' })).toBe(true);
    expect(commandIsDryRun({ [DRY_RUN_ENV]: 'true' })).toBe(false);
    expect(commandIsDryRun({ NX_SKIP_NX_CACHE: 'true' })).toBe(false);
  });
});

/** push -> build -> base build, as Nx 20-23 (string edges) and Nx 24 (edge objects) write the graph. */
function graph(edges: 'strings' | 'objects', pushOverrides: Record<string, unknown>) {
  const edge = (id: string) => (edges === 'strings' ? id : { id });
  return {
    roots: ['base:docker-build'],
    tasks: {
      'app:docker-push': { id: 'app:docker-push', overrides: pushOverrides },
      'app:docker-build': { id: 'app:docker-build', overrides: {} },
      'base:docker-build': { id: 'base:docker-build', overrides: {} },
      'other:docker-lint': { id: 'other:docker-lint', overrides: { dryRun: true } },
    },
    dependencies: {
      'app:docker-push': [edge('app:docker-build')],
      'app:docker-build': [edge('base:docker-build')],
      'base:docker-build': [],
      'other:docker-lint': [],
    },
    continuousDependencies: {},
  } as never;
}
const base = (taskGraph: unknown) =>
  ({ projectName: 'base', targetName: 'docker-build', configurationName: undefined, taskGraph }) as never;

describe('dryRunDependents', () => {
  it.each(['strings', 'objects'] as const)(
    'finds a dry run that depends on the task through another task (%s edges), and no unrelated one',
    (edges) => {
      expect(dryRunDependents(base(graph(edges, { 'dry-run': true })))).toEqual(['app:docker-push']);
      expect(dryRunDependents(base(graph(edges, {})))).toEqual([]);
    },
  );

  it('names the task with its configuration, as Nx does', () => {
    const taskGraph = {
      tasks: { 'a:docker-push:arm64': { overrides: { dryRun: true } } },
      dependencies: { 'a:docker-push:arm64': ['a:docker-build:arm64'] },
    };
    expect(dryRunDependents({ projectName: 'a', targetName: 'docker-build', configurationName: 'arm64', taskGraph } as never)).toEqual([
      'a:docker-push:arm64',
    ]);
  });
});

describe('isDryRun', () => {
  const marked = { [DRY_RUN_ENV]: 'true', NX_SKIP_NX_CACHE: 'true' };
  it("is the task's own --dry-run, or a dry run of the whole command", () => {
    expect(isDryRun(true, base(graph('objects', {})), true, {})).toBe(true);
    expect(isDryRun(undefined, base(graph('objects', { dryRun: true })), true, marked)).toBe(true);
    expect(isDryRun(undefined, base(graph('objects', {})), true, {})).toBe(false);
  });

  it('refuses to run a task a dry run depends on when the command was not marked (it would run and be cached for real)', () => {
    expect(() => isDryRun(undefined, base(graph('objects', { dryRun: true })), true, {})).toThrow(
      /app:docker-push is a dry run that depends on base:docker-build.*nothing was run.*nx run app:docker-push --dry-run --exclude-task-dependencies/s,
    );
  });

  it('runs it instead, saying so, when Nx caches failures and the target is cached: a cached refusal would be replayed to real runs', () => {
    const warn = jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
    expect(isDryRun(undefined, base(graph('objects', { dryRun: true })), true, { NX_CACHE_FAILURES: 'true' })).toBe(false);
    expect(warn).toHaveBeenCalledWith(expect.stringMatching(/base:docker-build would run and be cached for real\. It runs for real/));
    warn.mockRestore();
    expect(() => isDryRun(undefined, base(graph('objects', { dryRun: true })), false, { NX_CACHE_FAILURES: 'true' })).toThrow(
      /is a dry run/,
    );
  });
});
