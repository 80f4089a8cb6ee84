import { createHash } from 'node:crypto';
import { DockerfileParser } from 'dockerfile-ast';
import { parseDockerfile, substituteArgs } from '../dockerfile/parse';
import { findPlatformLeaks } from '../dockerfile/platform-leak';
import { archKey, formatPlatform, parsePlatform, samePlatform } from '../image/platform';
import { readLayout } from '../image/oci-layout';
import { registryOf, repositoryOf } from '../image/reference';
import { BuildInputError } from '../core/errors';

/*
 * Why podman's parallel platform builds (--jobs > 1) pull nothing themselves. A FROM naming a tag makes each platform's
 * build pull that tag for its platform, and a tag names one image in the store: the platforms move it between their
 * images, and a build that looks the tag up again after another platform moved it fails ("locating pulled image ...:
 * image not known"). So the plugin pulls every platform's base first, one at a time and by digest, gives each a local
 * name made of its content and platform (one image per name, never moved), and the Dockerfile copy's FROM names that
 * through a build arg: `${NX_MULTIARCH_BASE_0}-${TARGETARCH}${TARGETVARIANT}` for a stage built per target platform,
 * `${NX_MULTIARCH_BASE_0}` for one on a fixed platform ($BUILDPLATFORM or a literal one). The images are the ones the
 * tag resolves to; the name a FROM used only shows in the base annotations and parent comments, which the plugin drops
 * from the layout anyway (image/store-traces.ts), so digests do not change.
 */

export const BASE_ARG_PREFIX = 'NX_MULTIARCH_BASE_';
const PINNED_REPOSITORY = 'localhost/nx-multiarch-base';

/** A FROM of the Dockerfile copy that names its base through a build arg. */
export interface BaseSlot {
  arg: string;
  /** the base as the FROM named it, build args substituted: a registry reference or oci:<layout>:<tag> */
  image: string;
  /** true: the FROM adds -${TARGETARCH}${TARGETVARIANT}; false: one platform's image serves every target */
  perTarget: boolean;
  /** the platforms whose image of the base the build uses */
  platforms: string[];
}

/** A base pulled before the build: the build arg's value, and how each platform's image gets there. */
export interface PinnedBase {
  arg: string;
  value: string;
  pulls: BasePull[];
}

export interface BasePull {
  platform: string;
  /** what podman pulls: name@digest of the platform's image, or the oci: layout (its index picks the platform) */
  source: string;
  /** what `podman tag` names: the digest reference, or the image ID (its config digest) for a layout */
  image: string;
  /** the local name the FROM resolves to */
  name: string;
}

const TARGET_ARGS = /\$\{?TARGET(PLATFORM|OS|ARCH|VARIANT)\b/;

/** The platform a FROM's --platform flag fixes, 'target' when it follows the target platform, undefined when unknown. */
function platformOfFlag(flag: string | undefined, buildPlatform: string): string | undefined {
  if (!flag || /^\$\{?TARGETPLATFORM\}?$/.test(flag)) return 'target';
  if (/^\$\{?BUILDPLATFORM\}?$/.test(flag)) return buildPlatform;
  if (flag.includes('$')) return undefined;
  try {
    return formatPlatform(parsePlatform(flag));
  } catch {
    return undefined;
  }
}

/**
 * The FROMs whose base can be pulled before the build, in Dockerfile order with their FROM index. Left out: stage
 * names, scratch, an image or platform named through TARGET* args or another expression, a FROM over several lines,
 * a placeholder (a dry run's `<index digest>` of a workspace base not built yet),
 * and every FROM of a Dockerfile with a platform leak (podman gives those stages the build platform's base: pulling
 * per target would change what they get).
 */
export function findBaseSlots(
  text: string,
  buildArgs: Record<string, string>,
  platforms: string[],
  buildPlatform: string,
): Array<BaseSlot & { index: number }> {
  if (findPlatformLeaks(text).length > 0) return [];
  const { globalArgs } = parseDockerfile(text);
  const stages = new Set<string>();
  const slots: Array<BaseSlot & { index: number }> = [];
  DockerfileParser.parse(text)
    .getFROMs()
    .forEach((from, index) => {
      const written = from.getImage();
      const range = from.getImageRange();
      const stage = from.getBuildStage()?.toLowerCase();
      const image = written ? substituteArgs(written, globalArgs, buildArgs) : '';
      const platform = platformOfFlag(from.getPlatformFlag()?.getValue() ?? undefined, buildArgs.BUILDPLATFORM ?? buildPlatform);
      const usable =
        written && range && range.start.line === range.end.line && !TARGET_ARGS.test(written) && image && !/[$\s<>]/.test(image);
      if (usable && platform && image !== 'scratch' && !stages.has(image.toLowerCase())) {
        const perTarget = platform === 'target';
        slots.push({ arg: `${BASE_ARG_PREFIX}${index}`, image, perTarget, platforms: perTarget ? platforms : [platform], index });
      }
      if (stage) stages.add(stage);
    });
  return slots;
}

/** The Dockerfile text with each slot's FROM naming its build arg, and the args declared before the first FROM. */
export function withBaseSlots(text: string, slots: Array<BaseSlot & { index: number }>): string {
  if (slots.length === 0) return text;
  const lines = text.split('\n');
  const froms = DockerfileParser.parse(text).getFROMs();
  for (const slot of [...slots].reverse()) {
    const range = froms[slot.index].getImageRange()!;
    const line = lines[range.start.line];
    const name = slot.perTarget ? `\${${slot.arg}}-\${TARGETARCH}\${TARGETVARIANT}` : `\${${slot.arg}}`;
    lines[range.start.line] = `${line.slice(0, range.start.character)}${name}${line.slice(range.end.character)}`;
  }
  // A FROM expands only ARGs declared before the first FROM; the build's values win over these declarations, and
  // TARGETVARIANT's empty default spares podman's "missing build argument" warning for a platform without a variant.
  const perTarget = slots.some((s) => s.perTarget) ? ['ARG TARGETARCH', 'ARG TARGETVARIANT='] : [];
  const declared = [...slots.map((slot) => `ARG ${slot.arg}`), ...perTarget];
  lines.splice(froms[0].getRange().start.line, 0, ...declared);
  return lines.join('\n');
}

const shortHash = (value: string) => createHash('sha256').update(value).digest('hex').slice(0, 16);

/** name@ part of a reference, for pulling one of its images by digest. */
function nameOf(reference: string): string {
  const withoutDigest = reference.split('@')[0];
  const registry = registryOf(withoutDigest);
  return registry ? `${registry}/${repositoryOf(withoutDigest)}` : repositoryOf(withoutDigest);
}

function localName(image: string, key: string): string {
  const last = (image.startsWith('oci:') ? 'workspace-base' : repositoryOf(image).split('/').pop()!).replace(/[^a-z0-9._-]/g, '-');
  return `${PINNED_REPOSITORY}/${last}:${key}`;
}

function pin(slot: BaseSlot, key: string, pullOf: (platform: string) => Omit<BasePull, 'name' | 'platform'>): PinnedBase {
  const prefix = localName(slot.image, key);
  const pulls = slot.platforms.map((platform) => ({ platform, ...pullOf(platform), name: `${prefix}-${archKey(platform)}` }));
  return { arg: slot.arg, value: slot.perTarget ? prefix : pulls[0].name, pulls };
}

/** What a dry run shows for a slot: the same steps, with what a real run reads from the registry or layout in <...>. */
export function placeholderPin(slot: BaseSlot): PinnedBase {
  const layout = slot.image.startsWith('oci:');
  return pin(slot, '<content key>', (platform) => ({
    source: layout ? slot.image : `${nameOf(slot.image)}@<digest of its ${platform} image>`,
    image: layout ? `<image ID of its ${platform} image>` : `${nameOf(slot.image)}@<digest of its ${platform} image>`,
  }));
}

interface ManifestList {
  manifests?: Array<{ digest: string; platform?: { os: string; architecture: string; variant?: string } }>;
}

function instanceFor<T extends { platform: string }>(images: T[], platform: string, image: string): T {
  const wanted = parsePlatform(platform);
  const found = images.find((candidate) => samePlatform(parsePlatform(candidate.platform), wanted));
  if (!found) {
    const has = images.map((i) => i.platform).join(', ') || 'none';
    throw new BuildInputError(
      `Base image ${image} has no ${platform} image (it has ${has}): build only the platforms it has, or use a base that has them.`,
    );
  }
  return found;
}

/** A workspace base's layout (oci:<path>:<tag>): its index picks each platform's image; the image ID is the config digest. */
async function pinLayout(slot: BaseSlot): Promise<PinnedBase> {
  const match = /^oci:(.+):([^:/]+)$/.exec(slot.image);
  const layout = await readLayout(match ? match[1] : slot.image.slice(4), match ? match[2] : 'latest');
  return pin(slot, layout.index.digest.replace('sha256:', '').slice(0, 16), (platform) => ({
    source: slot.image,
    image: instanceFor(layout.images, platform, slot.image).configDigest.replace('sha256:', ''),
  }));
}

/** A registry base: its manifest list (as `podman manifest inspect` prints it) gives each platform's digest. */
function pinRegistry(slot: BaseSlot, inspected: string): PinnedBase {
  const list = JSON.parse(inspected) as ManifestList;
  if (!list.manifests) {
    // One image for every platform (podman uses it with a warning, as it would have from the tag).
    return pin(slot, `single-${shortHash(slot.image)}`, () => ({ source: slot.image, image: slot.image }));
  }
  const images = list.manifests.filter((m) => m.platform).map((m) => ({ platform: formatPlatform(m.platform!), digest: m.digest }));
  const key = shortHash(
    images
      .map((m) => m.digest)
      .sort()
      .join(','),
  );
  return pin(slot, key, (platform) => {
    const source = `${nameOf(slot.image)}@${instanceFor(images, platform, slot.image).digest}`;
    return { source, image: source };
  });
}

/** Reads what each slot's base is now: the layout on disk, or the registry's list through `inspect(image)`. */
export async function resolveBasePins(slots: BaseSlot[], inspect: (image: string) => Promise<string>): Promise<PinnedBase[]> {
  return Promise.all(
    slots.map(async (slot) => (slot.image.startsWith('oci:') ? pinLayout(slot) : pinRegistry(slot, await inspect(slot.image)))),
  );
}

/** The pulls in order, each (source, platform) once, and each local name once. */
export function uniquePulls(pins: PinnedBase[]): BasePull[] {
  const seen = new Set<string>();
  return pins
    .flatMap((p) => p.pulls)
    .filter((pull) => {
      const key = `${pull.source}\0${pull.platform}\0${pull.name}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
}
