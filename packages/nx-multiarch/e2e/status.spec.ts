/**
 * `nx g nx-multiarch:status` in this workspace, after a real build and push of two services: the page has a row for
 * exactly the projects the real project graph gives a docker-build target, and every cell of the two services' rows
 * matches image.json, the push records, and what the registry serves (read back with skopeo).
 */
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { describeIndex } from '../src/image/oci-layout';
import type { PushRecord } from '../src/image/push-record';
import { formatSize } from '../src/image/record';
import { parsePageTables, type PageTables } from '../src/generators/status/parse';
import { nx, readRecordSync, REGISTRY, remoteRaw, requireRealParts, RUN_ID, runNx, stripAnsi, workspaceRoot } from './harness';

jest.setTimeout(15 * 60 * 1000);

const SERVICES = ['context-api', 'data-storage'];
const NAMESPACE = `${RUN_ID}-status`;
const TAG = 'status';
const OUTPUT = `dist/status-e2e-${RUN_ID}.md`;

const status = (...args: string[]) => runNx(['g', 'nx-multiarch:status', `--output=${OUTPUT}`, '--no-interactive', ...args]);
const readPage = () => readFileSync(join(workspaceRoot, OUTPUT), 'utf8');
const row = (tables: PageTables, section: string, project: string) => {
  const found = tables[section]?.find((r) => r.project === project);
  if (!found) throw new Error(`no ${project} row in "${section}" of ${OUTPUT}`);
  return found;
};

/** Every distinct blob the registry holds for the list: its own bytes, each manifest's, each config and layer once. */
async function registryBytes(reference: string, index: { raw: string; json: any }, repository: string): Promise<number> {
  const sizes = new Map<string, number>([[reference, Buffer.byteLength(index.raw)]]);
  for (const entry of index.json.manifests as Array<{ digest: string }>) {
    const manifest = await remoteRaw(`${repository}@${entry.digest}`);
    sizes.set(entry.digest, Buffer.byteLength(manifest.raw));
    for (const blob of [manifest.json.config, ...manifest.json.layers] as Array<{ digest: string; size: number }>)
      sizes.set(blob.digest, blob.size);
  }
  return [...sizes.values()].reduce((sum, size) => sum + size, 0);
}

/** The unrounded seconds a single-arch cell was made from: a per-arch build's image.json, or a platform of the multi-arch one. */
function singleArchSource(name: string, cell: string): number {
  const measured = /^\S+ \(measured: (\S+) per-arch build\)$/.exec(cell);
  if (measured) {
    const perArch = JSON.parse(
      readFileSync(join(workspaceRoot, 'dist', 'images-per-arch', measured[1], 'services', name, 'image.json'), 'utf8'),
    );
    return perArch.buildSeconds;
  }
  const estimated = /^\S+ \(estimated: slowest platform of the multi-arch build, (\S+)\)$/.exec(cell);
  if (!estimated) throw new Error(`unexpected single-arch cell for ${name}: ${cell}`);
  const seconds = readRecordSync(`services/${name}`).platforms.find((p) => p.platform === estimated[1])?.seconds;
  if (typeof seconds !== 'number') throw new Error(`${name}: image.json has no seconds for ${estimated[1]}`);
  return seconds;
}

let page: string;
let tables: PageTables;

beforeAll(async () => {
  await requireRealParts();
  const push = await nx([
    'run-many',
    '-t',
    'docker-push',
    '-p',
    SERVICES.join(','),
    `--imageName=${NAMESPACE}/{projectName}`,
    `--tag=${TAG}`,
  ]);
  if (push.exitCode !== 0) throw new Error(`docker-push failed:\n${push.output}`);
  const result = await status();
  if (result.exitCode !== 0) throw new Error(`nx g nx-multiarch:status failed:\n${result.output}`);
  page = readPage();
  tables = parsePageTables(page);
});

afterAll(() => rmSync(join(workspaceRoot, OUTPUT), { force: true }));

describe('nx g nx-multiarch:status', () => {
  it('has a row for exactly the projects the real project graph gives a docker-build target', async () => {
    // the unit specs mock the graph; here Nx builds it, and nx show projects reads the same graph
    const shown = await runNx(['show', 'projects', '--with-target', 'docker-build', '--json']);
    if (shown.exitCode !== 0) throw new Error(`nx show projects failed:\n${shown.output}`);
    const projects = (JSON.parse(shown.stdout) as string[]).sort((a, b) => a.localeCompare(b));
    expect(projects).toEqual(expect.arrayContaining(SERVICES));
    expect(tables['Services with Dockerfiles'].map((r) => r.project)).toEqual(projects);
  });

  it.each(SERVICES)('%s: the services row names its Dockerfile, inferred targets, readiness', (name) => {
    expect(row(tables, 'Services with Dockerfiles', name)).toMatchObject({
      Dockerfile: `\`services/${name}/Dockerfile\``,
      targets: expect.stringMatching(/^inferred: .*\bdocker-build\b.*\bdocker-push\b/),
      'multi-arch ready': expect.stringMatching(/^yes \(0 errors, \d+ warnings?\)/),
      deprecated: 'no',
    });
  });

  it.each(SERVICES)('%s: the verification row matches image.json, the push record and the registry', async (name) => {
    const record = readRecordSync(`services/${name}`);
    const pushed = JSON.parse(readFileSync(join(workspaceRoot, 'dist', 'push-records', 'services', `${name}.json`), 'utf8')) as PushRecord;
    const reference = `${REGISTRY}/${NAMESPACE}/${name}:${TAG}`;
    const remote = await remoteRaw(reference);
    const cells = row(tables, 'Verification', name);

    expect(cells['last build']).toBe(`${record.created} (image created)`);
    expect(cells.platforms).toBe(record.platforms.map((p) => p.platform).join(', '));
    expect(cells['index digest']).toBe(`\`${record.index.digest}\``);
    // what the registry serves under the pushed tag is the index on the page
    expect(cells['index digest']).toBe(`\`${remote.digest}\``);
    expect(cells['platform digests']).toBe(record.platforms.map((p) => `${p.platform}: \`${p.digest}\``).join('\n'));
    const remotePlatforms = describeIndex(remote.json)
      .map((p) => `${p.platform}: \`${p.digest}\``)
      .sort();
    expect(cells['platform digests'].split('\n').sort()).toEqual(remotePlatforms);
    expect(pushed.references).toContain(reference);
    expect(cells['last push + verify'].split('\n')[0]).toBe(pushed.verifiedAt);
    expect(cells['pushed references'].split('\n')).toContain(reference);
    expect(cells['verify result'].split('\n')[0]).toBe('ok (index)');
  });

  it.each(SERVICES)('%s: the performance row matches image.json and what the registry holds', async (name) => {
    const record = readRecordSync(`services/${name}`);
    const reference = `${REGISTRY}/${NAMESPACE}/${name}:${TAG}`;
    const remote = await remoteRaw(reference);
    const cells = row(tables, 'Performance', name);

    expect(cells['multi-arch seconds']).toBe(record.buildSeconds.toFixed(1));
    // The ratio is recomputed from the same unrounded seconds the page used, so it holds at any machine speed.
    const single = singleArchSource(name, cells['single-arch seconds']);
    expect(cells['single-arch seconds'].split(' ')[0]).toBe(single.toFixed(1));
    expect(cells['multi/single']).toBe((record.buildSeconds / single).toFixed(2));
    expect(cells['size per arch']).toBe(record.platforms.map((p) => `${p.platform}: ${formatSize(p.size)}`).join('\n'));
    expect(cells['manifest list size']).toBe(`${record.index.size} B`);
    expect(Buffer.byteLength(remote.raw)).toBe(record.index.size);
    expect(cells['registry storage']).toBe(formatSize(await registryBytes(reference, remote, `${REGISTRY}/${NAMESPACE}/${name}`)));
  });

  it('--dry-run lists the page it would write and writes nothing', async () => {
    const dry = `dist/status-e2e-${RUN_ID}-dry.md`;
    const result = await runNx(['g', 'nx-multiarch:status', `--output=${dry}`, '--no-interactive', '--dry-run']);
    expect(result.exitCode).toBe(0);
    expect(stripAnsi(result.output)).toContain(`CREATE ${dry}`);
    expect(existsSync(join(workspaceRoot, dry))).toBe(false);
    expect(readPage()).toBe(page);
  });

  it('a second run, with --check, changes nothing in the page and fails exactly when a row says a service is not ready or failed its verify', async () => {
    const expectedProblems = tables['Services with Dockerfiles']
      .filter((r) => r.deprecated === 'no')
      .filter((r) => r['multi-arch ready'].startsWith('no') || row(tables, 'Verification', r.project)['verify result'].includes('failed'))
      .map((r) => r.project);
    const again = await status('--check');
    expect(readPage()).toBe(page);
    expect(again.output).toContain(`${OUTPUT} is up to date`);
    if (expectedProblems.length === 0) {
      expect([again.exitCode, again.output]).toEqual([0, expect.stringContaining('--check: every service')]);
    } else {
      expect(again.exitCode).not.toBe(0);
      for (const project of expectedProblems) expect(again.output).toContain(`- ${project}: `);
    }
  });
});
