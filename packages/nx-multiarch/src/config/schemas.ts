import { z } from 'zod';

/**
 * One zod schema per executor: the single source of truth for its options.
 * Each executor's schema.json is generated from these (tools/gen-schemas.ts) and a test keeps them in step.
 * Defaults live in DEFAULTS (not `.default()`), so Nx does not fill them in and mistake them for CLI flags.
 */
const stringMap = (what: string) =>
  z.record(z.string(), z.string({ error: `every ${what} value must be a string` }), {
    error: `${what} must be a map of names to string values, e.g. { "APP_VERSION": "1.2.3" }`,
  });

const platformList = z.union([z.string(), z.array(z.string())], {
  error: 'platforms must be a list such as ["linux/amd64", "linux/arm64"] or a comma list "linux/amd64,linux/arm64"',
});

const jobsError = (issue: { input?: unknown }) =>
  `jobs must be a whole number of 1 or more, e.g. 2 (how many platforms podman builds at once), not ${JSON.stringify(issue.input)}: set it so in project.json or nx.json, or leave it out for the default`;

export const engineNames = ['auto', 'podman', 'docker'] as const;
const engine = z.enum(engineNames, { error: (issue) => `unknown engine ${JSON.stringify(issue.input)}: use one of auto, podman, docker` });

const remoteBuilder = {
  connection: z.string().min(1).describe('podman: build on this podman system connection (podman --connection <name>)').optional(),
  url: z
    .string()
    .min(1)
    .describe(
      'podman: build on the podman service at this URL, e.g. tcp://builder:8080 (podman --url); each platform is built there and fetched back with podman save, because a podman service writes oci: paths on its own machine',
    )
    .optional(),
  builder: z
    .string()
    .min(1)
    .describe('docker: the buildx builder to build on (docker buildx --builder <name>), e.g. a multi-node builder with native arm64 nodes')
    .optional(),
};

const archTagSuffix = z
  .string()
  .regex(/\{arch\}/, { error: 'archTagSuffix must contain {arch}, e.g. "-{arch}"' })
  .describe(
    'Suffix of per-arch tags; {arch} is the architecture plus variant (amd64, arm64, armv7 for linux/arm/v7) and must appear in it',
  );

const imageSource = {
  dockerfile: z
    .string()
    .min(1)
    .describe(
      'Dockerfile path, relative to the workspace root. Default: the one the plugin found (its dockerfile pattern, else a Dockerfile or Containerfile in the project root)',
    )
    .optional(),
  context: z
    .string()
    .min(1)
    .describe('Build context folder, relative to the workspace root; it must be inside the workspace. Default: the project root')
    .optional(),
  target: z.string().min(1).describe('Dockerfile stage to build (--target)').optional(),
  buildArgs: stringMap('buildArgs')
    .describe('Build arguments, a map of --build-arg NAME=value values, e.g. { "APP_VERSION": "1.2.3" }')
    .optional(),
  labels: stringMap('labels')
    .describe(
      "Extra image labels. The OCI labels org.opencontainers.image.{title,source,revision,created,version} are set by default: revision and created from the newest commit that touched the Dockerfile or context, source from sourceUrl, version from the project's package.json, else the revision",
    )
    .optional(),
  sourceUrl: z
    .string()
    .min(1)
    .describe(
      "Repository URL for the org.opencontainers.image.source label; credentials in it are dropped and ssh or scp-style URLs become https. It is part of the build's hash. Default: git remote origin, read from .git/config the same way (a local path gives no label)",
    )
    .optional(),
  engine: engine
    .describe('Container engine: auto (podman if installed, else docker with buildx), podman, or docker (with buildx)')
    .optional(),
  extraArgs: z
    .array(z.string())
    .describe('Extra arguments passed to the engine build command as they are (escape hatch), e.g. ["--no-cache"]')
    .optional(),
  secrets: z
    .record(
      z.string().regex(/^[A-Za-z0-9_.-]+$/, { error: 'a secret id is letters, digits, ".", "_" and "-"' }),
      z.string({ error: 'every secrets value must be a file path' }).min(1),
      { error: 'secrets must be a map of secret ids to file paths, e.g. { "npmrc": "/home/ci/.npmrc" }' },
    )
    .describe(
      'Build secrets, id -> file (workspace-relative or absolute), e.g. { "npmrc": "/home/ci/.npmrc" }, passed as --secret id=<id>,src=<file> for RUN --mount=type=secret,id=<id>. Only the engine reads the file: the secret is in no layer, log, image.json or Nx cache entry. Keep secret files outside the workspace; a workspace-relative path given in nx.json is excluded from the build\'s inputs',
    )
    .optional(),
  dryRun: z
    .boolean()
    .describe(
      "Print the commands a real run would run and run none (the engine's version is not asked either); podman's Dockerfile copy is written to the temp path a real run builds it from, and the lines it adds are printed. Default: false",
    )
    .optional(),
  ...remoteBuilder,
};

const naming = {
  registry: z
    .string()
    .describe('Registry host[:port], e.g. quay.io or 127.0.0.1:5000; docker-push and docker-manifest need one (or env IMG)')
    .optional(),
  imageName: z
    .string()
    .min(1)
    .describe('Image name (repository) pattern, e.g. team/{projectName}; {projectName} and {projectRoot} are replaced; must be lowercase')
    .optional(),
};

export const buildSchema = z.strictObject({
  ...imageSource,
  platforms: platformList
    .describe(
      'Platforms of the manifest list: a list or a comma string, each os/arch[/variant]; an invalid or repeated one is an error naming it. Env PLATFORMS overrides the configured value',
    )
    .optional(),
  platform: z
    .string()
    .describe(
      'Build only this platform (per-arch runners: the configuration named after the arch sets it); wins over platforms, PLATFORMS and multiArch/MULTI_ARCH',
    )
    .optional(),
  multiArch: z.boolean().describe('false builds only the host platform (env MULTI_ARCH=false)').optional(),
  jobs: z
    .number({ error: jobsError })
    .int({ error: jobsError })
    .min(1, { error: jobsError })
    .describe(
      "podman: how many platforms one build builds at once (podman build --jobs); above 1, each platform's base image is pulled first, one at a time, by digest, and named localhost/nx-multiarch-base/<image>:<content key>-<arch> (nothing is pulled when those names are in the store). docker buildx builds platforms in parallel itself and ignores it. Default: the number of platforms, at most the number of CPU cores",
    )
    .optional(),
  provenance: z
    .boolean()
    .describe(
      'docker buildx only: attach provenance attestations (they make digests differ between builds); podman refuses it. Default: false',
    )
    .optional(),
  outputPath: z
    .string()
    .min(1)
    .describe(
      "Output folder for the OCI layout and image.json, relative to the workspace root; the target's cached outputs follow it. Default: dist/images/<projectRoot> (the per-arch configuration <arch>: dist/images-per-arch/<arch>/<projectRoot>)",
    )
    .optional(),
});

export const buildSingleSchema = z.strictObject({
  ...imageSource,
  ...naming,
  platform: z
    .string()
    .describe('The one platform to build (env TARGETARCH picks another arch, e.g. arm64). Default: the host platform')
    .optional(),
  tag: z
    .string()
    .describe('Tag of the local image. Default: as for docker-push (IMAGE_TAG, else the project version, else the short git SHA)')
    .optional(),
  kind: z
    .union([z.boolean(), z.string()], { error: 'kind must be true (the current KIND cluster) or a KIND cluster name' })
    .describe(
      'Load the image into a KIND cluster (kind load image-archive): a string names the cluster; true picks the cluster of the current kube-context when it is a KIND one (kind-<cluster>), else kind\'s default cluster "kind"',
    )
    .optional(),
});

export const pushSchema = z.strictObject({
  ...naming,
  tag: z
    .string()
    .describe(
      "Main tag, decided at push time (never baked into the build output). Default: env IMAGE_TAG, else the project's package.json version, else the short git SHA",
    )
    .optional(),
  tags: z.array(z.string()).describe('Extra tags pushed besides the main tag').optional(),
  latest: z.boolean().describe('Also push the tag "latest"').optional(),
  tlsVerify: z
    .boolean()
    .describe(
      'Verify TLS; turning it off for a registry other than localhost/127.0.0.1 prints a warning. Default: true, except false for localhost/127.0.0.1 registries',
    )
    .optional(),
  allowSingleArchFallback: z
    .boolean()
    .describe(
      'Succeed (with a warning naming the platforms not pushed) when the registry took neither list format and only the host-platform image could be pushed',
    )
    .optional(),
  inputPath: z
    .string()
    .min(1)
    .describe(
      "Build output to push (OCI layout + image.json), relative to the workspace root. Default: the docker-build target's outputPath (of the same configuration)",
    )
    .optional(),
  platform: z
    .string()
    .describe(
      'Push only this platform, by digest, as <tag><archTagSuffix> for every tag (per-arch runners: the -c <arch> configurations set it; docker-manifest stitches the list)',
    )
    .optional(),
  archTagSuffix: archTagSuffix.optional(),
  dryRun: z.boolean().describe('Print the skopeo copies and read-backs a real run would run, and run none. Default: false').optional(),
});

export const manifestSchema = z.strictObject({
  ...naming,
  tag: z
    .string()
    .describe('Main tag of the list. Default: as for docker-push (IMAGE_TAG, else the project version, else the short git SHA)')
    .optional(),
  tags: z.array(z.string()).describe('Extra tags the list is pushed to').optional(),
  latest: z.boolean().describe('Also push the list as "latest"').optional(),
  platforms: platformList
    .describe('Platforms the list must hold; each comes from <tag><archTagSuffix>. Env PLATFORMS overrides')
    .optional(),
  archTagSuffix: archTagSuffix.optional(),
  tlsVerify: z
    .boolean()
    .describe(
      'Verify TLS. With engine docker only the default is accepted (buildx imagetools has no TLS switch). Default: true, except false for localhost/127.0.0.1 registries',
    )
    .optional(),
  engine: engine
    .describe('Engine that writes the list: podman (manifest create/add/push) or docker (buildx imagetools create); auto prefers podman')
    .optional(),
  ...remoteBuilder,
  dryRun: z
    .boolean()
    .describe(
      'Print the registry reads, the stitch and the read-back a real run would run (the digests it would read stand as placeholders), and run none. Default: false',
    )
    .optional(),
});

export const lintSchema = z.strictObject({
  dockerfile: imageSource.dockerfile,
  context: imageSource.context,
  format: z
    .enum(['text', 'json'], { error: (issue) => `unknown format ${JSON.stringify(issue.input)}: use text or json` })
    .describe('How findings are printed: text (file:line: level [rule] message Fix: ...) or json. Default: text')
    .optional(),
  checkRegistry: z
    .boolean()
    .describe('Ask the registry (skopeo) whether a digest-pinned base image is a single-platform manifest. Default: true')
    .optional(),
  outputPath: z
    .string()
    .min(1)
    .describe('Where the findings are written as JSON (the status generator reads them). Default: dist/lint/<projectRoot>.json')
    .optional(),
  tlsVerify: z
    .boolean()
    .describe('Verify TLS when asking the registry. Default: true, except false for localhost/127.0.0.1 registries')
    .optional(),
  dryRun: z
    .boolean()
    .describe(
      'Lint without asking the registry (the skopeo commands a real run would run are printed) and write no findings file. Default: false',
    )
    .optional(),
});

export type BuildOptions = z.infer<typeof buildSchema>;
export type BuildSingleOptions = z.infer<typeof buildSingleSchema>;
export type PushOptions = z.infer<typeof pushSchema>;
export type ManifestOptions = z.infer<typeof manifestSchema>;

export const pluginSchema = z.strictObject({
  buildTargetName: z.string().min(1).describe('Name of the inferred docker-build target').optional(),
  buildSingleTargetName: z.string().min(1).describe('Name of the inferred docker-build-single target').optional(),
  pushTargetName: z.string().min(1).describe('Name of the inferred docker-push target').optional(),
  manifestTargetName: z.string().min(1).describe('Name of the inferred docker-manifest target').optional(),
  lintTargetName: z.string().min(1).describe('Name of the inferred docker-lint target').optional(),
  dockerfile: z
    .union([z.string().min(1), z.array(z.string().min(1)).min(1)], {
      error: 'dockerfile must be a path pattern such as "docker/{projectName}.Dockerfile", or a list of them tried in order',
    })
    .describe(
      'Dockerfile path pattern, or a list of them tried in order (the first existing file wins), workspace-relative, for projects whose Dockerfile is not in their root, e.g. docker/{projectName}.Dockerfile; {projectName} and {projectRoot} are replaced. A dockerfile in the project.json docker-build target options wins over these. Default: a Dockerfile or Containerfile in the project root',
    )
    .optional(),
  context: z
    .string()
    .min(1)
    .describe('Build context pattern; "." is the workspace root; {projectName} and {projectRoot} are replaced. Default: the project root')
    .optional(),
  target: z.string().min(1).describe('Dockerfile stage to build, passed to docker-build and docker-build-single').optional(),
  platforms: platformList
    .describe(
      'Platforms of every image (docker-build, docker-manifest); docker-build and docker-push also get one configuration per platform, named after its arch (-c amd64, -c arm64)',
    )
    .optional(),
  engine: engine.describe('auto, podman or docker, passed to docker-build, docker-build-single and docker-manifest').optional(),
  buildArgs: stringMap('buildArgs')
    .describe(
      'Build arguments of every image, passed to docker-build and docker-build-single. A buildArgs map in project.json replaces this one (Nx merges options shallowly)',
    )
    .optional(),
  labels: stringMap('labels').describe('Extra image labels, passed to docker-build and docker-build-single').optional(),
  sourceUrl: z
    .string()
    .min(1)
    .describe(
      'Repository URL for the org.opencontainers.image.source label of every image (credentials dropped). Default: git remote origin, read from .git/config',
    )
    .optional(),
  extraArgs: z.array(z.string()).describe('Extra engine build arguments, passed to docker-build and docker-build-single').optional(),
  secrets: z
    .record(z.string(), z.string())
    .describe(
      'Build secrets (id -> file), passed to docker-build and docker-build-single; a workspace-relative file is excluded from the build inputs',
    )
    .optional(),
  provenance: z.boolean().describe('docker buildx provenance attestations, passed to docker-build. Default: false').optional(),
  registry: z.string().describe('Registry host[:port], passed to docker-build-single, docker-push and docker-manifest').optional(),
  imageName: z
    .string()
    .min(1)
    .describe(
      "Image name pattern ({projectName}, {projectRoot}), passed to docker-build-single, docker-push and docker-manifest; a FROM naming it is another project's image (built first)",
    )
    .optional(),
  tags: z.array(z.string()).describe('Extra tags, passed to docker-push and docker-manifest').optional(),
  latest: z.boolean().describe('Also push "latest", passed to docker-push and docker-manifest').optional(),
  tlsVerify: z
    .boolean()
    .describe('Verify TLS, passed to docker-push and docker-manifest. Default: true, except false for localhost/127.0.0.1 registries')
    .optional(),
  allowSingleArchFallback: z
    .boolean()
    .describe('Passed to docker-push: succeed with a warning when only the host-platform image could be pushed')
    .optional(),
  archTagSuffix: archTagSuffix.optional(),
  ...remoteBuilder,
});
export type PluginOptions = z.infer<typeof pluginSchema>;

export { DEFAULTS } from './defaults';

export const executorSchemas = {
  'docker-build': buildSchema,
  'docker-build-single': buildSingleSchema,
  'docker-push': pushSchema,
  'docker-manifest': manifestSchema,
  'docker-lint': lintSchema,
} as const;
