/** README.md is a user's first screen: short, and every target and environment variable stays reachable from it. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ENVIRONMENT, REFERENCE_PATH } from '../packages/nx-multiarch/src/config/reference';
import { DEFAULTS, executorSchemas } from '../packages/nx-multiarch/src/config/schemas';

const root = join(__dirname, '..');
const read = (path: string) => readFileSync(join(root, path), 'utf8');
const readme = read('README.md');
const reference = read(REFERENCE_PATH);
const packageReadme = read('packages/nx-multiarch/README.md');

const targetNames = [
  DEFAULTS.buildTargetName,
  DEFAULTS.buildSingleTargetName,
  DEFAULTS.pushTargetName,
  DEFAULTS.manifestTargetName,
  DEFAULTS.lintTargetName,
];
const envNames = ENVIRONMENT.map((variable) => variable.name);

describe('README.md', () => {
  it('is at most 250 lines', () => {
    expect(readme.split('\n').length).toBeLessThanOrEqual(250);
  });

  it("starts with installing into an existing workspace, before this repository's own commands", () => {
    const install = readme.indexOf('nx add nx-multiarch');
    expect(install).toBeGreaterThan(0);
    expect(install).toBeLessThan(readme.indexOf('## This repository'));
    expect(readme).toContain('sudo tools/main-job.sh');
    expect(readme).toContain('sudo npm test');
  });

  it('links the full reference, the generators reference and CONTRIBUTING.md', () => {
    for (const link of ['(docs/reference.md)', '(docs/generators.md)', '(CONTRIBUTING.md)']) expect(readme).toContain(link);
  });

  it.each(targetNames)('names the target %s, which docs/reference.md describes', (target) => {
    expect(Object.keys(executorSchemas)).toContain(target);
    expect(readme).toContain(`\`${target}\``);
    expect(reference).toContain(`## ${target}\n`);
  });

  it.each(envNames)('names the environment variable %s (and docs/reference.md has its row)', (name) => {
    expect(readme).toContain(`\`${name}\``);
    expect(reference).toContain(`| \`${name}\` |`);
  });

  it('names the libraries it is built on', () => {
    for (const library of ['zod', 'execa', 'dockerfile-ast', 'yaml', '@nx/devkit']) expect(readme).toContain(library);
  });
});

describe('packages/nx-multiarch/README.md (published on npm)', () => {
  it('stays short and names every target, pointing to the reference in the repository', () => {
    expect(packageReadme.split('\n').length).toBeLessThanOrEqual(120);
    for (const target of targetNames) expect(packageReadme).toContain(`\`${target}\``);
    expect(packageReadme).toContain('docs/reference.md');
    expect(packageReadme).not.toMatch(/\]\((?!https?:)[^)]*\)/); // no relative links: npm cannot follow them
  });
});
