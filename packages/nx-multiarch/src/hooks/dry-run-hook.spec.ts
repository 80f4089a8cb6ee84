import { DRY_RUN_ENV } from '../run/dry-run';
import { preTasksExecution, targetNames } from './dry-run-hook';

const context = (argv: string[]) => ({
  id: '1',
  workspaceRoot: '/ws',
  nxJsonConfiguration: {},
  argv: ['node', '/ws/node_modules/.bin/nx', ...argv],
});

describe('preTasksExecution', () => {
  const saved = { ...process.env };
  afterEach(() => {
    process.env = { ...saved };
  });
  const run = (options: unknown, argv: string[]) => {
    delete process.env[DRY_RUN_ENV];
    delete process.env.NX_SKIP_NX_CACHE;
    preTasksExecution(options, context(argv));
    return { mark: process.env[DRY_RUN_ENV], skipCache: process.env.NX_SKIP_NX_CACHE };
  };

  it("marks a --dry-run of one of the plugin's targets as a dry run of the whole command, and turns Nx's cache off for it", () => {
    expect(run(undefined, ['run', 'app:docker-push', '--dry-run'])).toEqual({ mark: 'true', skipCache: 'true' });
    expect(run({}, ['run-many', '-t', 'docker-build,docker-lint', '--dryRun'])).toEqual({ mark: 'true', skipCache: 'true' });
  });

  it("leaves real runs and other plugins' dry runs alone", () => {
    expect(run(undefined, ['run', 'app:docker-push'])).toEqual({ mark: undefined, skipCache: undefined });
    expect(run(undefined, ['run', 'app:docker-push', '--dry-run=false'])).toEqual({ mark: undefined, skipCache: undefined });
    expect(run(undefined, ['run', 'app:deploy', '--dry-run'])).toEqual({ mark: undefined, skipCache: undefined });
  });

  it('knows renamed targets, and never throws on bad options', () => {
    expect(run({ pushTargetName: 'image-push' }, ['run', 'app:image-push', '--dry-run'])).toEqual({ mark: 'true', skipCache: 'true' });
    expect(run({ pushTargetName: 'image-push' }, ['run', 'app:docker-push', '--dry-run'])).toEqual({
      mark: undefined,
      skipCache: undefined,
    });
    expect(targetNames({ buildTargetName: 42, lintTargetName: '' })).toEqual([
      'docker-build',
      'docker-build-single',
      'docker-push',
      'docker-manifest',
      'docker-lint',
    ]);
    expect(() => preTasksExecution('nonsense' as never, { workspaceRoot: '/ws' } as never)).not.toThrow();
  });
});
