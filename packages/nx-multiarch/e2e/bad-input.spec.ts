/**
 * Bad input, end to end: every row runs the real nx CLI (real podman, skopeo and the registry on 127.0.0.1:5000) with one
 * kind of bad input and asserts
 *   1. a non-zero exit,
 *   2. a message that names the bad value and the fix (patterns per row for each, matched against the output without
 *      the echoed command lines, so a value the row passed can't match by itself; one row, an unknown CLI flag, gets
 *      Nx's own message, which names no fix: it says why in `noFix`),
 *   3. the registry is unchanged: nothing exists under the row's own namespace (`<RUN_ID>-bad/<row>`), and no push
 *      record mentions it,
 *   4. nothing half-done: no output folder and no `.partial-*` sibling at the row's outputPath, and no temporary
 *      manifest list (localhost/nx-multiarch-work/..., localhost/nx-multiarch-stitch/...) left in podman.
 * Validation rows use --dryRun where the check happens before anything runs; rows that must really run (build
 * failures, pushes) push the one build output made in beforeAll. A few dry-run rows (`real`) run once more for real,
 * with Nx's cache on: that failure must leave no tag, no manifest, no partial folder and no Nx cache entry either.
 * Rows run a few at a time.
 *
 * What the CLI can't express runs in throwaway workspaces: a Dockerfile stage (`--target` is nx's own flag, so it comes
 * from project.json), a broken Dockerfile, and nx.json plugin options of the wrong type (they break the whole graph).
 *
 * Not covered: a foreign-arch RUN step without binfmt_misc/QEMU registered (can't be unregistered on a shared machine).
 */
import { createHash } from 'node:crypto';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { basename, delimiter, dirname, join } from 'node:path';
import { commitAll, installPlugin, writeFiles } from '../../../tools/fixtures/workspace-kit';
import {
  catalog,
  command,
  messageOf,
  nx,
  REGISTRY,
  requireRealParts,
  RUN_ID,
  runNx,
  stripAnsi,
  tempDir,
  type Result,
  workspaceRoot,
} from './harness';

jest.setTimeout(25 * 60 * 1000);

const BAD = `${RUN_ID}-bad`;
const OUT_ROOT = `dist/e2e/${RUN_ID}/bad-input`;
/** The one real build output the push rows push (or fail to push). */
const BUILT = `${OUT_ROOT}/built`;
const scratch = tempDir('nx-multiarch-bad-input-');
/** Throwaway workspace with project.json overrides and broken Dockerfiles (things the CLI can't express). */
const ws = join(scratch, 'ws');
/** Throwaway workspace whose nx.json plugin options have the wrong types (it breaks every project of that workspace). */
const wsPlugin = join(scratch, 'ws-plugin');
const CONCURRENCY = 4;

type Env = Record<string, string>;
interface Row {
  name: string;
  /**
   * short, unique, and no word the row's message patterns look for: the row's registry namespace is `${BAD}/${slug}`
   * and its outputPath `${OUT_ROOT}/${slug}` (throwaway-workspace rows: the project name, their images are `${BAD}/<project>`)
   */
  slug: string;
  args: (ctx: { ns: string; out: string }) => string[];
  env?: (ctx: { ns: string }) => Env;
  /** patterns naming the bad value; every one must match the output (echoed command lines removed) */
  value: RegExp[];
  /** patterns naming the fix; every one must match too. Each pattern says one thing: no `|` either/or. */
  fix: RegExp[];
  /** only where the product prints no fix: why (reported, not hidden; the row then checks the value alone) */
  noFix?: string;
  /**
   * a dry-run row that also runs for real (without --dryRun, and with Nx's cache on, in a cache folder of its own),
   * as `<name> (for real)` under the slug `<slug>-real`: the real failure must leave no tag, no manifest, no partial
   * folder and no Nx cache entry, which a dry run can't show
   */
  real?: boolean;
  /** where nx runs; default this workspace */
  cwd?: string;
  /** for rows in a throwaway workspace: the project, whose build output and work images are checked */
  project?: string;
}

// ---------------------------------------------------------------------------------------------------------------
// Environments: PATH without a tool (a shadow copy of each PATH folder that holds it, minus that tool), a podman stand-in.

function pathWithout(tools: string[]): string {
  const root = join(scratch, `path-without-${tools.join('-')}`);
  return (process.env.PATH ?? '')
    .split(delimiter)
    .map((dir) => {
      if (!tools.some((tool) => existsSync(join(dir, tool)))) return dir;
      const real = realpathSync(dir);
      const shadow = join(root, createHash('sha256').update(real).digest('hex').slice(0, 12));
      if (!existsSync(shadow)) {
        mkdirSync(shadow, { recursive: true });
        for (const entry of readdirSync(real)) if (!tools.includes(entry)) symlinkSync(join(real, entry), join(shadow, entry));
      }
      return shadow;
    })
    .join(delimiter);
}

/** A stand-in `podman` (a script, not podman) that reports an old version; first on PATH. */
function oldPodmanPath(): string {
  const dir = join(scratch, 'podman-3.2.0-stand-in');
  mkdirSync(dir, { recursive: true });
  writeFileSync(
    join(dir, 'podman'),
    '#!/bin/sh\n# stand-in for an old podman: answers every command with its version\necho "podman version 3.2.0"\n',
  );
  chmodSync(join(dir, 'podman'), 0o755);
  return `${dir}${delimiter}${process.env.PATH}`;
}

// ---------------------------------------------------------------------------------------------------------------
// Running nx and reading its output.

/** nx with the Nx cache skipped, not verbose; a throwaway workspace keeps a cache folder of its own. */
const nxIn = (cwd: string, args: string[], env: Env): Promise<Result> =>
  cwd === workspaceRoot
    ? nx(args, env)
    : runNx(args, { cwd, env: { NX_CACHE_DIRECTORY: join(cwd, '.nx', 'cache'), ...env }, skipCache: true, verbose: false });

/** nx with its cache on (no --skip-nx-cache): a real row's failure must still leave no cache entry. */
const nxWithCache = (cwd: string, args: string[], env: Env): Promise<Result> => runNx(args, { cwd, env, verbose: false });

// ---------------------------------------------------------------------------------------------------------------
// Registry and local state.

async function repositoriesUnder(namespace: string): Promise<string[]> {
  return (await catalog()).filter((repo) => repo === namespace || repo.startsWith(`${namespace}/`));
}

/** Push records (dist/push-records/**) that name the namespace: a push that half happened. */
function pushRecordsNaming(root: string, namespace: string): string[] {
  const dir = join(root, 'dist', 'push-records');
  const found: string[] = [];
  const walk = (path: string) => {
    for (const entry of existsSync(path) ? readdirSync(path) : []) {
      const full = join(path, entry);
      if (statSync(full).isDirectory()) walk(full);
      else if (readFileSync(full, 'utf8').includes(`/${namespace}/`)) found.push(full);
    }
  };
  walk(dir);
  return found;
}

/** Local podman image names starting with one of the prefixes (podman lists every name of a matching image). */
async function localImages(prefixes: string[]): Promise<string[]> {
  const names: string[] = [];
  for (const prefix of prefixes) {
    let listed: Awaited<ReturnType<typeof command>> | undefined;
    for (let attempt = 1; attempt <= 3; attempt++) {
      // Other runs may change the store while podman reads it; a second look is enough.
      listed = await command(['podman', 'images', '--filter', `reference=${prefix}*`, '--format', '{{.Repository}}:{{.Tag}}']);
      if (listed.exitCode === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    if (listed!.exitCode !== 0) throw new Error(`podman images failed:\n${listed!.output}`);
    names.push(...listed!.stdout.split('\n').filter((name) => name.startsWith(prefix)));
  }
  return [...new Set(names)].sort();
}

const WORK_PREFIXES = ['localhost/nx-multiarch-work/', 'localhost/nx-multiarch-stitch/'];

/** Temporary engine objects the row's own output names (the plugin echoes every command before running it). */
const workNamesIn = (output: string) => [
  ...new Set(stripAnsi(output).match(/localhost\/nx-multiarch-(?:work|stitch)\/[\w.-]+:[\w.-]+/g) ?? []),
];

/** Nx cache entries (a folder or archive per task hash) in a cache folder; run.json and terminalOutputs are logs. */
function cacheEntries(cacheDir: string): string[] {
  return existsSync(cacheDir) ? readdirSync(cacheDir).filter((entry) => entry !== 'run.json' && entry !== 'terminalOutputs') : [];
}

/** The row's build output folder and any `<folder>.partial-*` sibling. */
function outputsAt(root: string, relativeOutput: string): string[] {
  const parent = dirname(join(root, relativeOutput));
  const name = basename(relativeOutput);
  if (!existsSync(parent)) return [];
  return readdirSync(parent)
    .filter((entry) => entry === name || entry.startsWith(`${name}.partial-`))
    .map((entry) => join(parent, entry));
}

// ---------------------------------------------------------------------------------------------------------------
// The rows.

const build =
  (...flags: string[]) =>
  ({ out }: { out: string }) => ['run', 'context-api:docker-build', '--dryRun', `--outputPath=${out}`, ...flags];
const realBuild =
  (...flags: string[]) =>
  ({ out }: { out: string }) => ['run', 'context-api:docker-build', `--outputPath=${out}`, ...flags];
/** docker-push of the build output made in beforeAll; never its dependencies (they would rebuild). */
const push =
  (...flags: string[]) =>
  ({ ns }: { ns: string }) => [
    'run',
    'context-api:docker-push',
    '--exclude-task-dependencies',
    `--inputPath=${BUILT}`,
    `--imageName=${ns}/context-api`,
    ...flags,
  ];
const dryPush = (...flags: string[]) => push('--dryRun', '--tag=v1', ...flags);
/** A dry-run push to an image name of the row's namespace. */
const dryPushAs =
  (name: string) =>
  ({ ns }: { ns: string }) => [
    'run',
    'context-api:docker-push',
    '--exclude-task-dependencies',
    `--inputPath=${BUILT}`,
    `--imageName=${ns}/${name}`,
    '--dryRun',
    '--tag=v1',
  ];

const rows: Row[] = [
  // Platform strings
  {
    name: 'platforms: a bare arch (arm64)',
    slug: 'plat-bare',
    args: build('--platforms=arm64'),
    value: [/Invalid platform "arm64": expected 2 or 3 parts/],
    fix: [/Use the form os\/arch\[\/variant\]/],
    real: true,
  },
  {
    name: 'platforms: four parts (linux/arm/v7/extra)',
    slug: 'plat-four',
    args: build('--platforms=linux/arm/v7/extra'),
    value: [/Invalid platform "linux\/arm\/v7\/extra": expected 2 or 3 parts/],
    fix: [/Use the form os\/arch\[\/variant\]/],
  },
  {
    name: 'platforms: uppercase (Linux/AMD64)',
    slug: 'plat-upper',
    args: build('--platforms=Linux/AMD64'),
    value: [/Invalid platform "Linux\/AMD64": "Linux" is not a lowercase name/],
    fix: [/Use the form os\/arch\[\/variant\], e\.g\. linux\/amd64/],
  },
  {
    name: 'platforms: a duplicate (linux/amd64 twice)',
    slug: 'plat-dup',
    args: build('--platforms=linux/amd64,linux/amd64'),
    value: [/Invalid platform "linux\/amd64": it is listed twice/],
    fix: [/list each platform once/],
  },
  {
    name: 'platforms: a duplicate by alias (linux/arm64 and linux/arm64/v8 are one platform)',
    slug: 'plat-alias',
    args: build('--platforms=linux/arm64,linux/arm64/v8'),
    value: [/Invalid platform "linux\/arm64\/v8": it is listed twice \(linux\/arm64 is the same platform\)/],
    fix: [/list each platform once/],
  },
  {
    name: '--platform with two platforms',
    slug: 'plat-two',
    args: build('--platform=linux/amd64,linux/arm64'),
    value: [/Invalid platform "linux\/amd64,linux\/arm64": this option takes one platform/],
    // The fix for a list is the plural option.
    fix: [/give a list with platforms \(or PLATFORMS\)/],
  },
  // Engine and option types. Nx checks CLI flags against the generated schema.json before the executor runs, and its
  // message is what the user gets: the value and what the schema expects (nx.json plugin options go through zod).
  {
    name: 'unknown engine (containerd)',
    slug: 'engine',
    args: build('--engine=containerd'),
    value: [/Property 'engine' does not match the schema\. 'containerd'/],
    fix: [/'containerd' should be one of auto,podman,docker/],
  },
  {
    name: 'unknown option (--fooBar)',
    slug: 'unknown-opt',
    args: build('--fooBar=1'),
    value: [/'fooBar' is not found in schema/],
    fix: [],
    noFix:
      'Nx rejects a flag schema.json lacks before the plugin runs, and says only "\'fooBar\' is not found in schema"; the plugin\'s own message for an unknown option ("remove them or check the spelling") shows only for nx.json and project.json options',
  },
  {
    name: 'wrong type: --multiArch=maybe',
    slug: 'multiarch',
    args: build('--multiArch=maybe'),
    value: [/Property 'multiArch' does not match the schema\. 'maybe'/],
    fix: [/'maybe' should be a 'boolean'/],
  },
  {
    name: 'wrong type: buildArgs not a map',
    slug: 'buildargs',
    args: build('--buildArgs=FOO=1'),
    value: [/Property 'buildArgs' does not match the schema\. 'FOO=1'/],
    fix: [/'FOO=1' should be a 'object'/],
  },
  {
    name: 'wrong type: a label with a non-string value',
    slug: 'labels',
    args: build('--labels.version=3'),
    value: [/Property 'version' does not match the schema\. '3'/],
    fix: [/'3' should be a 'string'/],
  },
  {
    name: 'wrong types in the nx.json plugin options (buildArgs value a number, labels a string)',
    slug: 'bi-plugin',
    cwd: wsPlugin,
    project: 'bi-plugin',
    args: () => ['run', 'bi-plugin:docker-build', '--dryRun'],
    value: [/option "buildArgs\.RETRIES": .* \(got 3\)/, /option "labels": .* \(got "team=core"\)/],
    fix: [
      /every buildArgs value must be a string/,
      /labels must be a map of names to string values, e\.g\. \{ "APP_VERSION": "1\.2\.3" \}/,
    ],
  },
  {
    name: 'provenance with podman',
    slug: 'provenance',
    args: build('--provenance'),
    value: [/provenance: true needs docker buildx/],
    fix: [/set engine to docker, or drop the option/],
  },
  {
    name: 'connection and url together',
    slug: 'conn-url',
    args: build('--connection=a', '--url=tcp://127.0.0.1:1'),
    value: [/connection "a" and url "tcp:\/\/127\.0\.0\.1:1" both name a podman service/],
    fix: [/set only one/],
  },
  // Sources
  {
    name: 'a context outside the workspace',
    slug: 'context',
    args: build('--context=../..'),
    value: [/context "\.\.\/\.\." is outside the workspace/],
    fix: [/give a folder inside it, relative to the workspace root/],
    real: true,
  },
  {
    name: 'a missing Dockerfile',
    slug: 'no-dockerfile',
    args: build('--dockerfile=services/context-api/Nope.Dockerfile'),
    value: [/Dockerfile not found: services\/context-api\/Nope\.Dockerfile/],
    fix: [/Add one, or set the dockerfile option \(relative to the workspace root\)/],
  },
  {
    name: 'a Dockerfile syntax error (unknown instruction COPPY)',
    slug: 'bi-syntax',
    cwd: ws,
    project: 'bi-syntax',
    args: () => ['run', 'bi-syntax:docker-build'],
    // Which file and line: the user's Dockerfile, not a temporary copy.
    value: [/services\/bi-syntax\/Dockerfile:3: unknown instruction "COPPY"/],
    fix: [/Dockerfile instructions are FROM, RUN, CMD, LABEL, [^\n]*\bCOPY\b/],
  },
  {
    name: 'an unknown target stage (project.json target "nope")',
    slug: 'bi-stage',
    cwd: ws,
    project: 'bi-stage',
    args: () => ['run', 'bi-stage:docker-build'],
    value: [/target stage "nope" is not in services\/bi-stage\/Dockerfile/],
    // The fix: the stages there are.
    fix: [/its stages are base, production\. Set target to one of them/],
  },
  // Tags and references
  {
    name: 'an empty tag',
    slug: 'tag-empty',
    args: push('--dryRun', '--tag='),
    value: [/Invalid tag ""/],
    fix: [/a tag is 1-128 characters of letters, digits/],
    real: true,
  },
  {
    name: 'a tag with an illegal character (v1/2)',
    slug: 'tag-slash',
    args: push('--dryRun', '--tag=v1/2'),
    value: [/Invalid tag "v1\/2"/],
    fix: [/a tag is 1-128 characters of letters, digits/],
  },
  {
    name: 'IMAGE_TAG malformed (v1+build)',
    slug: 'image-tag',
    args: push('--dryRun'),
    env: () => ({ IMAGE_TAG: 'v1+build' }),
    value: [/Invalid IMAGE_TAG="v1\+build"/],
    fix: [/a tag is 1-128 characters of letters, digits/],
  },
  {
    name: 'an illegal character in the image name (svc!)',
    slug: 'ref-chars',
    args: dryPushAs('svc!'),
    value: [/Invalid image name "[^"]*\/svc!": "svc!"/],
    fix: [/must be lowercase letters and digits separated by "\.", "_", "__" or "-"/],
  },
  {
    name: 'an uppercase image name',
    slug: 'ref-upper',
    args: dryPushAs('Upper/context-api'),
    value: [/Invalid image name "[^"]*\/Upper\/context-api": "Upper"/],
    fix: [/Image names must be lowercase/],
  },
  {
    name: 'a registry with a bad host (bad_host:5000)',
    slug: 'reg-host',
    args: dryPush('--registry=bad_host:5000'),
    value: [/Invalid registry "bad_host:5000"/],
    fix: [/expected a host name with an optional port, e\.g\. quay\.io or 127\.0\.0\.1:5000/],
  },
  {
    name: 'a registry with a scheme (http://...)',
    slug: 'reg-scheme',
    args: dryPush('--registry=http://127.0.0.1:5000'),
    value: [/Invalid registry "http:\/\/127\.0\.0\.1:5000"/],
    fix: [/expected a host name with an optional port, e\.g\. quay\.io or 127\.0\.0\.1:5000/],
  },
  {
    name: 'an empty registry',
    slug: 'reg-empty',
    args: dryPush('--registry='),
    value: [/No registry for context-api/],
    fix: [/set "registry" in the nx-multiarch plugin options in nx\.json/],
  },
  {
    name: 'archTagSuffix without {arch}',
    slug: 'suffix',
    args: push('--dryRun', '--tag=v1', '-c', 'arm64', '--archTagSuffix=-arch'),
    value: [/Property 'archTagSuffix' does not match the schema\. '-arch'/],
    fix: [/should match the pattern '\\\{arch\\\}'/],
  },
  // Environment variables
  {
    name: 'PLATFORMS malformed (";" instead of ",")',
    slug: 'env-platforms',
    args: build(),
    env: () => ({ PLATFORMS: 'linux/amd64;linux/arm64' }),
    // Where the value came from, as for MULTI_ARCH, TARGETARCH and IMG.
    value: [/Invalid PLATFORMS="linux\/amd64;linux\/arm64"/],
    fix: [/PLATFORMS is a comma list, e\.g\. PLATFORMS=linux\/amd64,linux\/arm64/],
  },
  {
    name: 'MULTI_ARCH malformed (maybe)',
    slug: 'env-multiarch',
    args: build(),
    env: () => ({ MULTI_ARCH: 'maybe' }),
    value: [/Invalid MULTI_ARCH="maybe"/],
    fix: [/use true or false/],
  },
  {
    name: 'TARGETARCH malformed (x86-64)',
    slug: 'env-targetarch',
    args: ({ ns }) => ['run', 'context-api:docker-build-single', '--dryRun', `--imageName=${ns}/context-api`],
    env: () => ({ TARGETARCH: 'x86-64' }),
    value: [/Invalid TARGETARCH="x86-64"/],
    fix: [/Use the form os\/arch\[\/variant\], e\.g\. linux\/amd64/],
  },
  {
    name: 'IMG with an uppercase name',
    slug: 'env-img',
    args: () => ['run', 'context-api:docker-push', '--exclude-task-dependencies', `--inputPath=${BUILT}`, '--dryRun'],
    env: ({ ns }) => ({ IMG: `${REGISTRY}/${ns}/Bad:1` }),
    value: [/Invalid IMG="[^"]*\/Bad:1"/],
    fix: [/Image names must be lowercase/],
  },
  {
    name: 'IMG with a digest',
    slug: 'env-img-digest',
    args: () => ['run', 'context-api:docker-push', '--exclude-task-dependencies', `--inputPath=${BUILT}`, '--dryRun'],
    env: ({ ns }) => ({ IMG: `${REGISTRY}/${ns}/context-api@sha256:${'0'.repeat(64)}` }),
    value: [/Invalid IMG="[^"]*@sha256:0{64}"/],
    fix: [/a digest \(@sha256:\.\.\.\) can't be pushed to; give name\[:tag\]/],
    real: true,
  },
  // Pushes and stitches that really run (against the build output from beforeAll)
  {
    name: 'push a platform the build output lacks (linux/s390x)',
    slug: 'push-platform',
    args: push('--tag=v1', '--platform=linux/s390x'),
    value: [/holds linux\/amd64, linux\/arm64, not linux\/s390x/],
    fix: [/build it first \(nx run context-api:docker-build -c s390x\)/],
  },
  {
    name: 'push with no build output at inputPath',
    slug: 'push-nothing',
    args: ({ ns }) => [
      'run',
      'context-api:docker-push',
      '--exclude-task-dependencies',
      `--inputPath=${OUT_ROOT}/never-built`,
      `--imageName=${ns}/context-api`,
      '--tag=v1',
    ],
    value: [/No build output at \S*never-built \(image\.json missing\)/],
    fix: [/run the docker-build target first/],
  },
  {
    name: 'docker-manifest with an unknown platform (linux/amd65)',
    slug: 'manifest',
    args: ({ ns }) => [
      'run',
      'context-api:docker-manifest',
      `--imageName=${ns}/context-api`,
      '--tag=v1',
      '--platforms=linux/amd64,linux/amd65',
    ],
    value: [/Invalid platform "linux\/amd65": unknown architecture "amd65"/],
    fix: [/\(known: amd64, arm64, [^)]*\)/],
  },
  {
    name: 'registry unreachable (127.0.0.1:1)',
    slug: 'reg-down',
    args: push('--tag=v1', '--registry=127.0.0.1:1'),
    // The plugin's own line, not skopeo's raw "dial tcp 127.0.0.1:1: connect: connection refused".
    value: [/Cannot reach the registry 127\.0\.0\.1:1:/],
    fix: [/check it is running and that the registry option \(or IMG\) names the right host:port/],
  },
  {
    name: 'registry TLS error (plain-HTTP 127.0.0.1:5000 with tlsVerify=true)',
    slug: 'verify-on',
    args: push('--tag=v1', `--registry=${REGISTRY}`, '--tlsVerify=true'),
    value: [/TLS with 127\.0\.0\.1:5000 failed/],
    fix: [/set tlsVerify: false for it/, /\/etc\/containers\/certs\.d\/127\.0\.0\.1:5000\/ca\.crt/],
  },
  // Tools missing or too old
  {
    name: 'engine missing: --engine=podman with no podman on PATH',
    slug: 'no-podman',
    args: build('--engine=podman'),
    env: () => ({ PATH: pathWithout(['podman']) }),
    value: [/"podman" was not found on PATH/],
    fix: [/apt-get install podman/],
  },
  {
    name: 'engine missing: engine auto with neither podman nor docker on PATH',
    slug: 'no-engine',
    args: build(),
    env: () => ({ PATH: pathWithout(['podman', 'docker']) }),
    value: [/No container engine found \(engine "auto" looked for podman, then docker\)/],
    fix: [/Install podman >= 3\.4/],
  },
  {
    name: 'docker without the buildx plugin (--engine=docker)',
    slug: 'docker-plain',
    args: realBuild('--engine=docker'),
    value: [/docker is installed but "docker buildx version" did not answer/],
    fix: [/install the buildx plugin \(apt-get install docker-buildx\)/],
  },
  {
    name: 'skopeo missing for docker-push of a built output',
    slug: 'no-skopeo',
    args: push('--tag=v1'),
    env: () => ({ PATH: pathWithout(['skopeo']) }),
    value: [/"skopeo" was not found on PATH/],
    fix: [/apt-get install skopeo/],
  },
  {
    name: 'git missing for docker-push without a tag',
    slug: 'no-git',
    args: push('--dryRun'),
    env: () => ({ PATH: pathWithout(['git']) }),
    value: [/"git" was not found on PATH/],
    fix: [/install git, or set IMAGE_TAG or the tag option/],
  },
  {
    name: 'podman 3.2.0 (a stand-in script on PATH, not a real podman)',
    slug: 'old-podman',
    args: realBuild(),
    env: () => ({ PATH: oldPodmanPath() }),
    value: [/podman 3\.2\.0 is too old/],
    fix: [/need podman 3\.4\.0 or newer/, /Upgrade podman/],
  },
];

/** The rows marked `real`, once more without --dryRun: a failure that really ran. */
const realRows: Row[] = rows
  .filter((row) => row.real)
  .map((row) => ({
    ...row,
    name: `${row.name} (for real)`,
    slug: `${row.slug}-real`,
    args: (ctx) => row.args(ctx).filter((arg) => arg !== '--dryRun'),
    real: true,
  }));
const allRows = [...rows.map((row) => ({ ...row, real: false })), ...realRows];

// ---------------------------------------------------------------------------------------------------------------

let slots = CONCURRENCY;
const waiting: Array<() => void> = [];
async function limited<T>(work: () => Promise<T>): Promise<T> {
  if (slots === 0) await new Promise<void>((resolve) => waiting.push(resolve));
  else slots--;
  try {
    return await work();
  } finally {
    const next = waiting.shift();
    if (next) next();
    else slots++;
  }
}

beforeAll(async () => {
  await requireRealParts(['podman', 'skopeo', 'git']);
  const busybox = `${REGISTRY}/fixtures/busybox:latest`;
  installPlugin(ws);
  writeFiles(ws, {
    '.gitignore': 'node_modules\ndist\n.nx\n',
    'nx.json': `${JSON.stringify({ plugins: [{ plugin: 'nx-multiarch', options: { registry: REGISTRY, imageName: `${BAD}/{projectName}`, buildArgs: { BASE_IMAGE: busybox } } }] }, null, 2)}\n`,
    'services/bi-stage/project.json': JSON.stringify({ name: 'bi-stage', targets: { 'docker-build': { options: { target: 'nope' } } } }),
    'services/bi-stage/Dockerfile':
      'ARG BASE_IMAGE\nFROM ${BASE_IMAGE} AS base\nRUN uname -m > /arch\n\nFROM base AS production\nCMD ["cat", "/arch"]\n',
    'services/bi-syntax/project.json': JSON.stringify({ name: 'bi-syntax' }),
    'services/bi-syntax/Dockerfile': 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\nCOPPY arch /arch\n',
  });
  commitAll(ws, 'bad input workspace');
  installPlugin(wsPlugin);
  writeFiles(wsPlugin, {
    '.gitignore': 'node_modules\ndist\n.nx\n',
    'nx.json': `${JSON.stringify({ plugins: [{ plugin: 'nx-multiarch', options: { registry: REGISTRY, imageName: `${BAD}/{projectName}`, buildArgs: { BASE_IMAGE: busybox, RETRIES: 3 }, labels: 'team=core' } }] }, null, 2)}\n`,
    'services/bi-plugin/project.json': JSON.stringify({ name: 'bi-plugin' }),
    'services/bi-plugin/Dockerfile': 'ARG BASE_IMAGE\nFROM ${BASE_IMAGE}\n',
  });
  commitAll(wsPlugin, 'bad plugin options');

  const built = await nx(['run', 'context-api:docker-build', `--outputPath=${BUILT}`]);
  if (built.exitCode !== 0 || !existsSync(join(workspaceRoot, BUILT, 'image.json')))
    throw new Error(`building context-api for the push rows failed:\n${built.output}`);
});

afterAll(() => {
  rmSync(join(workspaceRoot, OUT_ROOT), { recursive: true, force: true });
  const runDir = dirname(join(workspaceRoot, OUT_ROOT));
  if (existsSync(runDir) && readdirSync(runDir).length === 0) rmSync(runDir, { recursive: true });
});

describe('bad input: non-zero exit, a message naming the value and the fix, registry unchanged, nothing half-done', () => {
  it('covers at least 30 classes, each with its own namespace, a few of them for real', () => {
    expect(rows.length).toBeGreaterThanOrEqual(30);
    expect(new Set(allRows.map((row) => row.slug)).size).toBe(allRows.length);
    expect(realRows.map((row) => row.slug)).toEqual(['plat-bare-real', 'context-real', 'tag-empty-real', 'env-img-digest-real']);
    for (const row of realRows) expect(row.args({ ns: 'ns', out: 'out' })).not.toContain('--dryRun');
  });

  it('every row checks the bad value and the fix, each pattern saying one thing', () => {
    const problems = rows.flatMap((row) => [
      ...(row.value.length === 0 ? [`${row.slug}: no value pattern`] : []),
      ...(row.fix.length === 0 && !row.noFix ? [`${row.slug}: no fix pattern, and no reason why`] : []),
      ...(row.fix.length > 0 && row.noFix ? [`${row.slug}: fix patterns and a noFix reason`] : []),
      ...[...row.value, ...row.fix]
        .filter((pattern) => /(^|[^\\])\|/.test(pattern.source))
        .map((pattern) => `${row.slug}: either/or pattern ${pattern}`),
    ]);
    expect(problems).toEqual([]);
    // The exceptions, named here so that a new one is a visible change: Nx's own message for a flag schema.json lacks.
    expect(rows.filter((row) => row.noFix).map((row) => row.slug)).toEqual(['unknown-opt']);
  });

  it.concurrent.each(allRows.map((row) => [row.name, row] as const))('%s', async (_name, row) => {
    const ns = `${BAD}/${row.slug}`;
    const cwd = row.cwd ?? workspaceRoot;
    const out = `${OUT_ROOT}/${row.slug}`;
    const outputPath = row.project ? `dist/images/services/${row.project}` : out;
    const projectWork = row.project ? [`localhost/nx-multiarch-work/${row.project}:`, `localhost/nx-multiarch-stitch/${row.project}:`] : [];

    const cacheDir = join(scratch, `nx-cache-${row.slug}`);

    const { result, workBefore } = await limited(async () => {
      const workBefore = projectWork.length > 0 ? await localImages(projectWork) : [];
      const env = row.env?.({ ns }) ?? {};
      const result = row.real
        ? await nxWithCache(cwd, row.args({ ns, out }), { ...env, NX_CACHE_DIRECTORY: cacheDir })
        : await nxIn(cwd, row.args({ ns, out }), env);
      return { result, workBefore };
    });
    const message = messageOf(result.output);

    // Temporary manifest lists: those the row's output names, and (throwaway projects) any new one, must be gone.
    let leftoverImages: string[] = [];
    const named = workNamesIn(result.output);
    const prefixes = [...(named.length > 0 ? WORK_PREFIXES : []), ...projectWork];
    for (let deadline = Date.now() + 20_000; prefixes.length > 0;) {
      const present = await localImages(prefixes);
      leftoverImages = present.filter(
        (name) => named.includes(name) || (projectWork.some((p) => name.startsWith(p)) && !workBefore.includes(name)),
      );
      if (leftoverImages.length === 0 || Date.now() > deadline) break;
      await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    const localTagged = await localImages([`${REGISTRY}/${ns}/`]);

    const verdict = {
      exit: result.exitCode === 0 ? 'zero' : 'non-zero',
      unmatched: [...row.value, ...row.fix].filter((pattern) => !pattern.test(message)).map(String),
      inRegistry: await repositoriesUnder(ns),
      pushRecords: pushRecordsNaming(cwd, ns),
      outputs: outputsAt(cwd, outputPath),
      leftoverImages: [...leftoverImages, ...localTagged],
      // A real row's cache folder must have been written to (run.json, the task's terminal output), else the check
      // below says nothing.
      cacheEntries:
        row.real && !existsSync(join(cacheDir, 'terminalOutputs'))
          ? [`${cacheDir} unused: Nx did not run with that cache`]
          : cacheEntries(cacheDir),
    };
    const ok =
      verdict.exit === 'non-zero' &&
      verdict.unmatched.length +
        verdict.inRegistry.length +
        verdict.pushRecords.length +
        verdict.outputs.length +
        verdict.leftoverImages.length +
        verdict.cacheEntries.length ===
        0;
    // On failure the diff shows what nx printed (its last lines), so the row reads without a rerun.
    expect(ok ? verdict : { ...verdict, output: message.trim().split('\n').slice(-25).join('\n') }).toEqual({
      exit: 'non-zero',
      unmatched: [],
      inRegistry: [],
      pushRecords: [],
      outputs: [],
      leftoverImages: [],
      cacheEntries: [],
    });
  });
});
