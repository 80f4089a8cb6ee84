import { InvalidReferenceError } from '../core/errors';
import { fillProjectTokens } from '../core/paths';
import type { ProjectInfo } from '../core/project';
import { validateRegistry, validateRepository, validateTag, type ImageReference } from '../image/reference';
import { archKey } from '../image/platform';

/** `{projectName}` / `{projectRoot}` in the imageName pattern, then the registry in front. */
export function imageReference(
  project: ProjectInfo,
  options: { registry?: string; imageName?: string },
  requireRegistry: boolean,
): ImageReference {
  const repository = validateRepository(fillProjectTokens(options.imageName ?? '{projectName}', project.name, project.root));
  const registry = options.registry ?? '';
  if (!registry && requireRegistry) {
    throw new InvalidReferenceError(
      `No registry for ${project.name}: set "registry" in the nx-multiarch plugin options in nx.json (e.g. "quay.io/my-team" is a registry plus path: use registry "quay.io" and imageName "my-team/{projectName}"), or IMG=registry/name:tag.`,
    );
  }
  if (registry) validateRegistry(registry);
  return { registry, repository };
}

export function allTags(main: string, extra: string[] = [], latest = false): string[] {
  return [...new Set([main, ...extra.map(validateTag), ...(latest ? ['latest'] : [])])];
}

/** `<tag><suffix>` with {arch} filled in, e.g. 1.2.0-arm64: the tag a per-arch runner pushes and docker-manifest reads. */
export function archTag(tag: string, suffix: string, platform: string): string {
  return validateTag(`${tag}${suffix.replaceAll('{arch}', archKey(platform))}`);
}
