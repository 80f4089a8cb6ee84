import { DependencyType, logger, type CreateDependencies, type RawProjectGraphDependency, type TargetConfiguration } from '../devkit';
import { parseDockerfile } from '../dockerfile/parse';
import { DEFAULTS } from '../config/defaults';
import type { PluginOptions } from '../config/schemas';
import { isPluginExecutor } from '../core/conventions';
import { normalisePath } from '../core/paths';
import { certainExclusions, excludedBy, readIgnorePatterns } from './dockerignore';
import { baseImageProjects, projectImageRepositories } from './base-images';
import { diskFiles } from './workspace-files';

/** The workspace paths a Dockerfile's COPY/ADD sources reach into; the whole context when a source is `.` or a variable. */
export function copiedPaths(copySources: string[], context: string): string[] {
  const ctx = normalisePath(context);
  return copySources.map((source) => (source.includes('$') ? ctx : normalisePath([ctx, source].filter(Boolean).join('/'))));
}

const overlaps = (path: string, root: string) => path === '' || path === root || path.startsWith(`${root}/`) || root.startsWith(`${path}/`);

/** A project folder inside the context that the ignore file keeps out of it entirely (e.g. docker/ holding a base image project). */
function ignoredRoot(root: string, context: string, exclusions: string[]): boolean {
  const relative = context === '' ? root : root.startsWith(`${context}/`) ? root.slice(context.length + 1) : undefined;
  return relative !== undefined && excludedBy(exclusions, relative);
}

/** Whether the build target's dependsOn runs `base`'s build first (object form, `project:target` string or `^target`). */
function waitsFor(target: TargetConfiguration, base: string, buildTarget: string): boolean {
  return (target.dependsOn ?? []).some((entry) =>
    typeof entry === 'string'
      ? entry === `^${buildTarget}` || entry === `${base}:${buildTarget}`
      : entry.target === buildTarget && (entry.dependencies === true || [entry.projects ?? []].flat().includes(base)),
  );
}

const warned = new Set<string>();

/**
 * Two kinds of edge, for `nx affected` and the graph:
 * - a Dockerfile that copies a library's files (workspace-root context, `COPY libs/common ./libs/common`, or
 *   `COPY . .`) depends on that library, unless its .dockerignore keeps the whole folder out of the context;
 * - a Dockerfile that builds FROM another project's image depends on that project.
 * Neither orders builds: createNodes gives docker-build an explicit dependsOn on its base images' builds only.
 */
export const createDependencies: CreateDependencies<PluginOptions> = (options, context) => {
  const buildTarget = options?.buildTargetName ?? DEFAULTS.buildTargetName;
  const repositories = projectImageRepositories(context.projects);
  // Only projects without an image of their own: an image project is also touched by files outside its folder (its
  // Dockerfile in docker/, say), and an edge would carry every such change to each Dockerfile that copies the folder.
  // The copier's own inputs name the files it copies, which is what marks it affected when they change.
  const roots = Object.entries(context.projects)
    .filter(([, project]) => !Object.values(project.targets ?? {}).some((t) => isPluginExecutor(t.executor, 'docker-build')))
    .map(([name, project]) => ({ name, root: normalisePath(project.root) }))
    .filter(({ root }) => root !== '');
  const files = diskFiles(context.workspaceRoot);
  const dependencies: RawProjectGraphDependency[] = [];
  for (const [source, project] of Object.entries(context.projects)) {
    const target = project.targets?.[buildTarget];
    const dockerfile = target?.options?.dockerfile as string | undefined;
    const text = target && isPluginExecutor(target.executor) && dockerfile ? files.read(normalisePath(dockerfile)) : undefined;
    if (!target || !dockerfile || text === undefined) continue;
    // Parsed once per content: a Dockerfile inference took from its cache is not parsed again here.
    const parsed = parseDockerfile(text);
    const buildContext = normalisePath((target.options?.context as string | undefined) ?? project.root);
    const exclusions = certainExclusions(readIgnorePatterns(files, normalisePath(dockerfile), buildContext));
    const paths = copiedPaths(parsed.copySources, buildContext);
    const copied = roots
      .filter(
        ({ name, root }) => name !== source && paths.some((path) => overlaps(path, root)) && !ignoredRoot(root, buildContext, exclusions),
      )
      .map(({ name }) => name);
    const bases = baseImageProjects(parsed, target.options?.buildArgs as Record<string, string> | undefined, repositories).filter(
      (name) => name !== source,
    );
    for (const base of bases.filter((name) => !waitsFor(target, name, buildTarget))) warnUnordered(source, base, buildTarget);
    for (const name of new Set([...copied, ...bases])) dependencies.push({ source, target: name, type: DependencyType.implicit });
  }
  return dependencies;
};

/** createNodes orders a build after the base images of its own plugin registration; a base from another one needs dependsOn by hand. */
function warnUnordered(source: string, base: string, buildTarget: string): void {
  const key = `${source}->${base}`;
  if (warned.has(key)) return;
  warned.add(key);
  logger.warn(
    `nx-multiarch: ${source} builds FROM the image of ${base}, but ${source}:${buildTarget} does not wait for ${base}:${buildTarget} ` +
      `(${base} is inferred by another nx-multiarch entry in nx.json, or project.json replaced dependsOn). Add to ${source}'s project.json: ` +
      `"targets": { "${buildTarget}": { "dependsOn": [{ "projects": ["${base}"], "target": "${buildTarget}" }] } }`,
  );
}
