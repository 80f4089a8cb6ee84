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

export const engineNames = ['auto', 'podman', 'docker'] as const;
const engine = z.enum(engineNames, { error: (issue) => `unknown engine ${JSON.stringify(issue.input)}: use one of auto, podman, docker` });

const remoteBuilder = {
  connection: z.string().min(1).describe('podman: build on this podman system connection (podman --connection)').optional(),
  url: z.string().min(1).describe('podman: build on the podman service at this URL, e.g. tcp://builder:8080 (podman --url)').optional(),
  builder: z.string().min(1).describe('docker: the buildx builder to build on, e.g. a multi-node builder with native arm64 nodes (--builder)').optional(),
};

const archTagSuffix = z
  .string()
  .regex(/\{arch\}/, { error: 'archTagSuffix must contain {arch}, e.g. "-{arch}"' })
  .describe('Suffix of per-arch tags; {arch} is the architecture plus variant (amd64, arm64, armv7). Default "-{arch}"');

const imageSource = {
  dockerfile: z.string().min(1).describe('Dockerfile path, relative to the workspace root').optional(),
  context: z.string().min(1).describe('Build context folder, relative to the workspace root').optional(),
  target: z.string().min(1).describe('Dockerfile stage to build (--target)').optional(),
  buildArgs: stringMap('buildArgs').describe('Build arguments (--build-arg NAME=value)').optional(),
  labels: stringMap('labels').describe('Extra image labels; the OCI labels title, source, revision, created and version are set by default').optional(),
  engine: engine.describe('Container engine: auto prefers podman, then docker with buildx').optional(),
  extraArgs: z.array(z.string()).describe('Extra arguments passed to the engine build command as they are (escape hatch)').optional(),
  secrets: z
    .record(
      z.string().regex(/^[A-Za-z0-9_.-]+$/, { error: 'a secret id is letters, digits, ".", "_" and "-"' }),
      z.string({ error: 'every secrets value must be a file path' }).min(1),
      { error: 'secrets must be a map of secret ids to file paths, e.g. { "npmrc": "/home/ci/.npmrc" }' },
    )
    .describe('Build secrets: id -> file (workspace-relative or absolute), passed as --secret id=<id>,src=<file> for RUN --mount=type=secret; never in the image, logs, image.json or the Nx cache')
    .optional(),
  dryRun: z.boolean().describe('Print the commands and run nothing').optional(),
  ...remoteBuilder,
};

const naming = {
  registry: z.string().describe('Registry host[:port], e.g. quay.io or 127.0.0.1:5000').optional(),
  imageName: z.string().min(1).describe('Image name pattern; {projectName} and {projectRoot} are replaced').optional(),
};

export const buildSchema = z.strictObject({
  ...imageSource,
  platforms: platformList.describe('Platforms of the manifest list (env PLATFORMS overrides the configured value)').optional(),
  platform: z.string().describe('Build only this platform (per-arch runners: the configuration named after the arch sets it); wins over platforms, PLATFORMS and MULTI_ARCH').optional(),
  multiArch: z.boolean().describe('false builds only the host platform (env MULTI_ARCH=false)').optional(),
  provenance: z.boolean().describe('docker buildx: attach provenance attestations (off by default: they make digests differ between builds)').optional(),
  outputPath: z.string().min(1).describe('Output folder for the OCI layout and image.json, relative to the workspace root').optional(),
});

export const buildSingleSchema = z.strictObject({
  ...imageSource,
  ...naming,
  platform: z.string().describe('The one platform to build; default the host (env TARGETARCH picks another arch)').optional(),
  tag: z.string().describe('Tag of the local image; default as for docker-push').optional(),
  kind: z
    .union([z.boolean(), z.string()], { error: 'kind must be true (the current KIND cluster) or a KIND cluster name' })
    .describe('Load the image into a KIND cluster (kind load image-archive): true picks the cluster of the current kube-context, else "kind"; a string names the cluster')
    .optional(),
});

export const pushSchema = z.strictObject({
  ...naming,
  tag: z.string().describe('Main tag; default env IMAGE_TAG, else the project version, else the short git SHA').optional(),
  tags: z.array(z.string()).describe('Extra tags pushed besides the main tag').optional(),
  latest: z.boolean().describe('Also push the tag "latest"').optional(),
  tlsVerify: z.boolean().describe('Verify TLS; default true except for localhost/127.0.0.1 registries').optional(),
  allowSingleArchFallback: z.boolean().describe('Succeed (with a warning) when only the host platform could be pushed').optional(),
  inputPath: z.string().min(1).describe('Build output to push (OCI layout + image.json), relative to the workspace root').optional(),
  platform: z.string().describe('Push only this platform, by digest, as <tag><archTagSuffix> (per-arch runners; docker-manifest stitches the list)').optional(),
  archTagSuffix: archTagSuffix.optional(),
  dryRun: z.boolean().describe('Print the commands and run nothing').optional(),
});

export const manifestSchema = z.strictObject({
  ...naming,
  tag: z.string().describe('Main tag of the list; default as for docker-push').optional(),
  tags: z.array(z.string()).describe('Extra tags the list is pushed to').optional(),
  latest: z.boolean().describe('Also push the list as "latest"').optional(),
  platforms: platformList.describe('Platforms the list must hold; each comes from <tag><archTagSuffix> (env PLATFORMS overrides)').optional(),
  archTagSuffix: archTagSuffix.optional(),
  tlsVerify: z.boolean().describe('Verify TLS; default true except for localhost/127.0.0.1 registries').optional(),
  engine: engine.describe('Engine that writes the list: podman (manifest create/add/push) or docker (buildx imagetools create)').optional(),
  ...remoteBuilder,
  dryRun: z.boolean().describe('Print the commands and run nothing').optional(),
});

export const lintSchema = z.strictObject({
  dockerfile: imageSource.dockerfile,
  context: imageSource.context,
  format: z.enum(['text', 'json'], { error: (issue) => `unknown format ${JSON.stringify(issue.input)}: use text or json` }).describe('text (file:line: level [rule] message Fix: ...) or json').optional(),
  checkRegistry: z.boolean().describe('Ask the registry (skopeo) whether a digest-pinned base image is a single-platform manifest').optional(),
  outputPath: z.string().min(1).describe('Where the findings are written as JSON (the status report reads them)').optional(),
  tlsVerify: z.boolean().describe('Verify TLS when asking the registry; default true except for localhost/127.0.0.1 registries').optional(),
});

export type BuildOptions = z.infer<typeof buildSchema>;
export type BuildSingleOptions = z.infer<typeof buildSingleSchema>;
export type PushOptions = z.infer<typeof pushSchema>;
export type ManifestOptions = z.infer<typeof manifestSchema>;

export const pluginSchema = z.strictObject({
  buildTargetName: z.string().min(1).optional(),
  buildSingleTargetName: z.string().min(1).optional(),
  pushTargetName: z.string().min(1).optional(),
  manifestTargetName: z.string().min(1).optional(),
  lintTargetName: z.string().min(1).optional(),
  /** Dockerfile path pattern for projects whose Dockerfile is not in their root, e.g. docker/{projectName}.Dockerfile */
  dockerfile: z.string().min(1).optional(),
  /** Context pattern; "." is the workspace root. Default: the project root. */
  context: z.string().min(1).optional(),
  target: z.string().min(1).optional(),
  platforms: platformList.optional(),
  engine: engine.optional(),
  buildArgs: stringMap('buildArgs').optional(),
  labels: stringMap('labels').optional(),
  extraArgs: z.array(z.string()).optional(),
  secrets: z.record(z.string(), z.string()).optional(),
  provenance: z.boolean().optional(),
  registry: z.string().optional(),
  imageName: z.string().min(1).optional(),
  tags: z.array(z.string()).optional(),
  latest: z.boolean().optional(),
  tlsVerify: z.boolean().optional(),
  allowSingleArchFallback: z.boolean().optional(),
  archTagSuffix: archTagSuffix.optional(),
  ...remoteBuilder,
});
export type PluginOptions = z.infer<typeof pluginSchema>;

export const DEFAULTS = {
  buildTargetName: 'docker-build',
  buildSingleTargetName: 'docker-build-single',
  pushTargetName: 'docker-push',
  manifestTargetName: 'docker-manifest',
  lintTargetName: 'docker-lint',
  archTagSuffix: '-{arch}',
  platforms: ['linux/amd64', 'linux/arm64'],
  engine: 'auto',
  imageName: '{projectName}',
  registry: '',
  multiArch: true,
  latest: false,
  allowSingleArchFallback: false,
} as const;

export const executorSchemas = {
  'docker-build': buildSchema,
  'docker-build-single': buildSingleSchema,
  'docker-push': pushSchema,
  'docker-manifest': manifestSchema,
  'docker-lint': lintSchema,
} as const;
