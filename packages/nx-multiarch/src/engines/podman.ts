import { readFile } from 'node:fs/promises';
import { dirname, join, relative } from 'node:path';
import { EngineOptionError, UnsupportedEngineVersionError } from '../core/errors';
import { findPlatformLeaks, platformLeakWarning } from '../dockerfile/platform-leak';
import { archKey } from '../image/platform';
import { podmanBuildFile } from './podman-build-file';
import { placeholderPin, resolveBasePins, uniquePulls, type PinnedBase } from './podman-bases';
import { run, type Step } from '../run/exec';
import {
  commonBuildFlags,
  compareVersions,
  type BuildRequest,
  type Engine,
  type MultiArchRequest,
  type Plan,
  type RemoteBuilder,
} from './types';

/** Builds platforms in parallel: locally, for more than one platform, with jobs > 1. */
const parallel = (request: BuildRequest & { platforms?: string[]; jobs?: number }) =>
  !request.remote && (request.platforms?.length ?? 0) > 1 && (request.jobs ?? 1) > 1;

/** Each platform's base pulled by digest, one at a time, and named for the FROM that uses it (see podman-bases.ts). */
function basePullSteps(podmanArgv: string[], pins: PinnedBase[], present: boolean): Step[] {
  const pulled = new Set<string>();
  return uniquePulls(pins).flatMap((pull) => {
    const key = `${pull.source}\0${pull.platform}`;
    const first = !pulled.has(key);
    pulled.add(key);
    const prefix = `pull ${pull.platform}`;
    const onlyOnRetry = present ? { onlyOnRetry: true } : {};
    return [
      ...(first
        ? [
            {
              description: `pull ${pull.source} for ${pull.platform}`,
              argv: [...podmanArgv, 'pull', '--platform', pull.platform, pull.source],
              prefix,
              ...onlyOnRetry,
            },
          ]
        : []),
      { description: `name it ${pull.name} for the build`, argv: [...podmanArgv, 'tag', pull.image, pull.name], prefix, ...onlyOnRetry },
    ];
  });
}

const MIN_VERSION = '3.4.0';

/**
 * podman 4.x loses a base image it has just pulled when parallel builds pull other platforms of the same tag
 * ("locating pulled image ...: image not known"); the storage is fine and the same build then succeeds.
 * A pinned base's local name can go missing too: `podman tag` before 4.8 reads an image's names and writes them back
 * with its own added, so two podman processes naming the same image at once keep only one's name (14 of 15 tries
 * here); a `--jobs 2` build has failed to find a name that was in the store, with nothing else running; and a name the
 * plugin remembers (KnownBaseNames) may have been removed from the store since. podman then asks a registry called
 * localhost for it (three tries, 2 s apart); starting again pulls and names the bases again.
 */
export const TRANSIENT_ENGINE_ERROR =
  /locating pulled image .*image not known|layer not known|initializing source docker:\/\/localhost\/nx-multiarch-base\//;
export const PODMAN_RETRY = {
  on: TRANSIENT_ENGINE_ERROR,
  reason:
    'podman could not find an image or the local name of a base (lost to a race between parallel builds, a known podman 4.x problem, or removed from the store since an earlier build)',
};
const retrying = (plan: Plan): Plan => ({ ...plan, retry: PODMAN_RETRY });

/** `podman` plus the global flags that send the command to a remote service (podman system service / podman machine). */
function podmanCommand(remote: RemoteBuilder | undefined): string[] {
  if (remote?.builder) {
    throw new EngineOptionError(
      `builder "${remote.builder}" is a docker buildx option: with podman use connection (a podman system connection) or url (e.g. tcp://host:8080).`,
    );
  }
  if (remote?.connection && remote.url) {
    throw new EngineOptionError(`connection "${remote.connection}" and url "${remote.url}" both name a podman service: set only one.`);
  }
  return ['podman', ...(remote?.connection ? ['--connection', remote.connection] : []), ...(remote?.url ? ['--url', remote.url] : [])];
}

/** Always explicit: an insecure entry in registries.conf must not turn verification off behind the option's back. */
const tlsFlags = (verify: boolean) => [`--tls-verify=${verify}`];

const timestampFlags = (epoch: number | undefined) => (epoch === undefined ? [] : ['--timestamp', String(epoch)]);

/**
 * podman before 4.5 (buildah 1.30) does not predefine BUILDPLATFORM/BUILDOS/BUILDARCH, so a cross-compiling
 * `FROM --platform=$BUILDPLATFORM` stage would silently run the target's toolchain under emulation. Passing
 * them (unless the user did) gives the same values newer engines predefine.
 */
function withBuildPlatformArgs(request: BuildRequest): BuildRequest {
  const [os, arch] = request.buildPlatform.split('/');
  return { ...request, buildArgs: { BUILDPLATFORM: request.buildPlatform, BUILDOS: os, BUILDARCH: arch, ...request.buildArgs } };
}

/** `podman build` with the flags every build shares; `output` names what it produces (--tag x / --manifest x). */
function buildArgv(podmanArgv: string[], request: BuildRequest, platforms: string, output: string[]): string[] {
  return [
    ...podmanArgv,
    'build',
    '--platform',
    platforms,
    ...output,
    ...timestampFlags(request.sourceDateEpoch),
    ...commonBuildFlags(withBuildPlatformArgs(request)),
    ...request.extraArgs,
    request.context,
  ];
}

/**
 * A podman service writes `manifest push` destinations on its own machine and only pushes lists to registries, so a
 * remote build builds each platform as an image and streams it back with `save` (which remote podman supports).
 */
function planRemoteMultiArch(request: MultiArchRequest, podmanArgv: string[]): Plan {
  const images = request.platforms.map((platform) => {
    const arch = archKey(platform);
    return { platform, name: `${request.workName}-${arch}`, archive: join(dirname(request.layoutDir), 'archives', `${arch}.tar`) };
  });
  return {
    steps: images.flatMap((image) => [
      {
        description: `build ${image.platform} as ${image.name} on the podman service`,
        platform: image.platform,
        argv: buildArgv(podmanArgv, request, image.platform, ['--tag', image.name]),
      },
      {
        description: `fetch ${image.platform} from the podman service as an oci-archive`,
        argv: [...podmanArgv, 'save', '--format', 'oci-archive', '--output', image.archive, image.name],
      },
    ]),
    archives: images.map((image) => ({ platform: image.platform, path: image.archive })),
    cleanup: images.map((image) => ({ description: `remove ${image.name}`, argv: [...podmanArgv, 'rmi', image.name] })),
  };
}

export const podman: Engine = {
  name: 'podman',
  versionStep: { argv: ['podman', '--version'], description: 'podman version' },
  versionMayFail: false,
  supported: 'podman 3.4 or newer',
  parseVersion: (output) => /(\d+\.\d+\.\d+\S*)/.exec(output)?.[1] ?? 'unknown',
  assertSupported(version) {
    if (compareVersions(version, MIN_VERSION) < 0) {
      throw new UnsupportedEngineVersionError(
        `podman ${version} is too old: multi-platform builds (podman build --platform a,b --manifest) need podman ${MIN_VERSION} or newer. ` +
          'Upgrade podman (Debian 12 / Ubuntu 22.04 and later ship a new enough one), or use engine "docker" with buildx.',
      );
    }
  },
  async preflight(dockerfile, cwd, version) {
    const leaks = findPlatformLeaks(await readFile(dockerfile, 'utf8'));
    return leaks.length > 0 ? [platformLeakWarning(relative(cwd, dockerfile), version, leaks)] : [];
  },
  async prepare(request, context) {
    const multi = request as typeof request & { platforms?: string[]; jobs?: number };
    const slotRequest = parallel(multi)
      ? { buildArgs: request.buildArgs, platforms: multi.platforms!, buildPlatform: request.buildPlatform }
      : undefined;
    const built = await podmanBuildFile(context.project, context.workspaceRoot, request, context.rewriteBases, slotRequest);
    return {
      request: {
        ...request,
        dockerfile: built.dockerfile,
        labels: built.labels,
        ...(built.slots.length > 0 ? { baseSlots: built.slots } : {}),
      },
      bases: built.bases,
      files: [built.file],
      notes: built.notes,
    };
  },
  async resolveBases(request, cwd, known) {
    if (!request.baseSlots?.length) return request;
    const podmanArgv = podmanCommand(request.remote);
    // skopeo reads a registry without setting up podman's store (20 ms against 0.4 s here); podman reads what skopeo
    // can't: a list only in the local store, or any base when skopeo is not installed.
    const inspect = async (image: string) => {
      const description = `read the manifest list of ${image}`;
      const raw = await run({ description, argv: ['skopeo', 'inspect', '--raw', `docker://${image}`] }, { cwd, allowFailure: true }).catch(
        () => undefined,
      );
      if (raw?.exitCode === 0) return raw.stdout;
      return (await run({ description, argv: [...podmanArgv, 'manifest', 'inspect', image] }, { cwd })).stdout;
    };
    const basePins = await resolveBasePins(request.baseSlots, inspect);
    // One engine call instead of a pull and a tag per platform: the names are made of the bases' content, so a name
    // in the store names the right image. None when the store was seen holding them all: that podman process costs
    // 0.04 s in an empty store and about 1 s in one of 11,000 images, and a name removed since fails the build
    // (TRANSIENT_ENGINE_ERROR), whose restart pulls and names the bases again.
    const names = [...new Set(uniquePulls(basePins).map((pull) => pull.name))];
    if (known?.has(names)) return { ...request, basePins, basePinsPresent: true };
    const found = await run(
      { description: 'look for the bases named already', argv: [...podmanArgv, 'image', 'inspect', '--format', '{{.Id}}', ...names] },
      { cwd, allowFailure: true },
    );
    if (found.exitCode === 0) known?.remember(names);
    return { ...request, basePins, basePinsPresent: found.exitCode === 0 };
  },
  planMultiArch(request) {
    if (request.provenance) {
      throw new EngineOptionError(
        'provenance: true needs docker buildx (podman does not write provenance attestations): set engine to docker, or drop the option.',
      );
    }
    const podmanArgv = podmanCommand(request.remote);
    if (request.remote) return retrying(planRemoteMultiArch(request, podmanArgv));
    const pins = request.basePins ?? (request.baseSlots ?? []).map(placeholderPin);
    const pinArgs = Object.fromEntries(pins.map((p) => [p.arg, p.value]));
    const jobs = parallel(request) ? ['--jobs', String(request.jobs)] : [];
    return retrying({
      steps: [
        ...basePullSteps(podmanArgv, pins, request.basePinsPresent === true),
        {
          description: `build ${request.platforms.join(', ')} into manifest list ${request.workName}`,
          // --jobs before the user's extraArgs, so a --jobs there wins.
          argv: buildArgv(
            podmanArgv,
            { ...request, buildArgs: { ...request.buildArgs, ...pinArgs }, extraArgs: [...jobs, ...request.extraArgs] },
            request.platforms.join(','),
            ['--manifest', request.workName],
          ),
        },
        {
          description: 'write the manifest list and its images as an OCI layout, then remove the temporary list',
          // --rm: the export removes the list itself when it succeeds, one podman process fewer than a manifest rm after it
          argv: [...podmanArgv, 'manifest', 'push', '--all', '--rm', request.workName, `oci:${request.layoutDir}:latest`],
        },
      ],
      cleanup: [{ description: 'remove the temporary manifest list', argv: [...podmanArgv, 'manifest', 'rm', request.workName] }],
      cleanupAfterFailureOnly: true,
    });
  },
  planSingle(request) {
    return retrying({
      steps: [
        {
          description: `build ${request.platform} as ${request.reference}`,
          argv: buildArgv(podmanCommand(request.remote), request, request.platform, ['--tag', request.reference]),
        },
      ],
      cleanup: [],
    });
  },
  saveArchive(reference, archive, remote) {
    return {
      description: `save ${reference} as a docker-archive`,
      argv: [...podmanCommand(remote), 'save', '--format', 'docker-archive', '--output', archive, reference],
    };
  },
  planStitch(request) {
    const podmanArgv = podmanCommand(request.remote);
    return retrying({
      steps: [
        { description: `create manifest list ${request.workName}`, argv: [...podmanArgv, 'manifest', 'create', request.workName] },
        ...request.sources.map((source) => ({
          description: `add ${source}`,
          argv: [...podmanArgv, 'manifest', 'add', ...tlsFlags(request.tlsVerify), request.workName, `docker://${source}`],
        })),
        // --all=false: the images are in the registry already; only the list goes up, after them, so no tag points to a partial list.
        ...request.destinations.map((destination) => ({
          description: `push the list to ${destination}`,
          argv: [
            ...podmanArgv,
            'manifest',
            'push',
            '--all=false',
            '--format',
            request.format,
            ...tlsFlags(request.tlsVerify),
            request.workName,
            `docker://${destination}`,
          ],
        })),
      ],
      cleanup: [{ description: 'remove the temporary manifest list', argv: [...podmanArgv, 'manifest', 'rm', request.workName] }],
    });
  },
};
