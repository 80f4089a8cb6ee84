/**
 * docs/reference.md, rendered from the zod schemas (pure: schemas in, markdown out). `npm run gen:schemas` writes it
 * next to the executors' schema.json files, and reference.spec.ts fails when the committed file is stale.
 *
 * An option's description is its zod `.describe()` text. A last sentence "Default: ..." in it becomes the default
 * column; otherwise the default is the option's DEFAULTS entry, else "none". What the schemas cannot say (environment
 * variables, behaviour notes) is kept here, so the generated file is the single place a reader looks.
 */
import { z } from 'zod';
import { RULES } from '../lint/meta';
import { DEFAULTS, executorSchemas, pluginSchema } from './schemas';

export interface OptionRow {
  name: string;
  type: string;
  default: string;
  description: string;
}

export interface EnvVariable {
  name: string;
  readBy: string;
  effect: string;
}

export interface ReferenceSection {
  /** executor name, also the heading and its anchor */
  name: string;
  summary: string;
  schema: z.ZodType;
  notes?: readonly string[];
}

export interface ReferenceInput {
  plugin: { schema: z.ZodType; notes?: readonly string[] };
  executors: readonly ReferenceSection[];
  defaults: Readonly<Record<string, unknown>>;
  environment: readonly EnvVariable[];
  lintRules: Readonly<Record<string, { level: string; fix: string }>>;
}

export const REFERENCE_PATH = 'docs/reference.md';

/** Every environment variable the plugin reads (grep process.env / env. in packages/nx-multiarch/src). */
export const ENVIRONMENT: readonly EnvVariable[] = [
  {
    name: 'PLATFORMS',
    readBy: 'docker-build, docker-manifest',
    effect:
      'Comma list, e.g. `linux/amd64,linux/arm64`; overrides the configured platforms (the `platform` option of a per-arch configuration still wins)',
  },
  {
    name: 'MULTI_ARCH',
    readBy: 'docker-build',
    effect: '`false` (or `0`, `no`) builds only the host platform; `true`, `1`, `yes` build every platform',
  },
  {
    name: 'IMG',
    readBy: 'docker-push, docker-build-single, docker-manifest',
    effect:
      'The whole reference `[registry/]name[:tag]`: sets registry, imageName and tag. Meant for one project at a time, the Makefile convention',
  },
  {
    name: 'IMAGE_TAG',
    readBy: 'docker-push, docker-build-single, docker-manifest',
    effect: 'The main tag; per-arch runners must agree on it (the default, the short git SHA, is shared)',
  },
  { name: 'TARGETARCH', readBy: 'docker-build-single', effect: 'Picks the platform to build by arch, e.g. `arm64`' },
  {
    name: 'KUBECONFIG',
    readBy: 'docker-build-single --kind',
    effect: 'Where a bare `--kind` looks for the current kube-context: the first existing file of the list; default `~/.kube/config`',
  },
  {
    name: 'KIND_EXPERIMENTAL_PROVIDER',
    readBy: 'kind (docker-build-single --kind)',
    effect: 'Passed through to kind, e.g. `podman` for KIND on podman',
  },
  {
    name: 'REGISTRY_AUTH_FILE',
    readBy: 'skopeo (docker-push, docker-manifest, docker-lint)',
    effect:
      'Registry credentials file; else `${XDG_RUNTIME_DIR}/containers/auth.json` or `~/.docker/config.json` (`podman login` and `skopeo login` write them). Credentials never go on a command line',
  },
  { name: 'NX_VERBOSE_LOGGING', readBy: 'every executor', effect: "Nx's own switch; `true` also prints the stack trace of an error" },
  {
    name: 'NX_MULTIARCH_DRY_RUN',
    readBy: 'every executor',
    effect:
      "Set to `true` by the plugin itself, with Nx's `NX_SKIP_NX_CACHE`, for an nx command that names one of its targets and `--dry-run`: every task of that command plans and runs nothing. Not to be set by hand (without `NX_SKIP_NX_CACHE=true` it is ignored)",
  },
];

const PLUGIN_NOTES = [
  'A project gets the targets when its root holds a `Dockerfile` or `Containerfile`, when a `dockerfile` pattern names an existing file, or when its project.json names one in `targets["docker-build"].options.dockerfile` (and the context in `.context`), which wins over the patterns; inputs are then computed from that Dockerfile and context. A Dockerfile or context named in project.json that does not exist is an error naming both files. A folder with a Dockerfile and no project.json becomes a project named after the folder (or its package.json name). Projects tagged `deprecated` get no docker-push and no docker-manifest (their docker-build and docker-build-single still work).',
  'Nx\'s own `include` and `exclude` globs on the plugin\'s nx.json entry (`{ "plugin": "nx-multiarch", "exclude": ["testdata/**"] }`, Nx 20 and later) decide which project.json, Dockerfile and Containerfile files the plugin sees, so folders of test fixtures or docs spikes stay out. Layouts (a central docker/ folder, the workspace root as context with `COPY . .`) are described in docs/layouts.md.',
  'Where a value comes from, lowest first: built-in defaults, nx.json plugin options, project.json target options, environment variables, command-line flags (`nx run my-api:docker-build --platforms=linux/arm64`); each overrides the ones before it, so `PLATFORMS=linux/amd64` overrides what nx.json and project.json say, as `make PLATFORMS=...` did. project.json can override any option of any target; Nx merges options shallowly, so a `buildArgs` map in project.json replaces the plugin-level one.',
  "Dry runs: `--dry-run` on an nx command line that names one of the plugin's targets (`nx run my-api:docker-push --dry-run`, `nx affected -t docker-push --dry-run`, `-c arm64` too) makes every task of that command plan instead of run, the docker-build a docker-push depends on and a base image project's build included. Each prints the exact commands a real run would run, the Dockerfile copy podman would build (written to the temp path a real run builds it from, with the lines it adds) and what it could not know without running anything (the engine's version, names unique to a run, the digests a registry would answer). No engine, skopeo or registry command runs and nothing is written under dist/. The plugin's `preTasksExecution` hook marks the command (`NX_MULTIARCH_DRY_RUN`) and turns Nx's cache off for it (`NX_SKIP_NX_CACHE`) before Nx hashes any task, so a dry run is neither read from nor written to the cache. Nx passes the command line to that hook from Nx 21; Nx 20 only runs it where it can read it without the daemon and plugin isolation (`NX_DAEMON=false NX_ISOLATE_PLUGINS=false`). Otherwise a task that a dry run depends on refuses to run (nothing is built), and the dry-run task itself may be cached under its `--dry-run` options, an entry that never stands in for a real run and holds no image.",
  'Nx hashes nx.json into every task, so editing a plugin option (even one only docker-push uses, such as `registry`) rebuilds every image once; options in project.json rebuild only their project.',
];

const EXECUTOR_NOTES: Record<keyof typeof executorSchemas, readonly string[]> = {
  'docker-build': [
    "Output: an OCI image layout in `<outputPath>/oci/` and `<outputPath>/image.json` (index digest, each platform's manifest digest, config digest and size, build seconds, engine and version, revision); a summary table (platform, digest, size, seconds) is printed. The output is self-contained, so docker-push works from a cache hit on a machine that never built. Tags are applied at push time, never baked into the output.",
    'Per-arch configurations: one per configured platform, named after its arch (`amd64`, `arm64`, `armv7` for linux/arm/v7). `-c arm64` builds only linux/arm64 into `dist/images-per-arch/arm64/<projectRoot>/`, so it never overwrites or restores the multi-arch output.',
    'Remote builders: with `url`, base images built in the workspace are handed to podman as `oci:` paths in the system temp folder, which a service on another machine cannot read: build those bases locally. For docker, a multi-node builder is made with e.g. `docker buildx create --name multi --platform linux/amd64 ssh://amd64-host` and `docker buildx create --append --name multi --platform linux/arm64 ssh://arm64-host`.',
    'Base images built in the workspace: when a `FROM` (after build-arg substitution) names another project\'s image (its `imageName`, any registry and tag), that project\'s docker-build runs first (`dependsOn: [{ "projects": [<bases>], "target": "docker-build" }]`, inferred with the targets; project-graph edges from `COPY` order nothing), its image.json is part of the hash, and podman builds `FROM oci:<its fresh OCI layout>` instead of pulling a possibly stale registry copy. The layout is copied to a temp path made only of the base\'s name and index digest, because podman records the FROM reference in the image: dependents keep the same digest in every clone. With buildx the base comes from the registry; use its `--build-context` through `extraArgs`.',
    'Engine docker: `docker buildx [--builder <name>] build --platform <a,b> --provenance=false --output type=oci,dest=<partial output>/oci,tar=false,name=latest,rewrite-timestamp=true` with the Dockerfile, stage, build args, labels, secrets and `extraArgs`, and `SOURCE_DATE_EPOCH` set to the time of the newest commit that touched the sources. `provenance: true` makes it `--provenance=true`: the attestation manifests (platform unknown/unknown) stay in the index and are pushed with it, but are not listed in image.json. No buildx can be installed on the machines the plugin is tested on, so these command lines and the flow around them are tested with a docker stand-in, not against BuildKit (README, Engines).',
  ],
  'docker-build-single': [
    "Loads the image into the engine's local store as `<registry>/<imageName>:<tag>`, runnable with `podman run` (or `docker run`). Not cached: it changes local engine state. Engine docker: `docker buildx [--builder <name>] build --platform <platform> --provenance=false --load --tag <reference>` (with `SOURCE_DATE_EPOCH`), and for `--kind` `docker save --output <archive> <reference>`; tested at command level only, with a docker stand-in.",
    "`--kind=<cluster>` loads the built image into that KIND cluster; a bare `--kind` takes the cluster from the current kube-context when it is a KIND one (`kind-<cluster>`, read from `KUBECONFIG` or `~/.kube/config`, and says so), else kind's default cluster `kind`. KIND cannot load manifest lists (kind issue #3795), so this is always the single host-platform image: it is saved as a docker-archive and loaded with `kind load image-archive <archive> --name <cluster>`. Without kind on `PATH` the target fails before building, naming kind and where to get it.",
  ],
  'docker-push': [
    'Depends on docker-build and pushes from its output (so it works after a cache hit on a machine that never built): `skopeo copy --all --preserve-digests oci:<layout> docker://<ref>:<tag>` for each tag, then it reads the manifest list back from the registry and checks every platform and digest. Blobs the registry already has are not uploaded again. Writes `dist/push-records/<projectRoot>.json`.',
    "Fallback: if the registry rejects the OCI index media type, the list is pushed again converted to a Docker v2s2 manifest list (verified by each platform's config digest, since conversion changes manifest digests). If that is rejected too, the host-platform image alone is pushed, with a warning naming the platforms not pushed, and the target fails unless `allowSingleArchFallback: true`.",
    "Faults: a registry 5xx answer is retried three times with growing waits (1, 3, 9 s); skopeo's own `--retry-times 3` covers dropped connections. The tag is written last, so after any failure it points to a complete list or to what it pointed to before. An unauthorized answer gets a message naming the registry and how to log in; a TLS failure one naming `tlsVerify` and the CA folder.",
    "Credentials come from skopeo's usual places (`REGISTRY_AUTH_FILE`, `${XDG_RUNTIME_DIR}/containers/auth.json`, `~/.docker/config.json`; `podman login` / `skopeo login` write them); they are never put on a command line.",
  ],
  'docker-manifest': [
    'For per-arch runners: each runs `docker-push -c <arch>`, which pushes its platform by digest as `<tag><archTagSuffix>`; docker-manifest then reads every `<tag>-<arch>` back, checks it is a single image whose config really is that platform, and only then writes and pushes the list (the tag last) and verifies it, so `<tag>` never points to a partial list. A missing arch is an error that lists what is present and the command that fixes it; nothing is pushed. The stitched list has the same per-platform digests as a one-shot multi-arch build of the same inputs.',
    "Engine docker: the list is written by `docker buildx [--builder <name>] imagetools create --tag <reference>... <name@digest>...`. imagetools has no TLS switch: it talks plain HTTP to a localhost/127.0.0.1/::1 registry and verified HTTPS to any other, unless the builder's buildkitd.toml says otherwise. So with docker, `tlsVerify` must be that default: `tlsVerify: false` for another registry, or `true` for a localhost one, is refused before anything is read or pushed, with the fix (`engine: podman` for docker-manifest, or a CA both the builder and skopeo trust, and `tlsVerify: true`). Tested at command level only, with a docker stand-in.",
  ],
  'docker-lint': [
    'Inferred for every project with a Dockerfile, cached on the Dockerfile and its ignore files. Findings carry file:line and a fix; errors exit non-zero, warnings do not. The rules (in `packages/nx-multiarch/src/lint/`) and their fixes:',
  ],
};

const EXECUTOR_SUMMARIES: Record<keyof typeof executorSchemas, string> = {
  'docker-build':
    'Builds every configured platform into a manifest list, written as an OCI image layout with image.json under `dist/images/<projectRoot>/`. Cached.',
  'docker-build-single':
    "Builds one platform (the host's by default) into the engine's local store, and loads it into KIND on request. Not cached.",
  'docker-push': 'Pushes the built manifest list and every platform image with skopeo, then verifies them in the registry. Not cached.',
  'docker-manifest':
    'Stitches the manifest list `<tag>` from the per-arch tags (`<tag>-amd64`, `<tag>-arm64`) that per-arch runners pushed, then verifies it. Not cached.',
  'docker-lint': 'Checks a Dockerfile for multi-arch readiness and writes the findings as JSON. Cached.',
};

/** What the repository's generator renders: the schemas, DEFAULTS, the lint rules and the hand-kept tables above. */
export function currentReferenceInput(): ReferenceInput {
  const names = Object.keys(executorSchemas) as Array<keyof typeof executorSchemas>;
  return {
    plugin: { schema: pluginSchema, notes: PLUGIN_NOTES },
    executors: names.map((name) => ({
      name,
      summary: EXECUTOR_SUMMARIES[name],
      schema: executorSchemas[name],
      notes: EXECUTOR_NOTES[name],
    })),
    defaults: DEFAULTS,
    environment: ENVIRONMENT,
    lintRules: RULES,
  };
}

type JsonSchema = {
  type?: string;
  enum?: unknown[];
  anyOf?: JsonSchema[];
  items?: JsonSchema;
  additionalProperties?: JsonSchema | boolean;
  description?: string;
  properties?: Record<string, JsonSchema>;
};

/** The plain type of one JSON schema node, e.g. string[] or { [name]: string }. */
function plainType(property: JsonSchema): string {
  if (property.anyOf) return property.anyOf.map(plainType).join(' | ');
  if (property.type === 'array') return `${plainType(property.items ?? {})}[]`;
  if (property.type === 'object') {
    const values = typeof property.additionalProperties === 'object' ? plainType(property.additionalProperties) : 'unknown';
    return `{ [name]: ${values} }`;
  }
  return property.type ?? 'unknown';
}

/** The type column: each alternative as code, an enum as its values. */
function typeCell(property: JsonSchema): string {
  if (property.enum) {
    const values = property.enum.map((value) => `\`${String(value)}\``);
    return `${values.slice(0, -1).join(', ')} or ${values[values.length - 1]}`;
  }
  const alternatives = property.anyOf ?? [property];
  return alternatives.map((alternative) => `\`${plainType(alternative)}\``).join(' or ');
}

const DEFAULT_SENTENCE = /(?:^|[.;]\s+)Default:\s*(.+)$/s;

/** Splits "What it does. Default: x" into its description and default. */
export function splitDefault(description: string): { description: string; default?: string } {
  const match = DEFAULT_SENTENCE.exec(description);
  if (!match) return { description };
  return { description: description.slice(0, match.index).trim(), default: match[1].trim() };
}

function formatDefault(value: unknown): string {
  if (value === undefined || value === '') return 'none';
  if (Array.isArray(value)) return `\`${value.join(',')}\``;
  return `\`${String(value)}\``;
}

/** The option rows of one zod object schema, in declaration order. */
export function optionRows(schema: z.ZodType, defaults: Readonly<Record<string, unknown>>): OptionRow[] {
  const json = z.toJSONSchema(schema, { io: 'input' }) as JsonSchema;
  return Object.entries(json.properties ?? {}).map(([name, property]) => {
    const { description, default: stated } = splitDefault(property.description ?? '');
    return {
      name,
      type: typeCell(property),
      default: stated === undefined ? formatDefault(defaults[name]) : /^[^\s,]+$/.test(stated) ? `\`${stated}\`` : escapeCell(stated),
      description: escapeCell(description),
    };
  });
}

/**
 * Markdown-safe text: outside `code spans`, <placeholders> would vanish as HTML tags and * could start emphasis, so
 * both are escaped; in table cells, so are pipes. Line breaks become spaces.
 */
export function escapeMarkdown(text: string, cell = true): string {
  const special = cell ? /[\\|<*]/g : /[\\<*]/g;
  return text
    .replace(/\s*\n\s*/g, ' ')
    .split(/(`[^`]*`)/)
    .map((part) => (part.startsWith('`') ? (cell ? part.replaceAll('|', '\\|') : part) : part.replace(special, (char) => `\\${char}`)))
    .join('');
}

const escapeCell = (text: string) => escapeMarkdown(text, true);
const escapeProse = (text: string) => escapeMarkdown(text, false);

function table(header: string[], rows: string[][]): string[] {
  return [`| ${header.join(' | ')} |`, `| ${header.map(() => '---').join(' | ')} |`, ...rows.map((row) => `| ${row.join(' | ')} |`)];
}

function optionTable(schema: z.ZodType, defaults: Readonly<Record<string, unknown>>): string[] {
  return table(
    ['option', 'type', 'default', 'description'],
    optionRows(schema, defaults).map((row) => [`\`${row.name}\``, row.type, row.default, row.description]),
  );
}

const paragraphs = (notes: readonly string[] | undefined): string[] => (notes ?? []).flatMap((note) => [escapeProse(note), '']);

export function renderReference(input: ReferenceInput): string {
  const lines: string[] = [
    '# nx-multiarch reference',
    '',
    '<!-- Generated by `npm run gen:schemas` (tools/gen-schemas.ts) from packages/nx-multiarch/src/config/schemas.ts and',
    '     src/config/reference.ts. Do not edit: a unit test fails when this file differs from what the script writes. -->',
    '',
    'Every option of the nx-multiarch plugin (nx.json) and of its executors, and every environment variable it reads.',
    'Options go in nx.json (plugin options), in project.json (target options) or on the command line',
    '(`nx run my-api:docker-build --platforms=linux/arm64`; Nx also accepts `--dry-run` for `dryRun`). The generators',
    '(init, service, ci, status) are described in docs/generators.md.',
    '',
    '- [Plugin options (nx.json)](#plugin-options-nxjson)',
    ...input.executors.map((section) => `- [${section.name}](#${section.name})`),
    '- [Environment variables](#environment-variables)',
    '',
    '## Plugin options (nx.json)',
    '',
    '```json',
    '{ "plugins": [{ "plugin": "nx-multiarch", "options": { "platforms": ["linux/amd64", "linux/arm64"], "registry": "quay.io" } }] }',
    '```',
    '',
    ...optionTable(input.plugin.schema, input.defaults),
    '',
    ...paragraphs(input.plugin.notes),
  ];
  for (const section of input.executors) {
    lines.push(
      `## ${section.name}`,
      '',
      escapeProse(section.summary),
      '',
      ...optionTable(section.schema, input.defaults),
      '',
      ...paragraphs(section.notes),
    );
    if (section.name === 'docker-lint') {
      lines.push(
        ...table(
          ['rule', 'level', 'fix'],
          Object.entries(input.lintRules).map(([id, rule]) => [`\`${id}\``, rule.level, escapeCell(rule.fix)]),
        ),
        '',
      );
    }
  }
  lines.push(
    '## Environment variables',
    '',
    'They override nx.json and project.json, and command-line flags override them.',
    '',
    ...table(
      ['variable', 'read by', 'effect'],
      input.environment.map((variable) => [`\`${variable.name}\``, escapeCell(variable.readBy), escapeCell(variable.effect)]),
    ),
    '',
  );
  return `${lines.join('\n').replace(/\n+$/, '')}\n`;
}
