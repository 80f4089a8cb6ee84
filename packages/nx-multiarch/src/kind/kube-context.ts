import { existsSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { delimiter, join } from 'node:path';
import { parse } from 'yaml';

type Env = Record<string, string | undefined>;

/** The kubeconfig kubectl would read first: the first existing file of KUBECONFIG, else ~/.kube/config. */
function kubeconfigPath(env: Env): string | undefined {
  const candidates = env.KUBECONFIG ? env.KUBECONFIG.split(delimiter).filter(Boolean) : [join(env.HOME ?? homedir(), '.kube', 'config')];
  return candidates.find((path) => existsSync(path));
}

export function currentKubeContext(env: Env = process.env): string | undefined {
  const path = kubeconfigPath(env);
  if (!path) return undefined;
  try {
    const config = parse(readFileSync(path, 'utf8')) as { 'current-context'?: unknown } | null;
    const context = config?.['current-context'];
    return typeof context === 'string' && context !== '' ? context : undefined;
  } catch {
    return undefined; // an unreadable kubeconfig is kubectl's problem, not a reason to fail a build
  }
}

/** kind names its contexts kind-<cluster>. */
export function kindClusterOf(context: string | undefined): string | undefined {
  return context?.startsWith('kind-') ? context.slice('kind-'.length) : undefined;
}
