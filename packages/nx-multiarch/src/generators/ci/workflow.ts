/** The GitHub Actions workflow the ci generator writes, as data; yaml turns it into text (with comments). */
import { Document } from 'yaml';
import type { PackageManagerSetup } from './package-manager';

export const WORKFLOW_PATH = '.github/workflows/docker-push.yml';

export interface WorkflowSettings {
  mainBranch: string;
  nodeVersion: string;
  /** A registry host, or a `${{ vars.REGISTRY }}` expression. */
  registry: string;
  /** Pass --registry to docker-push (when nx.json does not configure the one logged in to). */
  passRegistry: boolean;
  pushTarget: string;
  /** Architectures QEMU must emulate, for setup-qemu-action (e.g. "arm64"). */
  qemuPlatforms: string;
  manifestTarget: string;
  /** --split-by-arch: one job per arch on a native runner, then a stitching job. */
  archJobs?: ArchJob[];
  packageManager: PackageManagerSetup;
  /** The registry is GitHub's (ghcr.io): log in with the workflow's GITHUB_TOKEN, which needs `packages: write`. */
  githubPackages: boolean;
}

interface Step {
  comment?: string;
  step: Record<string, unknown>;
}

/** One per-arch job of a --split-by-arch workflow: its configuration name (the arch) and the runner it needs. */
export interface ArchJob {
  arch: string;
  platform: string;
  /** A hosted runner label, or self-hosted labels for arches GitHub does not host. */
  runsOn: string | string[];
}

/** GitHub-hosted runners exist for amd64 and arm64; other arches need self-hosted runners labelled with their arch. */
export function runnerFor(arch: string): string | string[] {
  if (arch === 'amd64') return 'ubuntu-24.04';
  if (arch === 'arm64') return 'ubuntu-24.04-arm';
  return ['self-hosted', 'linux', arch];
}

const cacheEnv = {
  NX_SELF_HOSTED_REMOTE_CACHE_SERVER: '${{ vars.NX_SELF_HOSTED_REMOTE_CACHE_SERVER }}',
  NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN: '${{ secrets.NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN }}',
};

/** The registry credentials, as step env: GitHub's own token for ghcr.io, repository secrets elsewhere. */
function loginEnv(s: WorkflowSettings): Record<string, string> {
  return s.githubPackages
    ? { REGISTRY: s.registry, REGISTRY_USERNAME: '${{ github.actor }}', REGISTRY_PASSWORD: '${{ secrets.GITHUB_TOKEN }}' }
    : {
        REGISTRY: s.registry,
        REGISTRY_USERNAME: '${{ secrets.REGISTRY_USERNAME }}',
        REGISTRY_PASSWORD: '${{ secrets.REGISTRY_PASSWORD }}',
      };
}

/** Checkout, Node, SHAs, container tools, Nx cache, install, registry login: what every job runs first. QEMU only where it emulates. */
function setupSteps(s: WorkflowSettings, withQemu: boolean): Step[] {
  const pm = s.packageManager;
  return [
    {
      comment: ' Full history: nx affected compares the last successful run (base) with this commit (head).',
      step: { name: 'Check out', uses: 'actions/checkout@v4', with: { 'fetch-depth': 0 } },
    },
    ...pm.setupSteps.map((step) => ({ step })),
    {
      step: {
        name: 'Set up Node.js',
        uses: 'actions/setup-node@v4',
        with: { 'node-version': s.nodeVersion, ...(pm.nodeCache ? { cache: pm.nodeCache } : {}) },
      },
    },
    {
      comment: ' Sets NX_BASE and NX_HEAD: the last commit this workflow succeeded on, and this one.',
      step: { name: 'Base and head SHAs for nx affected', uses: 'nrwl/nx-set-shas@v4', with: { 'main-branch-name': s.mainBranch } },
    },
    ...(withQemu
      ? [
          {
            comment: ' binfmt_misc + QEMU, so RUN steps of foreign platforms run (cross-compiling Dockerfiles need none).',
            step: { name: 'Set up QEMU (binfmt)', uses: 'docker/setup-qemu-action@v3', with: { platforms: s.qemuPlatforms } },
          },
        ]
      : []),
    {
      step: {
        name: 'Container tools (podman, skopeo)',
        run: 'command -v podman >/dev/null && command -v skopeo >/dev/null || { sudo apt-get update && sudo apt-get install -y podman skopeo; }\npodman --version\nskopeo --version\n',
      },
    },
    {
      comment:
        ' The Nx cache. Nx 24 restores a local artifact only when its own database (keyed by machine) knows it, so on\n' +
        ' fresh hosted runners this mostly misses; a remote cache (Nx Cloud, or a self-hosted one through the\n' +
        ' NX_SELF_HOSTED_REMOTE_CACHE_SERVER repository variable below) is what shares builds between runs.',
      step: {
        name: 'Nx cache',
        uses: 'actions/cache@v4',
        with: {
          path: '.nx/cache',
          key: 'nx-${{ runner.os }}-${{ runner.arch }}-${{ github.sha }}',
          'restore-keys': 'nx-${{ runner.os }}-${{ runner.arch }}-',
        },
      },
    },
    { step: { name: 'Install dependencies', run: pm.install } },
    {
      comment:
        (s.githubPackages
          ? " ghcr.io takes the workflow's own GITHUB_TOKEN (permissions: packages: write above): no secret to add.\n"
          : '') +
        ' Credentials come from secrets through the environment and reach podman on stdin: never echoed, never on a\n' +
        ' command line. podman login writes the auth file skopeo (docker-push) reads.',
      step: {
        name: 'Log in to the registry',
        env: loginEnv(s),
        run: 'printf \'%s\' "$REGISTRY_PASSWORD" | podman login "$REGISTRY" --username "$REGISTRY_USERNAME" --password-stdin',
      },
    },
  ];
}

function affectedStep(s: WorkflowSettings, name: string, target: string, comment: string): Step {
  return {
    comment,
    step: {
      name,
      env: { ...(s.passRegistry ? { REGISTRY: s.registry } : {}), ...cacheEnv },
      run: `${s.packageManager.nx} affected -t ${target} --base=$NX_BASE --head=$NX_HEAD${s.passRegistry ? ' --registry="$REGISTRY"' : ''}`,
    },
  };
}

interface Job {
  key: string;
  body: Record<string, unknown>;
  steps: Step[];
}

function jobs(s: WorkflowSettings): Job[] {
  if (!s.archJobs) {
    return [
      {
        key: 'docker-push',
        body: { 'runs-on': 'ubuntu-latest', 'timeout-minutes': 60 },
        steps: [
          ...setupSteps(s, true),
          affectedStep(
            s,
            'Build and push affected images',
            s.pushTarget,
            ' Builds (or restores from the Nx cache) and pushes every affected image, all platforms in one manifest list.',
          ),
        ],
      },
    ];
  }
  const perArch = s.archJobs.map((job) => ({
    key: `push-${job.arch}`,
    body: { 'runs-on': job.runsOn, 'timeout-minutes': 60 },
    steps: [
      ...setupSteps(s, false),
      affectedStep(
        s,
        `Build and push ${job.platform} images`,
        `${s.pushTarget} -c ${job.arch}`,
        ` Native ${job.platform} runner: builds only ${job.platform} and pushes it by digest as <tag>-${job.arch}.`,
      ),
    ],
  }));
  const stitch = {
    key: 'stitch',
    body: { needs: perArch.map((job) => job.key), 'runs-on': 'ubuntu-latest', 'timeout-minutes': 30 },
    steps: [
      ...setupSteps(s, false),
      affectedStep(
        s,
        'Stitch the manifest lists',
        s.manifestTarget,
        ' After every arch job: checks each <tag>-<arch> is there and is that platform, then pushes <tag> as the list, last.',
      ),
    ],
  };
  return [...perArch, stitch];
}

export function renderWorkflow(s: WorkflowSettings): string {
  const all = jobs(s);
  const doc = new Document({
    name: 'docker-push',
    on: { push: { branches: [s.mainBranch] }, workflow_dispatch: {} },
    permissions: { contents: 'read', actions: 'read', ...(s.githubPackages ? { packages: 'write' } : {}) },
    concurrency: { group: 'docker-push-${{ github.ref }}', 'cancel-in-progress': false },
    jobs: Object.fromEntries(all.map((job) => [job.key, { ...job.body, steps: job.steps.map((step) => step.step) }])),
  });
  doc.commentBefore =
    " Generated by nx g nx-multiarch:ci. Builds every affected project's multi-arch image (nx-multiarch plugin) and\n" +
    ` pushes it. ${s.githubPackages ? "Registry login: the workflow's GITHUB_TOKEN." : 'Secrets: REGISTRY_USERNAME, REGISTRY_PASSWORD.'}` +
    ' Optional variable: NX_SELF_HOSTED_REMOTE_CACHE_SERVER\n (and secret NX_SELF_HOSTED_REMOTE_CACHE_ACCESS_TOKEN) for a shared Nx cache.';
  (doc.get('permissions', true) as { commentBefore?: string }).commentBefore =
    " contents: read to check out; actions: read for nx-set-shas, which reads this workflow's past runs" +
    (s.githubPackages ? ';\n packages: write for GITHUB_TOKEN to push to ghcr.io.' : '.');
  for (const job of all) {
    const seq = doc.getIn(['jobs', job.key, 'steps'], true) as { items: Array<{ commentBefore?: string }> };
    job.steps.forEach((step, i) => {
      if (step.comment) seq.items[i].commentBefore = step.comment;
    });
  }
  return doc.toString({ lineWidth: 0 });
}
