import { InvalidPlatformError } from '../core/errors';

/** A target platform in the `os/arch[/variant]` form engines and OCI indexes use. */
export interface Platform {
  os: string;
  architecture: string;
  variant?: string;
}

const PART = /^[a-z0-9_]+$/;

/** GOARCH values container images use; a typo such as amd65 is caught here rather than by a registry later. */
const KNOWN_ARCHITECTURES = [
  'amd64',
  'arm64',
  'arm',
  '386',
  'ppc64le',
  'ppc64',
  's390x',
  'riscv64',
  'mips64le',
  'mips64',
  'mipsle',
  'mips',
  'loong64',
  'wasm',
];

export function parsePlatform(value: string): Platform {
  if (value.includes(','))
    throw new InvalidPlatformError(value, 'this option takes one platform; give a list with platforms (or PLATFORMS)');
  const parts = value.split('/');
  if (parts.length < 2 || parts.length > 3) throw new InvalidPlatformError(value, 'expected 2 or 3 parts separated by "/"');
  const bad = parts.find((part) => !PART.test(part));
  if (bad !== undefined) throw new InvalidPlatformError(value, `"${bad}" is not a lowercase name`);
  const [os, architecture, variant] = parts;
  if (!KNOWN_ARCHITECTURES.includes(architecture)) {
    throw new InvalidPlatformError(value, `unknown architecture "${architecture}" (known: ${KNOWN_ARCHITECTURES.join(', ')})`);
  }
  return variant ? { os, architecture, variant } : { os, architecture };
}

/** arm64 and arm64/v8 name the same platform. */
const canonical = (p: Platform) =>
  formatPlatform(p.architecture === 'arm64' && p.variant === 'v8' ? { os: p.os, architecture: p.architecture } : p);

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
  const seen = new Map<string, string>();
  for (const entry of entries) {
    const platform = parsePlatform(entry);
    const key = canonical(platform);
    const earlier = seen.get(key);
    if (earlier !== undefined) {
      throw new InvalidPlatformError(
        entry,
        `${earlier === entry ? 'it is listed twice' : `it is listed twice (${earlier} is the same platform)`}: list each platform once`,
      );
    }
    seen.set(key, formatPlatform(platform));
  }
  return [...seen.values()];
}

const NODE_ARCH_TO_OCI: Record<string, string> = {
  x64: 'amd64',
  arm64: 'arm64',
  arm: 'arm',
  ppc64: 'ppc64le',
  s390x: 's390x',
  ia32: '386',
};

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
