/** Inference as Nx itself sees it in this workspace (the real plugin loaded by the real nx CLI). */
import { command } from './harness';

jest.setTimeout(120_000);

async function targetsOf(project: string): Promise<Record<string, { executor: string; dependsOn?: string[] }>> {
  const result = await command(['npx', 'nx', 'show', 'project', project, '--json'], { NX_DAEMON: 'false' });
  if (result.exitCode !== 0) throw new Error(`nx show project ${project} failed:\n${result.output}`);
  return JSON.parse(result.stdout).targets;
}

it('gateway-service has docker-build, docker-build-single and docker-push with no target config written', async () => {
  const targets = await targetsOf('gateway-service');
  expect(Object.keys(targets).sort()).toEqual(['docker-build', 'docker-build-single', 'docker-push']);
  expect(targets['docker-push'].dependsOn).toEqual(['docker-build']);
  expect(targets['docker-build'].executor).toBe('nx-multiarch:docker-build');
});

it('the deprecated executor-service has no docker-push', async () => {
  expect(Object.keys(await targetsOf('executor-service')).sort()).toEqual(['docker-build', 'docker-build-single']);
});

it('every service is a project with the build target, and nothing else is', async () => {
  const result = await command(['npx', 'nx', 'show', 'projects', '--with-target', 'docker-build', '--json'], { NX_DAEMON: 'false' });
  expect(JSON.parse(result.stdout).sort()).toEqual([
    'aianalysis', 'context-api', 'data-storage', 'dynamic-toolset', 'effectiveness-monitor', 'executor-service', 'gateway-service',
    'holmesgpt-api', 'notification-controller', 'remediationorchestrator', 'remediationprocessor', 'workflowexecution',
  ]);
});
