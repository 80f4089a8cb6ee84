import { lintDockerfile } from './lint';
import { dependsOnTask } from '../plugin/build-output-facts';

const DOCKERFILE = 'FROM scratch\nCOPY dist/apps/api /app\nCOPY --from=builder dist/x /x\nADD generated /gen\nCOPY src /src\n';

function lint(facts: Record<string, { producers: string[]; dependedOn: boolean }>) {
  return lintDockerfile({
    text: DOCKERFILE,
    path: 'apps/api/Dockerfile',
    buildTarget: 'docker-build',
    copiedBuildOutput: (source) => (facts[source] ? { path: source, ...facts[source] } : undefined),
  }).filter((finding) => finding.rule.endsWith('build-output'));
}

describe('build output copies', () => {
  it('warns, with the line and the outputs to declare, when no target declares a copied ignored path', () => {
    const findings = lint({
      generated: { producers: [], dependedOn: false },
      'dist/apps/api': { producers: ['api:build'], dependedOn: true },
    });
    expect(findings).toEqual([
      expect.objectContaining({ rule: 'uncovered-build-output', level: 'warning', line: 4, path: 'apps/api/Dockerfile' }),
    ]);
    expect(findings[0].message).toContain('ADD generated: git ignores generated and no target declares it as an output');
    expect(findings[0].fix).toContain('"outputs": ["{workspaceRoot}/generated"]');
  });

  it('warns, naming the producer and the dependsOn to add, when docker-build does not depend on it', () => {
    const findings = lint({ 'dist/apps/api': { producers: ['api:compile'], dependedOn: false } });
    expect(findings).toEqual([expect.objectContaining({ rule: 'undepended-build-output', line: 2 })]);
    expect(findings[0].message).toContain('api:compile declares dist/apps/api as an output, but docker-build does not depend on it');
    expect(findings[0].fix).toContain('"dependsOn": [{ "projects": ["api"], "target": "compile" }] to docker-build');
  });

  it('says nothing about COPY --from, tracked sources, or an output docker-build depends on', () => {
    expect(lint({ 'dist/apps/api': { producers: ['api:build'], dependedOn: true } })).toEqual([]);
  });
});

describe('dependsOnTask', () => {
  it.each([
    [['build'], 'api:build', true],
    [['build'], 'ui:build', false],
    [['^build'], 'ui:build', true],
    [['^build'], 'api:build', false],
    [[{ projects: ['ui'], target: 'build' }], 'ui:build', true],
    [[{ projects: 'ui', target: 'build' }], 'ui:build', true],
    [[{ projects: ['ui'], target: 'build' }], 'ui:bundle', false],
    [[{ target: 'build', dependencies: true }], 'ui:build', true],
    [[{ target: 'build' }], 'api:build', true],
  ] as const)('%j reaches %s from api: %s', (dependsOn, task, expected) => {
    expect(dependsOnTask(dependsOn as never, 'api', task)).toBe(expected);
  });
});
