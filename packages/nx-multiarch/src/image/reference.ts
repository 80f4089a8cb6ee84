import { InvalidReferenceError } from '../core/errors';

/** Image references, checked the way registries check them (distribution's reference grammar, simplified). */
const COMPONENT = /^[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*$/;
const DOMAIN = /^(?:localhost|[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?(?:\.[a-zA-Z0-9](?:[a-zA-Z0-9-]*[a-zA-Z0-9])?)*)(?::[0-9]+)?$/;
const TAG = /^[\w][\w.-]{0,127}$/;

export interface ImageReference {
  /** registry host[:port], e.g. 127.0.0.1:5000 or quay.io; empty when the name has none */
  registry: string;
  /** repository path without the registry, e.g. team/gateway-service */
  repository: string;
  tag?: string;
}

export function validateTag(tag: string): string {
  if (!TAG.test(tag)) {
    throw new InvalidReferenceError(
      `Invalid tag "${tag}": a tag is 1-128 characters of letters, digits, "_", "." and "-", not starting with "." or "-".`,
    );
  }
  return tag;
}

export function validateRegistry(registry: string): string {
  if (!DOMAIN.test(registry)) {
    throw new InvalidReferenceError(
      `Invalid registry "${registry}": expected a host name with an optional port, e.g. quay.io or 127.0.0.1:5000.`,
    );
  }
  return registry;
}

export function validateRepository(repository: string): string {
  const bad = repository.split('/').find((component) => !COMPONENT.test(component));
  if (bad !== undefined) {
    const hint = bad !== bad.toLowerCase() ? ' Image names must be lowercase.' : '';
    throw new InvalidReferenceError(
      `Invalid image name "${repository}": "${bad}" must be lowercase letters and digits separated by ".", "_", "__" or "-".${hint}`,
    );
  }
  return repository;
}

/** Parses `[registry/]repository[:tag]`, the form of the IMG variable. Digests are not accepted: push decides content. */
export function parseReference(value: string): ImageReference {
  if (value.includes('@'))
    throw new InvalidReferenceError(`Invalid image reference "${value}": a digest (@sha256:...) can't be pushed to; give name[:tag].`);
  const registry = registryOf(value);
  const rest = registry ? value.slice(registry.length + 1) : value;
  const colon = rest.lastIndexOf(':');
  const repository = colon === -1 ? rest : rest.slice(0, colon);
  const tag = colon === -1 ? undefined : rest.slice(colon + 1);
  if (registry) validateRegistry(registry);
  if (!repository) throw new InvalidReferenceError(`Invalid image reference "${value}": the image name is empty.`);
  validateRepository(repository);
  if (tag !== undefined) validateTag(tag);
  return { registry, repository, tag };
}

export function formatReference(ref: ImageReference, tag = ref.tag): string {
  const name = ref.registry ? `${ref.registry}/${ref.repository}` : ref.repository;
  return tag ? `${name}:${tag}` : name;
}

/** Registries on loopback are served over plain HTTP in development, so TLS verification is off for them by default. */
export function isLoopbackRegistry(registry: string): boolean {
  const host = registry.replace(/:\d+$/, '');
  return host === 'localhost' || host === '127.0.0.1' || host === '[::1]';
}

/** The repository path of any image reference (registry, tag and digest dropped), for matching FROM lines to projects. */
export function repositoryOf(reference: string): string {
  const withoutDigest = reference.split('@')[0];
  const registry = registryOf(withoutDigest);
  const rest = registry ? withoutDigest.slice(registry.length + 1) : withoutDigest;
  const colon = rest.lastIndexOf(':');
  return colon === -1 ? rest : rest.slice(0, colon);
}

/** The registry host[:port] an image reference names, or '' for a Docker Hub short name (busybox, library/debian). */
export function registryOf(reference: string): string {
  const slash = reference.indexOf('/');
  const first = slash === -1 ? '' : reference.slice(0, slash);
  return first.includes('.') || first.includes(':') || first === 'localhost' ? first : '';
}
