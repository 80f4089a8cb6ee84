import type { ProjectConfiguration } from '../devkit';
import { repositoryOf } from '../image/reference';
import { baseImages, type ParsedDockerfile } from '../dockerfile/parse';
import { DEFAULTS } from '../config/defaults';
import { isPluginExecutor } from '../core/conventions';
import { fillProjectTokens } from '../core/paths';

/**
 * Which workspace project builds each image repository: its imageName pattern, as its docker-build-single target
 * carries it (every project with a Dockerfile has that target, deprecated ones too).
 */
export function projectImageRepositories(projects: Record<string, ProjectConfiguration>): Map<string, string> {
  const repositories = new Map<string, string>();
  for (const [name, project] of Object.entries(projects)) {
    const target = Object.values(project.targets ?? {}).find((t) => isPluginExecutor(t.executor, 'docker-build-single'));
    if (!target) continue;
    const options = (target.options ?? {}) as { imageName?: string };
    const pattern = options.imageName ?? DEFAULTS.imageName;
    // The repository a project's images go to: its imageName pattern filled in.
    repositories.set(fillProjectTokens(pattern, name, project.root), name);
  }
  return repositories;
}

/** The workspace projects whose images this Dockerfile builds FROM (after build-arg substitution). */
export function baseImageProjects(
  parsed: ParsedDockerfile,
  buildArgs: Record<string, string> | undefined,
  repositories: Map<string, string>,
): string[] {
  return [
    ...new Set(
      baseImages(parsed, buildArgs)
        .map((image) => repositories.get(repositoryOf(image)))
        .filter((p): p is string => !!p),
    ),
  ];
}
