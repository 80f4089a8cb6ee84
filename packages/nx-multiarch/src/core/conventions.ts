/**
 * The plugin's conventions, each stated once: its name and executors, the files it looks for, and where its targets
 * write by default. The plugin's inference, its executors and its generators all read them from here.
 */
import { join } from 'node:path';

export const PLUGIN_NAME = 'nx-multiarch';

export const EXECUTOR_NAMES = ['docker-build', 'docker-build-single', 'docker-push', 'docker-manifest', 'docker-lint'] as const;
export type ExecutorName = (typeof EXECUTOR_NAMES)[number];

/** `nx-multiarch:<name>`: how inferred targets name their executor. */
export const executorId = (name: ExecutorName): string => `${PLUGIN_NAME}:${name}`;

const PLUGIN_EXECUTOR = new RegExp(`(?:^|/)${PLUGIN_NAME}:([^/:]+)$`);

/**
 * Whether a target's executor is one of this plugin's (with `name`, that one): `nx-multiarch:<name>`, or a local path
 * to the plugin such as `./packages/nx-multiarch:<name>`.
 */
export function isPluginExecutor(executor: string | undefined, name?: ExecutorName): boolean {
  const match = executor === undefined ? null : PLUGIN_EXECUTOR.exec(executor);
  return match !== null && (name === undefined || match[1] === name);
}

/** An nx.json plugin registration of this plugin: `nx-multiarch`, or a local path to it such as `./packages/nx-multiarch`. */
export const isPluginRegistration = (plugin: string): boolean => /(^|\/)nx-multiarch(\/src\/index(\.[jt]s)?)?$/.test(plugin);

/** The Dockerfile names a project folder is looked at for, in order. */
export const DOCKERFILE_NAMES = ['Dockerfile', 'Containerfile'];
export const PROJECT_FILE = 'project.json';
/** Projects with this tag keep their builds but get no docker-push or docker-manifest target. */
export const DEPRECATED_TAG = 'deprecated';

/** A build output: the OCI layout in this folder and the build record beside it. */
export const LAYOUT_DIR = 'oci';
export const RECORD_FILE = 'image.json';

/** docker-build's output (`outputPath`), workspace-relative. */
export const defaultOutputPath = (root: string) => ['dist', 'images', root].join('/');
/** Per-arch builds (configuration <arch>) keep their own output, so they never overwrite or restore the multi-arch one. */
export const archOutputPath = (root: string, arch: string) => ['dist', 'images-per-arch', arch, root].join('/');
/** docker-lint's findings. */
export const defaultLintOutput = (root: string) => ['dist', 'lint', `${root}.json`].join('/');
/** What docker-push or docker-manifest verified: one record per project, plus one per arch for per-arch pushes (`<root>.<arch>.json`). */
export const pushRecordPath = (workspaceRoot: string, projectRoot: string, arch?: string) =>
  join(workspaceRoot, 'dist', 'push-records', `${projectRoot}${arch ? `.${arch}` : ''}.json`);
