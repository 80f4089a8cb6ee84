/**
 * Which docker-build tasks really ran the engine, read from podman's event log rather than from Nx's output (Nx
 * replays a cached task's output, so a build's own lines prove nothing). Every podman docker-build ends in one
 * `podman manifest push ... oci:<outputPath>.partial-<pid>-<hex>/oci:latest`, which podman logs as a push event
 * naming that path: the workspace folder and the project root are in it, so builds of other workspaces (other tests,
 * other people on the machine) never count. podman keeps one event log per host whatever the storage
 * (CONTAINERS_STORAGE_CONF), so builds into an isolatedStorage() store are counted too.
 */
import { execa } from './processes';

export interface EngineBuild {
  /** project root, from the output path */
  root: string;
  /** the output folder the root is under: `dist/images`, or `dist/images-per-arch/<arch>` for a per-arch build */
  outputs: string;
  time: Date;
}

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/** The engine builds of `workspace` while `run` ran, oldest first. */
export async function engineBuildsDuring<T>(workspace: string, run: () => Promise<T>): Promise<{ result: T; builds: EngineBuild[] }> {
  const start = Date.now();
  const result = await run();
  const end = Date.now();
  // podman 4.3 answers nothing for an --until in the past, so the window's end is applied here.
  const events = await execa('podman', [
    'events',
    '--since',
    String(Math.floor(start / 1000) - 1),
    '--stream=false',
    '--filter',
    'event=push',
    '--format',
    '{{json .}}',
  ]);
  const pattern = new RegExp(`^oci:${escape(workspace)}/(dist/images(?:-per-arch/[^/]+)?)/(.+)\\.partial-\\d+-[0-9a-f]+/oci:latest$`);
  const builds = events.stdout
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as { Name?: string; Time: string })
    .map((event) => ({ match: pattern.exec(event.Name ?? ''), time: new Date(event.Time) }))
    .filter(({ match, time }) => match && time.getTime() >= start && time.getTime() <= end)
    .map(({ match, time }) => ({ outputs: match![1], root: match![2], time }))
    .sort((a, b) => a.time.getTime() - b.time.getTime());
  return { result, builds };
}

/**
 * The images (manifest lists included) in the podman store an isolatedStorage() environment names: an engine store
 * that must stay empty is evidence that nothing was built or pulled into it.
 */
export async function imagesInStore(storageEnv: Record<string, string>): Promise<string[]> {
  const listed = await execa('podman', ['images', '--all', '--format', 'json'], { env: storageEnv });
  return (JSON.parse(listed.stdout || '[]') as Array<{ Id: string; Names?: string[] }>).map((image) => image.Names?.[0] ?? image.Id);
}

/** The storage driver of the host's podman store (overlay here): an isolated store to compare digests with needs it. */
export async function hostStorageDriver(): Promise<string> {
  return (await execa('podman', ['info', '--format', '{{.Store.GraphDriverName}}'])).stdout.trim();
}
