import { logger, readNxJson, updateNxJson, type Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { parse } from 'yaml';
import { ciGenerator } from './generator';
import { WORKFLOW_PATH } from './workflow';

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, unknown>;
  env?: Record<string, string>;
}

function withPlugin(tree: Tree, options: Record<string, unknown>, extra: Record<string, unknown> = {}): void {
  updateNxJson(tree, { ...readNxJson(tree)!, ...extra, plugins: [{ plugin: 'nx-multiarch', options }] });
}

async function workflow(tree: Tree, options = {}) {
  await ciGenerator(tree, options);
  const text = tree.read(WORKFLOW_PATH, 'utf-8')!;
  const doc = parse(text);
  const steps: Step[] = doc.jobs['docker-push'].steps;
  const step = (predicate: (s: Step) => boolean | undefined) => {
    const found = steps.find((s) => predicate(s));
    if (!found) throw new Error(`no such step in:\n${text}`);
    return found;
  };
  const index = (s: Step) => steps.indexOf(s);
  return { text, doc, steps, step, index };
}

describe('ci generator', () => {
  let tree: Tree;
  let warn: jest.SpyInstance;
  beforeEach(() => {
    tree = createTreeWithEmptyWorkspace({ formatter: 'none' });
    warn = jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
    jest.spyOn(logger, 'info').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  it('writes a GitHub Actions workflow that parses as YAML and pushes the affected images', async () => {
    withPlugin(tree, { registry: 'ghcr.io/acme' });
    const { doc, steps, step, index } = await workflow(tree);
    expect(doc.name).toBe('docker-push');
    expect(doc.on.push.branches).toEqual(['main']);
    expect(doc.permissions).toEqual({ contents: 'read', actions: 'read' });
    expect(doc.jobs['docker-push']['runs-on']).toBe('ubuntu-latest');

    const checkout = step((s) => s.uses?.startsWith('actions/checkout@'));
    expect(checkout.with).toEqual({ 'fetch-depth': 0 });
    const shas = step((s) => s.uses?.startsWith('nrwl/nx-set-shas@'));
    expect(shas.with).toEqual({ 'main-branch-name': 'main' });
    const qemu = step((s) => s.uses?.startsWith('docker/setup-qemu-action@'));
    expect(qemu.with).toEqual({ platforms: 'arm64' });
    const cache = step((s) => s.uses?.startsWith('actions/cache@'));
    expect(cache.with).toMatchObject({ path: '.nx/cache' });
    const install = step((s) => s.run === 'npm ci');
    const login = step((s) => /podman login/.test(s.run ?? ''));
    expect(login.run).toBe('printf \'%s\' "$REGISTRY_PASSWORD" | podman login "$REGISTRY" --username "$REGISTRY_USERNAME" --password-stdin');
    expect(login.env).toEqual({
      REGISTRY: 'ghcr.io/acme',
      REGISTRY_USERNAME: '${{ secrets.REGISTRY_USERNAME }}',
      REGISTRY_PASSWORD: '${{ secrets.REGISTRY_PASSWORD }}',
    });
    const push = step((s) => /nx affected/.test(s.run ?? ''));
    expect(push.run).toBe('npx nx affected -t docker-push --base=$NX_BASE --head=$NX_HEAD');

    // In order: history and SHAs before affected; QEMU, cache, install and login before the push.
    expect(index(checkout)).toBe(0);
    expect(index(shas)).toBeGreaterThan(index(checkout));
    for (const before of [shas, qemu, cache, install, login]) expect(index(before)).toBeLessThan(index(push));
    expect(index(push)).toBe(steps.length - 1);
  });

  it('never puts a secret on a command line: secrets reach run steps only through env', async () => {
    withPlugin(tree, { registry: 'ghcr.io/acme' });
    const { steps, text } = await workflow(tree);
    for (const s of steps) {
      expect(s.run ?? '').not.toContain('${{');
      expect(s.run ?? '').not.toMatch(/secrets\./);
      expect(s.run ?? '').not.toMatch(/--password[ =]/);
    }
    expect(text).not.toMatch(/echo .*PASSWORD/);
    // Every secret reference is an env value.
    const secretLines = text.split('\n').filter((line) => line.includes('secrets.'));
    expect(secretLines.length).toBeGreaterThan(0);
    for (const line of secretLines) expect(line).toMatch(/^\s+[A-Z_]+: \$\{\{ secrets\.[A-Z_]+ \}\}$/);
  });

  it('uses the configured push target name, main branch, platforms and Node.js version', async () => {
    withPlugin(tree, { registry: 'quay.io', pushTargetName: 'publish', platforms: ['linux/amd64', 'linux/arm64', 'linux/s390x', 'linux/arm/v7'] }, { defaultBase: 'trunk' });
    const { doc, step } = await workflow(tree, { nodeVersion: '22' });
    expect(step((s) => /nx affected/.test(s.run ?? '')).run).toBe('npx nx affected -t publish --base=$NX_BASE --head=$NX_HEAD');
    expect(doc.on.push.branches).toEqual(['trunk']);
    expect(step((s) => s.uses?.startsWith('nrwl/nx-set-shas@')).with).toEqual({ 'main-branch-name': 'trunk' });
    expect(step((s) => s.uses?.startsWith('docker/setup-qemu-action@')).with).toEqual({ platforms: 'arm64,s390x,arm' });
    expect(step((s) => s.uses?.startsWith('actions/setup-node@')).with).toMatchObject({ 'node-version': '22' });
  });

  it('--main-branch overrides nx.json', async () => {
    withPlugin(tree, { registry: 'quay.io' }, { defaultBase: 'trunk' });
    const { doc } = await workflow(tree, { mainBranch: 'release' });
    expect(doc.on.push.branches).toEqual(['release']);
  });

  it('without a configured registry, logs in to the REGISTRY variable and passes it to docker-push', async () => {
    withPlugin(tree, {});
    const { step } = await workflow(tree);
    expect(step((s) => /podman login/.test(s.run ?? '')).env?.REGISTRY).toBe('${{ vars.REGISTRY }}');
    const push = step((s) => /nx affected/.test(s.run ?? ''));
    expect(push.run).toBe('npx nx affected -t docker-push --base=$NX_BASE --head=$NX_HEAD --registry="$REGISTRY"');
    expect(push.env?.REGISTRY).toBe('${{ vars.REGISTRY }}');
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('No registry'));
  });

  it('--registry different from nx.json logs in to it and passes it to docker-push', async () => {
    withPlugin(tree, { registry: 'quay.io' });
    const { step } = await workflow(tree, { registry: 'ghcr.io/acme' });
    expect(step((s) => /podman login/.test(s.run ?? '')).env?.REGISTRY).toBe('ghcr.io/acme');
    expect(step((s) => /nx affected/.test(s.run ?? '')).run).toContain('--registry="$REGISTRY"');
  });

  it('warns when the plugin is not registered', async () => {
    await workflow(tree, { registry: 'quay.io' });
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('nx g nx-multiarch:init'));
  });

  it('--split-by-arch: one job per configured arch on a native runner pushing -c <arch>, then a stitching job that needs them all', async () => {
    withPlugin(tree, { registry: 'quay.io', platforms: ['linux/amd64', 'linux/arm64', 'linux/arm/v7'] });
    await ciGenerator(tree, { splitByArch: true });
    const doc = parse(tree.read(WORKFLOW_PATH, 'utf-8')!);
    expect(Object.keys(doc.jobs)).toEqual(['push-amd64', 'push-arm64', 'push-armv7', 'stitch']);
    expect(doc.jobs['push-amd64']['runs-on']).toBe('ubuntu-24.04');
    expect(doc.jobs['push-arm64']['runs-on']).toBe('ubuntu-24.04-arm');
    expect(doc.jobs['push-armv7']['runs-on']).toEqual(['self-hosted', 'linux', 'armv7']);
    for (const arch of ['amd64', 'arm64', 'armv7']) {
      const steps: Step[] = doc.jobs[`push-${arch}`].steps;
      expect(steps.at(-1)!.run).toBe(`npx nx affected -t docker-push -c ${arch} --base=$NX_BASE --head=$NX_HEAD`);
      // native runners: nothing is emulated
      expect(steps.some((step) => step.uses?.startsWith('docker/setup-qemu-action@'))).toBe(false);
      expect(steps.some((step) => /podman login/.test(step.run ?? ''))).toBe(true);
    }
    expect(doc.jobs.stitch.needs).toEqual(['push-amd64', 'push-arm64', 'push-armv7']);
    expect((doc.jobs.stitch.steps as Step[]).at(-1)!.run).toBe('npx nx affected -t docker-manifest --base=$NX_BASE --head=$NX_HEAD');
  });

  it.each(['gitlab', 'GitHub', ''])('refuses provider %j, naming it', async (provider) => {
    await expect(ciGenerator(tree, { provider })).rejects.toThrow(`Unknown CI provider "${provider}": supported providers are github`);
    expect(tree.exists(WORKFLOW_PATH)).toBe(false);
  });

  it('prints where it wrote the workflow and which secrets to add, once written', async () => {
    withPlugin(tree, { registry: 'quay.io' });
    const callback = await ciGenerator(tree, {});
    expect(logger.info).not.toHaveBeenCalled();
    callback();
    expect(logger.info).toHaveBeenCalledWith(expect.stringContaining(`Wrote ${WORKFLOW_PATH}. Add the repository secrets REGISTRY_USERNAME and REGISTRY_PASSWORD`));
  });
});
