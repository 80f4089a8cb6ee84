import { DependencyType, type CreateDependencies, type RawProjectGraphDependency } from '../devkit';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDockerfile } from '../dockerfile/parse';
import { DEFAULTS, type PluginOptions } from '../config/schemas';
import { normalisePath } from './inputs';
import { baseImageProjects, projectImageRepositories } from './base-images';

/** The workspace paths a Dockerfile's COPY/ADD sources reach into; the whole context when a source is `.` or a variable. */
export function copiedPaths(copySources: string[], context: string): string[] {
  const ctx = normalisePath(context);
  return copySources.map((source) => (source.includes('$') ? ctx : normalisePath([ctx, source].filter(Boolean).join('/'))));
}

const overlaps = (path: string, root: string) => path === '' || path === root || path.startsWith(`${root}/`) || root.startsWith(`${path}/`);

/**
 * A service whose Dockerfile builds FROM another project's image depends on it too.
 * A service whose Dockerfile copies another project's files (workspace-root context, `COPY libs/common ./libs/common`)
 * depends on that project, so `nx affected` marks the service when the project changes, and only then.
 */
export const createDependencies: CreateDependencies<PluginOptions> = (options, context) => {
  const buildTarget = options?.buildTargetName ?? DEFAULTS.buildTargetName;
  const repositories = projectImageRepositories(context.projects);
  const roots = Object.entries(context.projects)
    .map(([name, project]) => ({ name, root: normalisePath(project.root) }))
    .filter(({ root }) => root !== '');
  const dependencies: RawProjectGraphDependency[] = [];
  for (const [source, project] of Object.entries(context.projects)) {
    const target = project.targets?.[buildTarget];
    const dockerfile = target?.options?.dockerfile as string | undefined;
    if (!target?.executor?.startsWith('nx-multiarch:') || !dockerfile || !existsSync(join(context.workspaceRoot, dockerfile))) continue;
    const parsed = parseDockerfile(readFileSync(join(context.workspaceRoot, dockerfile), 'utf8'));
    const paths = copiedPaths(parsed.copySources, (target.options?.context as string | undefined) ?? project.root);
    const copied = roots.filter(({ name, root }) => name !== source && paths.some((path) => overlaps(path, root))).map(({ name }) => name);
    // A FROM naming another project's image: that project's docker-build runs first (dependsOn ^docker-build).
    const bases = baseImageProjects(parsed, target.options?.buildArgs as Record<string, string> | undefined, repositories).filter((name) => name !== source);
    for (const name of new Set([...copied, ...bases])) dependencies.push({ source, target: name, type: DependencyType.implicit });
  }
  return dependencies;
};
