/**
 * The `--registry` option of the generators: a registry host[:port] and nothing else. Anything more (a scheme, a path,
 * a trailing "/") is refused with the values to use instead, built from the value given: `quay.io/acme` becomes
 * `registry: quay.io` and `imageName: acme/{projectName}`.
 */
import { isIPv4, isIPv6 } from 'node:net';

const LABEL = '[a-z0-9](?:[a-z0-9-]*[a-z0-9])?';
const HOST_NAME = new RegExp(`^${LABEL}(?:\\.${LABEL})*$`);
const SCHEME = /^[a-z][a-z0-9+.-]*:\/\//i;
const SHAPE =
  'a registry is host[:port] only: a lowercase host name, an IPv4 address or an [IPv6] address, with an optional :port (1-65535)';

export interface RegistryFix {
  registry: string;
  /** The path given after the host, as an image name pattern. */
  imageName?: string;
}

/** Why the value is not host[:port], or undefined when it is. */
function hostPortProblem(value: string): string | undefined {
  if (!value.startsWith('[') && isIPv6(value)) return `"${value}" is an IPv6 address without brackets: write [${value}]`;
  const [, host, port] = /^(\[[^\]]*\]|[^:]*)(?::(.*))?$/.exec(value) ?? [];
  if (host === undefined) return `"${value}" is not a host[:port]`;
  if (host.startsWith('[')) {
    if (!isIPv6(host.slice(1, -1))) return `"${host}" is not an IPv6 address`;
  } else if (/^[\d.]+$/.test(host) ? !isIPv4(host) : !HOST_NAME.test(host)) {
    return `"${host}" is not a host name or an IPv4 address`;
  }
  const validPort = port === undefined || (/^\d{1,5}$/.test(port) && Number(port) >= 1 && Number(port) <= 65535);
  return validPort ? undefined : `"${port}" is not a port (1-65535)`;
}

/** Every way the value differs from host[:port], and the host[:port] (with the image name) it most likely means. */
export function diagnoseRegistry(raw: string): { problems: string[]; fix?: RegistryFix } {
  if (raw.trim() === '') return { problems: ['it is empty'] };
  const problems: string[] = [];
  let value = raw.trim();
  if (value !== raw) problems.push('it has whitespace around it');
  if (/\s/.test(value)) return { problems: [...problems, 'it has whitespace in it'] };
  const scheme = SCHEME.exec(value)?.[0];
  if (scheme) {
    problems.push(`it starts with a scheme ("${scheme}"), which the engine chooses itself`);
    value = value.slice(scheme.length);
  }
  const slash = value.indexOf('/');
  const path = slash === -1 ? '' : value.slice(slash + 1).replace(/\/+$/, '');
  if (slash !== -1) {
    problems.push(path ? `it has a path ("/${path}"), which belongs in the image name` : 'it ends with "/"');
    value = value.slice(0, slash);
  }
  if (value !== value.toLowerCase()) {
    problems.push('it has uppercase letters');
    value = value.toLowerCase();
  }
  const shape = hostPortProblem(value);
  if (shape) return { problems: [...problems, shape] };
  return { problems, fix: { registry: value, ...(path ? { imageName: `${path.toLowerCase()}/{projectName}` } : {}) } };
}

function describeFix(fix: RegistryFix, option: string): string {
  if (!fix.imageName) return ` Use registry: ${fix.registry} (${option}=${fix.registry}).`;
  return (
    ` Use registry: ${fix.registry}, imageName: ${fix.imageName}` +
    ` (${option}=${fix.registry}, and "imageName": "${fix.imageName}" in the nx-multiarch options in nx.json).`
  );
}

/** The registry when it is host[:port]; otherwise an error naming the value, what is wrong and what to use. */
export function validateRegistry(registry: string | undefined, option = '--registry'): string | undefined {
  if (registry === undefined) return undefined;
  const { problems, fix } = diagnoseRegistry(registry);
  if (problems.length === 0) return registry;
  const example = fix ? describeFix(fix, option) : ` For example ${option}=ghcr.io or ${option}=127.0.0.1:5000.`;
  throw new Error(`Invalid registry ${JSON.stringify(registry)}: ${problems.join('; ')}. ${capitalise(SHAPE)}.${example}`);
}

const capitalise = (text: string) => text[0].toUpperCase() + text.slice(1);
