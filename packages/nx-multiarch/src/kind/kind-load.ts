import type { Step } from '../run/exec';
import { currentKubeContext, kindClusterOf } from './kube-context';

/** kind's own default cluster name. */
export const DEFAULT_KIND_CLUSTER = 'kind';

export interface KindTarget {
  cluster: string;
  /** Why this cluster was chosen, for the log. */
  reason: string;
}

/**
 * `--kind=<cluster>` names the cluster; a bare `--kind` takes it from the current kube-context when that is a KIND
 * cluster (kind-<cluster>), else kind's default cluster.
 */
export function kindTarget(
  option: boolean | string | undefined,
  env: Record<string, string | undefined> = process.env,
): KindTarget | undefined {
  if (option === undefined || option === false) return undefined;
  if (typeof option === 'string' && option !== '' && option !== 'true') return { cluster: option, reason: `--kind=${option}` };
  const context = currentKubeContext(env);
  const fromContext = kindClusterOf(context);
  if (fromContext) return { cluster: fromContext, reason: `the current kube-context ${context} is a KIND cluster` };
  return {
    cluster: DEFAULT_KIND_CLUSTER,
    reason: `kind's default cluster (the current kube-context ${context ?? '(none)'} is not a KIND cluster)`,
  };
}

/** What kind runs: the archive goes into every node with ctr import; KIND_EXPERIMENTAL_PROVIDER reaches kind through the environment. */
export function kindLoadStep(archive: string, cluster: string): Step {
  return {
    description: `load ${archive} into KIND cluster ${cluster}`,
    argv: ['kind', 'load', 'image-archive', archive, '--name', cluster],
  };
}
