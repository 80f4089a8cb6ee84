/**
 * docker-build-single --kind on real nx and real podman, with the image then imported into a real containerd exactly
 * as kind imports it inside a node. There is no kind binary on these machines: a stand-in `kind` script records how
 * the plugin called it and keeps the archive it was given.
 */
import { accessSync, constants, existsSync, readFileSync } from 'node:fs';
import { chmod, mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { delimiter, isAbsolute, join } from 'node:path';
import { hostPlatform } from '../src/image/platform';
import { startContainerd, type Containerd } from './containerd';
import { command, nx, requireRealParts } from './harness';

jest.setTimeout(10 * 60 * 1000);

const STAND_IN = '(kind stand-in: no kind binary on these machines)';
const HOST = hostPlatform();

let scratch: string;
let standInBin: string;
let records: string;
let kubeconfig: string;
let containerd: Containerd | undefined;

const recorded = (name: string) => join(records, name);
const lines = (path: string) =>
  readFileSync(path, 'utf8')
    .split('\n')
    .filter((line) => line !== '');

function standInScript(recordDir: string): string {
  const rec = `'${recordDir.replace(/'/g, `'\\''`)}'`;
  return `#!/bin/sh
# kind stand-in for the tests: no kind binary on these machines.
set -eu
REC=${rec}
printf '%s\\n' "\${1-}" >> "$REC/calls"
case "\${1-}" in
  version)
    echo "kind v0.0.0-stand-in go1.0 linux/stand-in"
    ;;
  load)
    if [ "\${2-}" != image-archive ] || [ "$#" -lt 3 ]; then
      echo "kind stand-in: only 'load image-archive <archive> ...' is supported, got: $*" >&2
      exit 2
    fi
    printf '%s\\n' "$@" > "$REC/argv"
    printf '%s' "\${KIND_EXPERIMENTAL_PROVIDER-<unset>}" > "$REC/provider"
    # The plugin deletes its temp folder afterwards: keep the archive.
    cp "$3" "$REC/image.tar"
    echo "kind stand-in: loaded $3"
    ;;
  *)
    echo "kind stand-in: unsupported command: $*" >&2
    exit 2
    ;;
esac
`;
}

const KUBECONFIG_KIND_DEV = `apiVersion: v1
kind: Config
clusters:
  - name: kind-dev
    cluster: { server: "https://127.0.0.1:6443" }
  - name: prod
    cluster: { server: "https://prod.example.invalid:6443" }
contexts:
  - name: kind-dev
    context: { cluster: kind-dev, user: kind-dev }
  - name: prod
    context: { cluster: prod, user: prod }
current-context: kind-dev
users:
  - name: kind-dev
    user: {}
  - name: prod
    user: {}
`;

/** PATH with the stand-in in front. */
const pathWithStandIn = () => [standInBin, process.env.PATH ?? ''].join(delimiter);

/** The rest of PATH, without any directory that holds a `kind` (the stand-in's, or a real one should one appear). */
function pathWithoutKind(): string {
  const hasKind = (dir: string) => {
    try {
      accessSync(join(dir, 'kind'), constants.X_OK);
      return true;
    } catch {
      return false;
    }
  };
  return (process.env.PATH ?? '')
    .split(delimiter)
    .filter((dir) => dir !== '' && dir !== standInBin && !hasKind(dir))
    .join(delimiter);
}

interface ImageRow {
  ref: string;
  digest: string;
  platforms: string;
}

/** `ctr images ls`: a tabwriter table, so each column starts where its header does. */
function parseImageList(output: string): ImageRow[] {
  const [header, ...rows] = output.split('\n').filter((line) => line.trim() !== '');
  const names = ['REF', 'TYPE', 'DIGEST', 'SIZE', 'PLATFORMS', 'LABELS'];
  const starts = names.map((name) => header.search(new RegExp(`\\b${name}\\b`)));
  if (starts.some((start, i) => start < 0 || (i > 0 && start <= starts[i - 1])))
    throw new Error(`unexpected ctr images ls header:\n${output}`);
  const column = (row: string, name: string) => {
    const i = names.indexOf(name);
    return row.slice(starts[i], i + 1 < starts.length ? starts[i + 1] : undefined).trim();
  };
  return rows.map((row) => ({ ref: column(row, 'REF'), digest: column(row, 'DIGEST'), platforms: column(row, 'PLATFORMS') }));
}

beforeAll(async () => {
  await requireRealParts(['podman', 'containerd', 'ctr']);
  scratch = await mkdtemp(join(tmpdir(), 'nxm-kind-e2e-'));
  standInBin = join(scratch, 'bin');
  records = join(scratch, 'records');
  kubeconfig = join(scratch, 'kubeconfig');
  await mkdir(standInBin);
  await writeFile(join(standInBin, 'kind'), standInScript(records));
  await chmod(join(standInBin, 'kind'), 0o755);
  await writeFile(kubeconfig, KUBECONFIG_KIND_DEV);
  containerd = await startContainerd();
});

afterAll(async () => {
  await containerd?.stop();
  if (scratch) await rm(scratch, { recursive: true, force: true });
});

beforeEach(async () => {
  await rm(records, { recursive: true, force: true });
  await mkdir(records);
});

describe(`docker-build-single --kind ${STAND_IN}`, () => {
  it(`bare --kind loads into the cluster of the kind-dev kube-context, and the archive imports into real containerd as kind does, with exactly ${HOST}`, async () => {
    const result = await nx(['run', 'context-api:docker-build-single', '--kind'], {
      PATH: pathWithStandIn(),
      KUBECONFIG: kubeconfig,
      KIND_EXPERIMENTAL_PROVIDER: 'podman',
    });
    expect(result.exitCode).toBe(0);
    // A real build ran (this is what the kind-missing test looks for and must not find).
    expect(result.output).toMatch(/STEP \d+\/\d+/);
    expect(result.output).toContain('the current kube-context kind-dev is a KIND cluster');

    // kind version first (fail fast), then one load.
    expect(lines(recorded('calls'))).toEqual(['version', 'load']);
    const argv = lines(recorded('argv'));
    expect(argv).toEqual(['load', 'image-archive', expect.stringMatching(/image\.tar$/), '--name', 'dev']);
    const archive = argv[2];
    expect(isAbsolute(archive)).toBe(true);
    expect(existsSync(archive)).toBe(false); // the plugin removed its temp folder
    expect(readFileSync(recorded('provider'), 'utf8')).toBe('podman');

    const reference = /image loaded as (\S+)/.exec(result.output)?.[1];
    expect(reference).toBeDefined();
    const copy = recorded('image.tar');
    const manifest = await command(['tar', '-xOf', copy, 'manifest.json']);
    expect(manifest).toMatchObject({ exitCode: 0 });
    expect(JSON.parse(manifest.stdout)).toEqual([expect.objectContaining({ RepoTags: [reference] })]);

    // What kind runs in each node (it streams the archive to stdin; a file argument is the same import).
    // The native snapshotter unpacks with plain copies, so it works without overlayfs; no --no-unpack needed.
    const imported = await containerd!.ctr([
      '-n',
      'k8s.io',
      'images',
      'import',
      '--all-platforms',
      '--digests',
      '--snapshotter',
      'native',
      copy,
    ]);
    expect(imported).toMatchObject({ exitCode: 0 });
    expect(imported.output).toContain(`unpacking ${reference} `);

    const listed = await containerd!.ctr(['-n', 'k8s.io', 'images', 'ls']);
    expect(listed).toMatchObject({ exitCode: 0 });
    const rows = parseImageList(listed.stdout);
    const image = rows.find((row) => row.ref === reference);
    expect(image).toBeDefined();
    expect(image!.platforms).toBe(HOST);
    expect(image!.digest).toMatch(/^sha256:[0-9a-f]{64}$/);
    // Nothing else: only the image and the digest-named copy --digests makes of it, both of the host platform alone.
    expect(rows.filter((row) => row.ref !== reference)).toEqual([
      { ref: expect.stringMatching(new RegExp(`@${image!.digest}$`)), digest: image!.digest, platforms: HOST },
    ]);
  });

  it('--kind=other loads into cluster other, whatever the kube-context', async () => {
    const result = await nx(['run', 'context-api:docker-build-single', '--kind=other'], {
      PATH: pathWithStandIn(),
      KUBECONFIG: kubeconfig,
    });
    expect(result.exitCode).toBe(0);
    expect(result.output).toContain('KIND cluster other (--kind=other)');
    expect(result.output).not.toContain('is a KIND cluster');
    expect(lines(recorded('calls'))).toEqual(['version', 'load']);
    expect(lines(recorded('argv'))).toEqual(['load', 'image-archive', expect.stringMatching(/image\.tar$/), '--name', 'other']);
    expect(readFileSync(recorded('provider'), 'utf8')).toBe(process.env.KIND_EXPERIMENTAL_PROVIDER ?? '<unset>'); // passed through as inherited, never invented
  });

  it('fails before building when kind is not on PATH, naming kind and how to install it', async () => {
    const path = pathWithoutKind();
    // The rest of PATH is kept: podman (and node) are still there, so only kind can be what is missing.
    expect(path.split(delimiter).some((dir) => existsSync(join(dir, 'podman')))).toBe(true);
    const result = await nx(['run', 'context-api:docker-build-single', '--kind'], { PATH: path, KUBECONFIG: kubeconfig });
    expect(result.exitCode).not.toBe(0);
    expect(result.output).toContain('"kind" was not found on PATH');
    expect(result.output).toContain('https://kind.sigs.k8s.io/');
    expect(result.output).not.toMatch(/STEP \d+\/\d+/);
    expect(result.output).not.toContain('image loaded as');
    expect(existsSync(recorded('calls'))).toBe(false);
  });
});
