/**
 * `nx g nx-multiarch:status [--check] [--output docs/MULTI_ARCH_STATUS.md]`: a multi-arch status page written from
 * facts (project graph, Dockerfile lint, image.json, OCI layouts, push records), never by hand. The projects and their
 * targets come from the project graph (projects.ts); everything else is read from the tree.
 *
 * A generator, not a task: it reports on every project at once (a task needs a project to run on, and a workspace
 * made by `nx init` has no root project to host one), it reads other tasks' outputs without depending on those tasks
 * (a status target with dependsOn docker-push would build and push to report), and there is nothing to cache (the
 * facts include file times and push records that change outside Nx's inputs).
 *
 * --check runs after the page is written (in the generator's callback, which Nx runs after flushing the tree), so the
 * page is on disk for whoever reads the failure.
 */
import { logger, type GeneratorCallback, type Tree } from '../../devkit';
import { isAbsolute, relative } from 'node:path';
import { StatusCheckError } from '../../core/errors';
import { serviceFacts, type FactOptions } from './facts';
import { normalisePath } from '../../core/paths';
import { graphProjects, withBuildTarget } from './projects';
import { checkProblems, DEFAULT_OUTPUT, renderPage } from './render';
import type { StatusGeneratorSchema } from './schema';

function outputPath(tree: Tree, output: string | undefined): string {
  const raw = output?.trim() || DEFAULT_OUTPUT;
  const given = isAbsolute(raw) ? relative(tree.root, raw) : raw;
  const path = normalisePath(given);
  if (path === '' || given.replace(/\\/g, '/').split('/').includes('..')) {
    throw new Error(`--output must be a file inside the workspace, e.g. ${DEFAULT_OUTPUT}; got "${raw}".`);
  }
  return path;
}

export async function statusGenerator(tree: Tree, options: StatusGeneratorSchema = {}, deps: FactOptions = {}): Promise<GeneratorCallback> {
  const output = outputPath(tree, options.output);
  const projects = withBuildTarget(await graphProjects());
  const facts = projects.map((project) => serviceFacts(tree, project, deps));
  const page = renderPage(facts);
  const unchanged = tree.read(output, 'utf-8') === page;
  if (!unchanged) tree.write(output, page);
  const problems = options.check ? checkProblems(facts) : [];

  return () => {
    logger.info(unchanged ? `${output} is up to date (${facts.length} services).` : `Wrote ${output} (${facts.length} services).`);
    if (problems.length > 0) throw new StatusCheckError(problems, output);
    if (options.check) logger.info('--check: every service that is not deprecated is multi-arch ready and its last verify passed.');
  };
}

export default statusGenerator;
