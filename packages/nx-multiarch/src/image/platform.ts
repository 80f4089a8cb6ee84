/** A target platform in the `os/arch[/variant]` form engines and OCI indexes use. */
export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

const PLATFORM_FORM = 'os/arch[/variant], e.g. linux/amd64 or linux/arm64/v8';
const PART = /^[a-z0-9_]+$/;

export class InvalidPlatformError extends Error {
  constructor(readonly value: string, reason: string) {
    super(`Invalid platform "${value}": ${reason}. Use the form ${PLATFORM_FORM}.`);
    this.name = 'InvalidPlatformError';
  }
}

export function parsePlatform(value: string): Platform {
  const parts = value.split('/');
  if (parts.length < 2 || parts.length > 3) throw new InvalidPlatformError(value, 'expected 2 or 3 parts separated by "/"');
  const bad = parts.find((part) => !PART.test(part));
  if (bad !== undefined) throw new InvalidPlatformError(value, `"${bad}" is not a lowercase name`);
  const [os, architecture, variant] = parts;
  return variant ? { os, architecture, variant } : { os, architecture };
}

export function formatPlatform(p: Platform): string {
  return [p.os, p.architecture, p.variant].filter(Boolean).join('/');
}

/** Splits comma lists, trims, validates each entry and rejects duplicates (after normalising). */
export function parsePlatformList(input: string | readonly string[]): string[] {
  const raw = (typeof input === 'string' ? [input] : input).flatMap((item) => item.split(','));
  const entries = raw.map((item) => item.trim());
  if (entries.length === 0 || entries.every((e) => e === '')) {
    throw new InvalidPlatformError(String(input), 'the list is empty');
  }
  const seen = new Set<string>();
  for (const entry of entries) {
    const normalised = formatPlatform(parsePlatform(entry));
    if (seen.has(normalised)) throw new InvalidPlatformError(entry, 'it is listed twice');
    seen.add(normalised);
  }
  return [...seen];
}

const NODE_ARCH_TO_OCI: Record<string, string> = { x64: 'amd64', arm64: 'arm64', arm: 'arm', ppc64: 'ppc64le', s390x: 's390x', ia32: '386' };

export function hostPlatform(arch: string = process.arch): string {
  return `linux/${NODE_ARCH_TO_OCI[arch] ?? arch}`;
}

/** `TARGETARCH=arm64` style value -> `linux/arm64`; a full platform is accepted too. */
export function platformFromArch(arch: string): string {
  return formatPlatform(parsePlatform(arch.includes('/') ? arch : `linux/${arch}`));
}

export function samePlatform(a: Platform, b: Platform): boolean {
  const variantA = a.architecture === 'arm64' && !a.variant ? 'v8' : a.variant;
  const variantB = b.architecture === 'arm64' && !b.variant ? 'v8' : b.variant;
  return a.os === b.os && a.architecture === b.architecture && (variantA ?? '') === (variantB ?? '');
}

/** The short name per-arch tags and configurations use: architecture plus variant (amd64, arm64, armv7). */
export function archKey(platform: string): string {
  const { architecture, variant } = parsePlatform(platform);
  return `${architecture}${variant ?? ''}`;
}
