import { createNodesFromFiles, type CreateNodesContextV2, type CreateNodesResult, type CreateNodesV2, type TargetConfiguration } from '../devkit';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { DEFAULTS, pluginSchema, type PluginOptions } from '../config/schemas';
import { parseOptions } from '../config/resolve';
import { DOCKERFILE_NAMES } from '../plan/build';
import { archKey, parsePlatformList } from '../image/platform';
import { parseDockerfile } from '../dockerfile/parse';
import { normaliseRemoteUrl, sourceUrlOf } from '../git/source-url';
import { copiedOutputs, type CopiedOutput } from './build-outputs';
import { buildInputs, imageSources, normalisePath } from './inputs';

const PROJECT_FILE = 'project.json';
export const PLUGIN_NAME = 'nx-multiarch';
export const DEPRECATED_TAG = 'deprecated';

interface ProjectFacts {
  name: string;
  tags: string[];
}

function readJson(path: string): Record<string, any> | undefined {
  return existsSync(path) ? JSON.parse(readFileSync(path, 'utf8')) : undefined;
}

function projectFacts(workspaceRoot: string, root: string): ProjectFacts {
  const projectJson = readJson(join(workspaceRoot, root, PROJECT_FILE));
  const packageJson = projectJson?.name ? undefined : readJson(join(workspaceRoot, root, 'package.json'));
  return { name: projectJson?.name ?? packageJson?.name ?? basename(root), tags: projectJson?.tags ?? [] };
}

const fillPattern = (pattern: string, facts: ProjectFacts, root: string) =>
  pattern.replaceAll('{projectName}', facts.name).replaceAll('{projectRoot}', root);

/** The plugin's dockerfile pattern first (central docker/ folder layouts), then a Dockerfile or Containerfile in the project root. */
function findDockerfile(workspaceRoot: string, root: string, facts: ProjectFacts, options: PluginOptions): string | undefined {
  const candidates = [
    ...(options.dockerfile ? [fillPattern(options.dockerfile, facts, root)] : []),
    ...DOCKERFILE_NAMES.map((name) => join(root, name)),
  ];
  return candidates.find((path) => existsSync(join(workspaceRoot, path)));
}

const pick = <T extends object, K extends keyof T>(source: T, keys: readonly K[]): Partial<Pick<T, K>> =>
  Object.fromEntries(keys.filter((key) => source[key] !== undefined).map((key) => [key, source[key]])) as Partial<Pick<T, K>>;

export const defaultOutputPath = (root: string) => ['dist', 'images', root].join('/');
export const defaultLintOutput = (root: string) => ['dist', 'lint', `${root}.json`].join('/');
/** Per-arch builds (configuration <arch>) keep their own output, so they never overwrite or restore the multi-arch one. */
export const archOutputPath = (root: string, arch: string) => ['dist', 'images-per-arch', arch, root].join('/');

/** One configuration per configured platform, named after its arch: `nx affected -t docker-push -c arm64` on an arm64 runner. */
function perArchConfigurations(options: PluginOptions, configure: (platform: string, arch: string) => Record<string, unknown>) {
  let platforms: string[];
  try {
    platforms = parsePlatformList(options.platforms ?? DEFAULTS.platforms);
  } catch {
    return undefined; // the executor reports the bad platform list with its fix; the project graph must still load
  }
  return Object.fromEntries(platforms.map((platform) => [archKey(platform), configure(platform, archKey(platform))]));
}

const SOURCE_KEYS = ['target', 'buildArgs', 'labels', 'sourceUrl', 'engine', 'extraArgs', 'secrets'] as const;
const NAMING_KEYS = ['registry', 'imageName'] as const;
const REMOTE_KEYS = ['connection', 'url', 'builder'] as const;
const PUSH_KEYS = ['tags', 'latest', 'tlsVerify', 'allowSingleArchFallback', 'archTagSuffix'] as const;

/**
 * Not 'docker': Nx's release (`nx release` with `release.docker` set) hands every project with a 'docker' target to
 * @nx/docker's versioning, which tags images that @nx/docker's own docker:build made. Ours are OCI layouts pushed by
 * docker-push, so claiming 'docker' would pull them into a path that can't release them.
 */
const TECHNOLOGIES = ['oci'];

/** The tasks that write what the image copies: the project's own target by name, another project's by project and target. */
function producerTasks(copied: CopiedOutput[]): NonNullable<TargetConfiguration['dependsOn']> {
  const tasks = new Map<string, string | { projects: string[]; target: string }>();
  for (const { producer } of copied) {
    if (!producer) continue;
    const key = `${producer.self ? '' : producer.project}:${producer.target}`;
    tasks.set(key, producer.self ? producer.target : { projects: [producer.project], target: producer.target });
  }
  return [...tasks.values()];
}

/** Git ignores the copied files, so Nx hashes them only as outputs of the tasks that wrote them. */
const producedFiles = (copied: CopiedOutput[]) =>
  copied.flatMap(({ path }) => [{ dependentTasksOutputFiles: path }, { dependentTasksOutputFiles: `${path}/**/*` }]);

export function targetsFor(
  root: string,
  facts: ProjectFacts,
  dockerfile: string,
  options: PluginOptions,
  inputs: (context: string) => TargetConfiguration['inputs'] = (context) => [`{workspaceRoot}/${normalisePath(context) || '.'}/**/*`],
  buildOutputs: (context: string) => CopiedOutput[] = () => [],
): Record<string, TargetConfiguration> {
  const context = options.context ? fillPattern(options.context, facts, root) : root;
  const copied = buildOutputs(context);
  const source = { dockerfile, context, ...pick(options, [...SOURCE_KEYS, ...REMOTE_KEYS]) };
  const buildName = options.buildTargetName ?? DEFAULTS.buildTargetName;
  const targets: Record<string, TargetConfiguration> = {
    [buildName]: {
      executor: `${PLUGIN_NAME}:docker-build`,
      cache: true,
      // Base images built in this workspace build first; their image.json (index digest) is part of this hash.
      dependsOn: [`^${buildName}`, ...producerTasks(copied)],
      inputs: [...(inputs(context) ?? []), { dependentTasksOutputFiles: '**/image.json' }, ...producedFiles(copied)],
      // The output folder is an option so that a project.json outputPath moves what Nx caches too.
      outputs: ['{options.outputPath}'],
      options: { ...source, outputPath: defaultOutputPath(root), ...pick(options, ['platforms', 'provenance'] as const) },
      configurations: perArchConfigurations(options, (platform, arch) => ({ platform, outputPath: archOutputPath(root, arch) })),
      metadata: { technologies: TECHNOLOGIES, description: 'Build the multi-arch image (manifest list) into dist/images as an OCI layout' },
    },
    [options.buildSingleTargetName ?? DEFAULTS.buildSingleTargetName]: {
      executor: `${PLUGIN_NAME}:docker-build-single`,
      cache: false,
      ...(copied.some((c) => c.producer) ? { dependsOn: producerTasks(copied) } : {}),
      options: { ...source, ...pick(options, NAMING_KEYS) },
      metadata: { technologies: TECHNOLOGIES, description: "Build one platform (the host's) into the local engine store" },
    },
  };
  const contextDir = normalisePath(context);
  targets[options.lintTargetName ?? DEFAULTS.lintTargetName] = {
    executor: `${PLUGIN_NAME}:docker-lint`,
    cache: true,
    inputs: [
      `{workspaceRoot}/${dockerfile}`,
      `{workspaceRoot}/${dockerfile}.dockerignore`,
      `{workspaceRoot}/${contextDir ? `${contextDir}/` : ''}.dockerignore`,
      // which copied paths are build outputs (uncovered-build-output)
      '{workspaceRoot}/.gitignore',
    ],
    outputs: ['{options.outputPath}'],
    options: { dockerfile, context, outputPath: defaultLintOutput(root) },
    metadata: { technologies: TECHNOLOGIES, description: 'Check the Dockerfile for multi-arch readiness (file:line findings with fixes)' },
  };
  if (!facts.tags.includes(DEPRECATED_TAG)) {
    targets[options.pushTargetName ?? DEFAULTS.pushTargetName] = {
      executor: `${PLUGIN_NAME}:docker-push`,
      cache: false,
      dependsOn: [buildName],
      options: pick(options, [...NAMING_KEYS, ...PUSH_KEYS]),
      configurations: perArchConfigurations(options, (platform) => ({ platform })),
      metadata: { technologies: TECHNOLOGIES, description: 'Push the manifest list from the build output and verify it in the registry' },
    };
    targets[options.manifestTargetName ?? DEFAULTS.manifestTargetName] = {
      executor: `${PLUGIN_NAME}:docker-manifest`,
      cache: false,
      options: pick(options, [...NAMING_KEYS, 'tags', 'latest', 'tlsVerify', 'archTagSuffix', 'platforms', 'engine', 'connection', 'url'] as const),
      metadata: { technologies: TECHNOLOGIES, description: 'Stitch the manifest list <tag> from the per-arch tags pushed by docker-push -c <arch>, and verify it' },
    };
  }
  return targets;
}

function createNodesForFile(file: string, options: PluginOptions | undefined, context: CreateNodesContextV2): CreateNodesResult {
  const root = dirname(file);
  const workspaceRoot = context.workspaceRoot;
  // A folder with project.json is handled through it; a bare Dockerfile folder through its Dockerfile (or else Containerfile).
  if (basename(file) !== PROJECT_FILE) {
    if (existsSync(join(workspaceRoot, root, PROJECT_FILE))) return {};
    if (basename(file) !== 'Dockerfile' && existsSync(join(workspaceRoot, root, 'Dockerfile'))) return {};
  }
  const facts = projectFacts(workspaceRoot, root);
  const dockerfile = findDockerfile(workspaceRoot, root, facts, options ?? {});
  if (!dockerfile) return {};
  const parsed = parseDockerfile(readFileSync(join(workspaceRoot, dockerfile), 'utf8'));
  const inputs = (context: string) => [
    ...buildInputs(imageSources(workspaceRoot, dockerfile, context, parsed), options?.engine),
    ...secretExclusions(options?.secrets),
  ];
  const buildOutputs = (context: string) => copiedOutputs(workspaceRoot, parsed.copySources, context, { name: facts.name, root });
  return { projects: { [root]: { name: facts.name, root, targets: targetsFor(root, facts, dockerfile, options ?? {}, inputs, buildOutputs) } } };
}

/** A secret file inside the workspace must not be hashed into the build (its hash would sit in the Nx cache). */
function secretExclusions(secrets: Record<string, string> | undefined): string[] {
  return Object.values(secrets ?? {})
    .filter((path) => !isAbsolute(path) && !normalisePath(path).startsWith('../'))
    .map((path) => `!{workspaceRoot}/${normalisePath(path)}`);
}

export const createNodesV2: CreateNodesV2<PluginOptions> = [
  `**/{${PROJECT_FILE},${DOCKERFILE_NAMES.join(',')}}`,
  (files, rawOptions, context) => {
    const options = parseOptions(pluginSchema, rawOptions ?? {}, `the ${PLUGIN_NAME} plugin options in nx.json`);
    // In the options, so in the hash: two clones with different remotes build different labels.
    const sourceUrl = normaliseRemoteUrl(options.sourceUrl) ?? (options.sourceUrl === undefined ? sourceUrlOf(context.workspaceRoot) : undefined);
    return createNodesFromFiles(createNodesForFile, files, { ...options, sourceUrl }, context);
  },
];
