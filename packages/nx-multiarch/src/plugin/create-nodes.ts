import {
  createNodesFromFiles,
  type CreateNodesContextV2,
  type CreateNodesResult,
  type CreateNodesV2,
  type TargetConfiguration,
} from '../devkit';
import { basename, dirname, isAbsolute } from 'node:path';
import { DEFAULTS } from '../config/defaults';
import type { PluginOptions } from '../config/schemas';
import { archKey, parsePlatformList } from '../image/platform';
import { parseDockerfile, rememberParsed, type ParsedDockerfile } from '../dockerfile/parse';
import { normaliseRemoteUrl, sourceUrlOf } from '../git/source-url';
import { textDigest } from '../core/digest';
import { copiedOutputs, type CopiedOutput } from './build-outputs';
import { buildInputs, imageSources, type ImageSources } from './inputs';
import { openInferenceCache, type InferenceCache } from './inference-cache';
import { diskFiles, recordingFiles, type WorkspaceFiles } from './workspace-files';
import { baseImageProjects } from './base-images';
import {
  archOutputPath,
  defaultLintOutput,
  defaultOutputPath,
  DEPRECATED_TAG,
  DOCKERFILE_NAMES,
  executorId,
  PLUGIN_NAME,
  PROJECT_FILE,
} from '../core/conventions';
import { fillPattern, fillProjectTokens, normalisePath } from '../core/paths';
import { locateImageSource, readProjectFacts, type ImageSource, type ProjectFacts } from './project-facts';

const pick = <T extends object, K extends keyof T>(source: T, keys: readonly K[]): Partial<Pick<T, K>> =>
  Object.fromEntries(keys.filter((key) => source[key] !== undefined).map((key) => [key, source[key]])) as Partial<Pick<T, K>>;

interface ConfiguredPlatform {
  platform: string;
  arch: string;
}

/** The last platform setting parsed and what it gave: every project of a graph has the same one. */
let lastPlatforms: { setting: string | readonly string[]; parsed: ConfiguredPlatform[] | undefined } | undefined;

/** The configured platforms with their arch keys; undefined when the setting is invalid. */
function configuredPlatforms(setting: string | readonly string[]): ConfiguredPlatform[] | undefined {
  if (lastPlatforms?.setting !== setting) {
    let parsed: ConfiguredPlatform[] | undefined;
    try {
      parsed = parsePlatformList(setting).map((platform) => ({ platform, arch: archKey(platform) }));
    } catch {
      parsed = undefined; // the executor reports the bad platform list with its fix; the project graph must still load
    }
    lastPlatforms = { setting, parsed };
  }
  return lastPlatforms.parsed;
}

/** One configuration per configured platform, named after its arch: `nx affected -t docker-push -c arm64` on an arm64 runner. */
function perArchConfigurations(options: PluginOptions, configure: (platform: string, arch: string) => Record<string, unknown>) {
  const platforms = configuredPlatforms(options.platforms ?? DEFAULTS.platforms);
  return platforms && Object.fromEntries(platforms.map(({ platform, arch }) => [arch, configure(platform, arch)]));
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

/** What targetsFor needs of a project; baseProjects are the workspace projects whose images its Dockerfile builds FROM. */
export interface ImageProject {
  name: string;
  tags: string[];
  baseProjects?: string[];
}

export function targetsFor(
  root: string,
  project: ImageProject,
  image: string | ImageSource,
  options: PluginOptions,
  inputs: (context: string) => TargetConfiguration['inputs'] = (context) => [`{workspaceRoot}/${normalisePath(context) || '.'}/**/*`],
  buildOutputs: (context: string) => CopiedOutput[] = () => [],
): Record<string, TargetConfiguration> {
  const { dockerfile, context } =
    typeof image === 'string'
      ? { dockerfile: image, context: options.context ? fillPattern(options.context, project.name, root) : root }
      : image;
  const copied = buildOutputs(context);
  const source = { dockerfile, context, ...pick(options, [...SOURCE_KEYS, ...REMOTE_KEYS]) };
  const buildName = options.buildTargetName ?? DEFAULTS.buildTargetName;
  const bases = project.baseProjects ?? [];
  const buildDependsOn = [...(bases.length > 0 ? [{ projects: bases, target: buildName }] : []), ...producerTasks(copied)];
  const targets: Record<string, TargetConfiguration> = {
    [buildName]: {
      executor: executorId('docker-build'),
      cache: true,
      // Only base images (FROM another project's image) and the targets that write what it copies order builds, never
      // the project-graph edges that COPY makes: with `COPY . .` every root-context service depends on every other, and
      // `^docker-build` would be a cycle. The bases' image.json (index digest) and the copied outputs are in this hash.
      ...(buildDependsOn.length > 0 ? { dependsOn: buildDependsOn } : {}),
      inputs: [...(inputs(context) ?? []), { dependentTasksOutputFiles: '**/image.json' }, ...producedFiles(copied)],
      // The output folder is an option so that a project.json outputPath moves what Nx caches too.
      outputs: ['{options.outputPath}'],
      options: { ...source, outputPath: defaultOutputPath(root), ...pick(options, ['platforms', 'provenance'] as const) },
      configurations: perArchConfigurations(options, (platform, arch) => ({ platform, outputPath: archOutputPath(root, arch) })),
      metadata: { technologies: TECHNOLOGIES, description: 'Build the multi-arch image (manifest list) into dist/images as an OCI layout' },
    },
    [options.buildSingleTargetName ?? DEFAULTS.buildSingleTargetName]: {
      executor: executorId('docker-build-single'),
      cache: false,
      ...(producerTasks(copied).length > 0 ? { dependsOn: producerTasks(copied) } : {}),
      options: { ...source, ...pick(options, NAMING_KEYS) },
      metadata: { technologies: TECHNOLOGIES, description: "Build one platform (the host's) into the local engine store" },
    },
  };
  const contextDir = normalisePath(context);
  targets[options.lintTargetName ?? DEFAULTS.lintTargetName] = {
    executor: executorId('docker-lint'),
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
  if (!project.tags.includes(DEPRECATED_TAG)) {
    targets[options.pushTargetName ?? DEFAULTS.pushTargetName] = {
      executor: executorId('docker-push'),
      cache: false,
      dependsOn: [buildName],
      options: pick(options, [...NAMING_KEYS, ...PUSH_KEYS]),
      configurations: perArchConfigurations(options, (platform) => ({ platform })),
      metadata: { technologies: TECHNOLOGIES, description: 'Push the manifest list from the build output and verify it in the registry' },
    };
    targets[options.manifestTargetName ?? DEFAULTS.manifestTargetName] = {
      executor: executorId('docker-manifest'),
      cache: false,
      options: pick(options, [
        ...NAMING_KEYS,
        'tags',
        'latest',
        'tlsVerify',
        'archTagSuffix',
        'platforms',
        'engine',
        'connection',
        'url',
      ] as const),
      metadata: {
        technologies: TECHNOLOGIES,
        description: 'Stitch the manifest list <tag> from the per-arch tags pushed by docker-push -c <arch>, and verify it',
      },
    };
  }
  return targets;
}

/**
 * What inference reads off the disk for one project, and what it derives from that alone (no options but those the
 * cache file is keyed on, no other project): the part worth keeping between graph computations.
 */
interface InferredImage {
  facts: ProjectFacts;
  source: ImageSource;
  parsed: ParsedDockerfile;
  /** textDigest of the Dockerfile, the key its parse is remembered under */
  dockerfileDigest: string;
  sources: ImageSources;
  copied: CopiedOutput[];
  /** the project's package.json, when it has one */
  versionFile?: string;
}

/**
 * One config file per folder: project.json when it was matched, else Dockerfile, else Containerfile. The choice is
 * made among the files Nx passed (after the registration's include/exclude), not among what exists on disk.
 */
function configFilePerRoot(files: readonly string[]): Set<string> {
  const rank = (file: string) => [PROJECT_FILE, ...DOCKERFILE_NAMES].indexOf(basename(file));
  const chosen = new Map<string, string>();
  for (const file of files) {
    const current = chosen.get(dirname(file));
    if (current === undefined || rank(file) < rank(current)) chosen.set(dirname(file), file);
  }
  return new Set(chosen.values());
}

function inferImage(file: string, files: WorkspaceFiles, options: PluginOptions): InferredImage | undefined {
  const facts = readProjectFacts(files, normalisePath(dirname(file)), options);
  const source = locateImageSource(files, facts, options);
  if (!source) return undefined;
  const text = files.read(normalisePath(source.dockerfile));
  if (text === undefined) throw new Error(`${source.dockerfile} disappeared while the project graph was being computed`);
  const parsed = parseDockerfile(text);
  const versionFile = normalisePath(`${facts.root}/package.json`);
  return {
    facts,
    source,
    parsed,
    dockerfileDigest: textDigest(text),
    sources: imageSources(files, source.dockerfile, source.context, parsed),
    copied: copiedOutputs(files, parsed.copySources, source.context, { name: facts.name, root: facts.root }),
    versionFile: files.exists(versionFile) ? versionFile : undefined,
  };
}

/** The project's image facts from the cache while every file they came from reads the same, else read afresh (and kept). */
function cachedImage(
  file: string,
  files: WorkspaceFiles,
  options: PluginOptions,
  cache: InferenceCache<InferredImage | null, PluginOptions>,
): InferredImage | undefined {
  const kept = cache.lookup(file, files);
  if (kept !== undefined) {
    if (kept) rememberParsed(kept.dockerfileDigest, kept.parsed);
    return kept ?? undefined;
  }
  const recording = recordingFiles(files);
  const image = inferImage(file, recording.files, options);
  cache.store(file, recording.reads(), image ?? null);
  return image;
}

/** The projects (of this plugin registration) whose images each Dockerfile builds FROM. */
function baseProjectsOf(images: InferredImage[], options: PluginOptions): Map<InferredImage, string[]> {
  const repositories = new Map(
    images.map(({ facts }) => [
      fillProjectTokens(facts.imageName ?? options.imageName ?? DEFAULTS.imageName, facts.name, facts.root),
      facts.name,
    ]),
  );
  return new Map(
    images.map((image) => [
      image,
      baseImageProjects(image.parsed, image.facts.build.buildArgs ?? options.buildArgs, repositories).filter(
        (name) => name !== image.facts.name,
      ),
    ]),
  );
}

function nodesFor(image: InferredImage, bases: string[], options: PluginOptions): CreateNodesResult {
  const { facts, source } = image;
  // the context targetsFor passes is source.context, which sources and copied were derived for
  const inputs = () => [
    ...buildInputs(image.sources, options.engine),
    ...(image.versionFile ? [`{workspaceRoot}/${image.versionFile}`] : []),
    ...secretExclusions(options.secrets),
  ];
  const project = { name: facts.name, tags: facts.tags, baseProjects: bases };
  return {
    projects: {
      [facts.root]: {
        name: facts.name,
        root: facts.root,
        targets: targetsFor(facts.root, project, source, options, inputs, () => image.copied),
      },
    },
  };
}

/** A secret file inside the workspace must not be hashed into the build (its hash would sit in the Nx cache). */
function secretExclusions(secrets: Record<string, string> | undefined): string[] {
  return Object.values(secrets ?? {})
    .filter((path) => !isAbsolute(path) && !normalisePath(path).startsWith('../'))
    .map((path) => `!{workspaceRoot}/${normalisePath(path)}`);
}

/**
 * The options validated by the zod schema, which is loaded here only: zod takes tens of milliseconds to load, and a
 * computation whose raw options the cache was written for takes the validated ones from the cache instead.
 */
function validatedOptions(rawOptions: PluginOptions | undefined): PluginOptions {
  /* eslint-disable @typescript-eslint/no-require-imports -- loaded on first use, see above */
  const { parseOptions } = require('../config/resolve') as typeof import('../config/resolve');
  const { pluginSchema } = require('../config/schemas') as typeof import('../config/schemas');
  /* eslint-enable @typescript-eslint/no-require-imports */
  return parseOptions(pluginSchema, rawOptions ?? {}, `the ${PLUGIN_NAME} plugin options in nx.json`);
}

export const createNodesV2: CreateNodesV2<PluginOptions> = [
  `**/{${PROJECT_FILE},${DOCKERFILE_NAMES.join(',')}}`,
  (configFiles, rawOptions, context: CreateNodesContextV2) => {
    const cache = openInferenceCache<InferredImage | null, PluginOptions>(context.workspaceRoot, rawOptions);
    const options = cache.options ?? validatedOptions(rawOptions);
    // In the options, so in the hash: two clones with different remotes build different labels. (Not in the inference
    // cache's key: what it keeps does not depend on it.)
    const sourceUrl =
      normaliseRemoteUrl(options.sourceUrl) ?? (options.sourceUrl === undefined ? sourceUrlOf(context.workspaceRoot) : undefined);
    const files = diskFiles(context.workspaceRoot);
    // Every project first, so that a Dockerfile FROM another project's image can name that project's build in dependsOn.
    const inferred = new Map<string, InferredImage | Error>();
    for (const file of configFilePerRoot(configFiles)) {
      try {
        const image = cachedImage(file, files, options, cache);
        if (image) inferred.set(file, image);
      } catch (error) {
        inferred.set(file, error as Error);
      }
    }
    cache.save(options);
    const bases = baseProjectsOf(
      [...inferred.values()].filter((value): value is InferredImage => !(value instanceof Error)),
      options,
    );
    return createNodesFromFiles(
      (file) => {
        const image = inferred.get(file);
        if (image instanceof Error) throw image;
        return image ? nodesFor(image, bases.get(image) ?? [], { ...options, sourceUrl }) : {};
      },
      configFiles,
      options,
      context,
    );
  },
];
