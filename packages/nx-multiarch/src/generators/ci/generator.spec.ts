/**
 * The ci generator's workflow, read back with GitHub's own workflow parser (@actions/workflow-parser): it must parse
 * without errors against the Actions schema, and every assertion is on what the parser understood (jobs, steps,
 * permissions, expressions), not on the text.
 */
import {
  convertWorkflowTemplate,
  isBasicExpression,
  isBoolean,
  isMapping,
  isNumber,
  isSequence,
  isString,
  NoOperationTraceWriter,
  parseWorkflow,
  type WorkflowTemplate,
} from '@actions/workflow-parser';
import { logger, readNxJson, updateNxJson, type Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { ciGenerator } from './generator';
import { WORKFLOW_PATH } from './workflow';

type TemplateToken = Parameters<typeof isString>[0];
type Plain = string | number | boolean | null | Plain[] | { [key: string]: Plain };

interface Step {
  name?: string;
  uses?: string;
  run?: string;
  with?: Record<string, string>;
  env?: Record<string, string>;
}

/** A parsed token as plain data; an expression as `${{ expression }}`. */
function plain(token: TemplateToken): Plain {
  if (isString(token) || isNumber(token) || isBoolean(token)) return token.value;
  if (isBasicExpression(token)) return `\${{ ${token.expression} }}`;
  if (isSequence(token)) return [...token].map(plain);
  if (isMapping(token)) return Object.fromEntries([...token].map(({ key, value }) => [String(plain(key)), plain(value)]));
  return null;
}

interface Parsed {
  errors: string[];
  template: WorkflowTemplate;
  /** The validated document, as plain data. */
  doc: { permissions: Record<string, string>; on: Record<string, Plain>; jobs: Record<string, { steps: Step[] } & Record<string, Plain>> };
}

async function parseWorkflowText(content: string): Promise<Parsed> {
  const result = parseWorkflow({ name: WORKFLOW_PATH, content }, new NoOperationTraceWriter());
  const errors = result.context.errors.getErrors().map((error) => error.message);
  const template = await convertWorkflowTemplate(result.context, result.value!);
  return {
    errors: [...errors, ...(template.errors ?? []).map((error) => error.Message)],
    template,
    doc: plain(result.value!) as unknown as Parsed['doc'],
  };
}

/** Runs the generator and parses what it wrote; a workflow GitHub would reject fails here. */
async function generated(tree: Tree, options = {}) {
  await ciGenerator(tree, options);
  const parsed = await parseWorkflowText(tree.read(WORKFLOW_PATH, 'utf-8')!);
  expect(parsed.errors).toEqual([]);
  const { doc, template } = parsed;
  const stepsOf = (job: string) => doc.jobs[job].steps;
  const step = (job: string, predicate: (s: Step) => boolean | undefined) => {
    const found = stepsOf(job).find((s) => predicate(s));
    if (!found) throw new Error(`no such step in ${job}: ${JSON.stringify(stepsOf(job), null, 2)}`);
    return found;
  };
  const uses = (job: string, action: string) => step(job, (s) => s.uses?.startsWith(`${action}@`));
  const index = (job: string, s: Step) => stepsOf(job).indexOf(s);
  return { doc, template, stepsOf, step, uses, index };
}

function withPlugin(tree: Tree, options: Record<string, unknown>, extra: Record<string, unknown> = {}): void {
  updateNxJson(tree, { ...readNxJson(tree)!, ...extra, plugins: [{ plugin: 'nx-multiarch', options }] });
}

const LOGIN = 'printf \'%s\' "$REGISTRY_PASSWORD" | podman login "$REGISTRY" --username "$REGISTRY_USERNAME" --password-stdin';
const isLogin = (s: Step) => s.run === LOGIN;
const isAffected = (s: Step) => / affected -t /.test(s.run ?? '');

describe('ci generator', () => {
  let tree: Tree;
  let warn: jest.SpyInstance;
  beforeEach(() => {
    tree = createTreeWithEmptyWorkspace({ formatter: 'none' });
    tree.write('package-lock.json', '{}\n');
    warn = jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
    jest.spyOn(logger, 'info').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  it('the parser used here does report a workflow GitHub would reject', async () => {
    const broken =
      'on: push\npermissions: { packages: writ }\njobs:\n  a:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n        run: echo both\n';
    expect((await parseWorkflowText(broken)).errors.length).toBeGreaterThan(0);
  });

  it('writes a workflow that pushes the affected images after checkout, SHAs, QEMU, cache, install and login', async () => {
    withPlugin(tree, { registry: 'quay.io' });
    const { doc, template, stepsOf, step, uses, index } = await generated(tree);
    expect(template.jobs.map((job) => job.id.value)).toEqual(['docker-push']);
    expect(doc.on).toEqual({ push: { branches: ['main'] }, workflow_dispatch: {} });
    expect(doc.jobs['docker-push']['runs-on']).toBe('ubuntu-latest');

    const checkout = uses('docker-push', 'actions/checkout');
    expect(checkout.with).toEqual({ 'fetch-depth': '0' });
    const node = uses('docker-push', 'actions/setup-node');
    expect(node.with).toEqual({ 'node-version': '20', cache: 'npm' });
    const shas = uses('docker-push', 'nrwl/nx-set-shas');
    expect(shas.with).toEqual({ 'main-branch-name': 'main' });
    const qemu = uses('docker-push', 'docker/setup-qemu-action');
    expect(qemu.with).toEqual({ platforms: 'arm64' });
    const cache = uses('docker-push', 'actions/cache');
    expect(cache.with).toMatchObject({ path: '.nx/cache' });
    const install = step('docker-push', (s) => s.name === 'Install dependencies');
    expect(install.run).toBe('npm ci');
    const login = step('docker-push', isLogin);
    expect(login.env).toEqual({
      REGISTRY: 'quay.io',
      REGISTRY_USERNAME: '${{ secrets.REGISTRY_USERNAME }}',
      REGISTRY_PASSWORD: '${{ secrets.REGISTRY_PASSWORD }}',
    });
    const push = step('docker-push', isAffected);
    expect(push.run).toBe('npx nx affected -t docker-push --base=$NX_BASE --head=$NX_HEAD');

    expect(index('docker-push', checkout)).toBe(0);
    expect(index('docker-push', shas)).toBeGreaterThan(index('docker-push', node));
    for (const before of [shas, qemu, cache, install, login]) expect(index('docker-push', before)).toBeLessThan(index('docker-push', push));
    expect(index('docker-push', push)).toBe(stepsOf('docker-push').length - 1);
  });

  it('asks only for contents: read (and actions: read, for nx-set-shas) when the registry is not ghcr.io', async () => {
    withPlugin(tree, { registry: 'quay.io' });
    const { doc } = await generated(tree);
    expect(doc.permissions).toEqual({ contents: 'read', actions: 'read' });
  });

  it('ghcr.io: packages: write, and the login uses the actor and the workflow GITHUB_TOKEN (no secrets to add)', async () => {
    withPlugin(tree, { registry: 'ghcr.io', imageName: 'acme/{projectName}' });
    const { doc, step } = await generated(tree);
    expect(doc.permissions).toEqual({ contents: 'read', actions: 'read', packages: 'write' });
    expect(step('docker-push', isLogin).env).toEqual({
      REGISTRY: 'ghcr.io',
      REGISTRY_USERNAME: '${{ github.actor }}',
      REGISTRY_PASSWORD: '${{ secrets.GITHUB_TOKEN }}',
    });
    expect(step('docker-push', isAffected).run).toBe('npx nx affected -t docker-push --base=$NX_BASE --head=$NX_HEAD');
    expect(warn).not.toHaveBeenCalled();
  });

  it('ghcr.io from --registry over another configured registry: the same, and docker-push is told', async () => {
    withPlugin(tree, { registry: 'quay.io', imageName: 'acme/{projectName}' });
    const { doc, step } = await generated(tree, { registry: 'ghcr.io' });
    expect(doc.permissions).toMatchObject({ packages: 'write' });
    expect(step('docker-push', isLogin).env).toMatchObject({ REGISTRY: 'ghcr.io', REGISTRY_PASSWORD: '${{ secrets.GITHUB_TOKEN }}' });
    expect(step('docker-push', isAffected)).toMatchObject({
      run: 'npx nx affected -t docker-push --base=$NX_BASE --head=$NX_HEAD --registry="$REGISTRY"',
      env: { REGISTRY: 'ghcr.io' },
    });
  });

  it('ghcr.io without a namespace in imageName: warns that images live under a user or organisation', async () => {
    withPlugin(tree, { registry: 'ghcr.io' });
    await generated(tree);
    expect(warn).toHaveBeenCalledWith(
      expect.stringContaining('ghcr.io keeps images under a user or organisation: set "imageName": "<owner>/{projectName}"'),
    );
  });

  it('never puts a secret or any expression on a command line: secrets reach run steps only as env values', async () => {
    withPlugin(tree, { registry: 'quay.io' });
    const { template, doc } = await generated(tree, { splitByArch: true });
    const runs = template.jobs.flatMap((job) => ('steps' in job ? job.steps : [])).flatMap((s) => ('run' in s ? [s.run] : []));
    expect(runs.length).toBeGreaterThan(0);
    for (const run of runs) {
      expect(isString(run)).toBe(true); // a literal: no ${{ }} was parsed in it
      expect(String(plain(run))).not.toMatch(/--password[ =]/);
    }
    const secretUses: string[] = [];
    const visit = (value: Plain, path: string[]) => {
      if (typeof value === 'string' && value.includes('secrets.')) {
        secretUses.push(value);
        expect([path.at(-2), value]).toEqual(['env', expect.stringMatching(/^\$\{\{ secrets\.[A-Z_]+ \}\}$/)]);
      } else if (value && typeof value === 'object') {
        Object.entries(value).forEach(([key, inner]) => visit(inner, [...path, key]));
      }
    };
    visit(doc as unknown as Plain, []);
    expect(secretUses.length).toBeGreaterThan(0);
  });

  it('uses the configured push target name, main branch, platforms and Node.js version', async () => {
    withPlugin(
      tree,
      { registry: 'quay.io', pushTargetName: 'publish', platforms: ['linux/amd64', 'linux/arm64', 'linux/s390x', 'linux/arm/v7'] },
      { defaultBase: 'trunk' },
    );
    const { doc, step, uses } = await generated(tree, { nodeVersion: '22' });
    expect(step('docker-push', isAffected).run).toBe('npx nx affected -t publish --base=$NX_BASE --head=$NX_HEAD');
    expect(doc.on.push).toEqual({ branches: ['trunk'] });
    expect(uses('docker-push', 'nrwl/nx-set-shas').with).toEqual({ 'main-branch-name': 'trunk' });
    expect(uses('docker-push', 'docker/setup-qemu-action').with).toEqual({ platforms: 'arm64,s390x,arm' });
    expect(uses('docker-push', 'actions/setup-node').with).toMatchObject({ 'node-version': '22' });
  });

  it('--main-branch overrides nx.json', async () => {
    withPlugin(tree, { registry: 'quay.io' }, { defaultBase: 'trunk' });
    const { doc } = await generated(tree, { mainBranch: 'release' });
    expect(doc.on.push).toEqual({ branches: ['release'] });
  });

  it('without a configured registry, logs in to the REGISTRY variable and passes it to docker-push', async () => {
    withPlugin(tree, {});
    const { step, doc } = await generated(tree);
    expect(step('docker-push', isLogin).env?.REGISTRY).toBe('${{ vars.REGISTRY }}');
    const push = step('docker-push', isAffected);
    expect(push.run).toBe('npx nx affected -t docker-push --base=$NX_BASE --head=$NX_HEAD --registry="$REGISTRY"');
    expect(push.env?.REGISTRY).toBe('${{ vars.REGISTRY }}');
    expect(doc.permissions).toEqual({ contents: 'read', actions: 'read' });
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('No registry'));
  });

  it('--registry different from nx.json logs in to it and passes it to docker-push', async () => {
    withPlugin(tree, { registry: 'quay.io' });
    const { step } = await generated(tree, { registry: '127.0.0.1:5000' });
    expect(step('docker-push', isLogin).env?.REGISTRY).toBe('127.0.0.1:5000');
    expect(step('docker-push', isAffected).run).toContain('--registry="$REGISTRY"');
  });

  it.each([
    ['quay.io/acme', 'Use registry: quay.io, imageName: acme/{projectName}'],
    ['https://ghcr.io', 'Use registry: ghcr.io (--registry=ghcr.io).'],
  ])('refuses --registry=%s with the fix, writing nothing', async (registry, fix) => {
    withPlugin(tree, {});
    await expect(ciGenerator(tree, { registry })).rejects.toThrow(fix);
    expect(tree.exists(WORKFLOW_PATH)).toBe(false);
  });

  it('warns when the plugin is not registered', async () => {
    await generated(tree, { registry: 'quay.io' });
    expect(warn).toHaveBeenCalledWith(expect.stringContaining('nx g nx-multiarch:init'));
  });

  it('--split-by-arch: one job per configured arch on a native runner pushing -c <arch>, then a stitching job that needs them all', async () => {
    withPlugin(tree, { registry: 'quay.io', platforms: ['linux/amd64', 'linux/arm64', 'linux/arm/v7'] });
    const { template, doc, stepsOf } = await generated(tree, { splitByArch: true });
    expect(template.jobs.map((job) => job.id.value)).toEqual(['push-amd64', 'push-arm64', 'push-armv7', 'stitch']);
    expect(doc.jobs['push-amd64']['runs-on']).toBe('ubuntu-24.04');
    expect(doc.jobs['push-arm64']['runs-on']).toBe('ubuntu-24.04-arm');
    expect(doc.jobs['push-armv7']['runs-on']).toEqual(['self-hosted', 'linux', 'armv7']);
    for (const arch of ['amd64', 'arm64', 'armv7']) {
      const steps = stepsOf(`push-${arch}`);
      expect(steps.at(-1)!.run).toBe(`npx nx affected -t docker-push -c ${arch} --base=$NX_BASE --head=$NX_HEAD`);
      expect(steps.some((s) => s.uses?.startsWith('docker/setup-qemu-action@'))).toBe(false); // native runners: nothing emulated
      expect(steps.some(isLogin)).toBe(true);
    }
    const stitch = template.jobs.find((job) => job.id.value === 'stitch')!;
    expect(stitch.needs?.map((need) => need.value)).toEqual(['push-amd64', 'push-arm64', 'push-armv7']);
    expect(stepsOf('stitch').at(-1)!.run).toBe('npx nx affected -t docker-manifest --base=$NX_BASE --head=$NX_HEAD');
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
    expect(logger.info).toHaveBeenCalledWith(
      expect.stringContaining(
        `Wrote ${WORKFLOW_PATH} (npm: npm ci, npx nx). Add the repository secrets REGISTRY_USERNAME and REGISTRY_PASSWORD`,
      ),
    );
  });

  it('for ghcr.io, prints that no secret is needed', async () => {
    withPlugin(tree, { registry: 'ghcr.io', imageName: 'acme/{projectName}' });
    (await ciGenerator(tree, {}))();
    expect(logger.info).toHaveBeenCalledWith(
      expect.stringContaining("logs in to ghcr.io with the workflow's GITHUB_TOKEN (permissions: packages: write): no secret to add"),
    );
  });
});

describe('ci generator: the workspace package manager', () => {
  let tree: Tree;
  beforeEach(() => {
    tree = createTreeWithEmptyWorkspace({ formatter: 'none' });
    withPlugin(tree, { registry: 'quay.io' });
    jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
  });
  afterEach(() => jest.restoreAllMocks());

  const PNPM9_LOCK = "lockfileVersion: '9.0'\n\nimporters: {}\n";
  const YARN1_LOCK = '# THIS IS AN AUTOGENERATED FILE. DO NOT EDIT THIS FILE DIRECTLY.\n# yarn lockfile v1\n\n';
  const BERRY_LOCK =
    '# This file is generated by running "yarn install" inside your project.\n\n__metadata:\n  version: 8\n  cacheKey: 10c0\n';

  interface Expected {
    /** Steps between checkout and setup-node. */
    before: Step[];
    cache?: string;
    install: string;
    nx: string;
  }

  const NPM: Expected = { before: [], cache: 'npm', install: 'npm ci', nx: 'npx nx' };
  const PNPM = (version?: number): Expected => ({
    before: [
      { name: 'Set up pnpm', uses: 'pnpm/action-setup@v4', ...(version === undefined ? {} : { with: { version: String(version) } }) },
    ],
    cache: 'pnpm',
    install: 'pnpm install --frozen-lockfile',
    nx: 'pnpm exec nx',
  });
  const COREPACK = { name: 'Enable Corepack (the Yarn package.json declares)', run: 'corepack enable' };
  const YARN_CLASSIC: Expected = { before: [], cache: 'yarn', install: 'yarn install --frozen-lockfile', nx: 'yarn nx' };
  const YARN_BERRY: Expected = { before: [COREPACK], cache: 'yarn', install: 'yarn install --immutable', nx: 'yarn nx' };
  const BUN: Expected = {
    before: [{ name: 'Set up Bun', uses: 'oven-sh/setup-bun@v2' }],
    install: 'bun install --frozen-lockfile',
    nx: 'bunx nx',
  };

  it.each<[string, Record<string, string>, Expected]>([
    ['package-lock.json', { 'package-lock.json': '{}' }, NPM],
    ['no lock file and no packageManager', {}, NPM],
    ['pnpm-lock.yaml (lockfile 9.0)', { 'pnpm-lock.yaml': PNPM9_LOCK }, PNPM(10)],
    ['pnpm-lock.yaml (lockfile 6.0)', { 'pnpm-lock.yaml': "lockfileVersion: '6.0'\n" }, PNPM(8)],
    [
      'pnpm-lock.yaml and packageManager pnpm@9 (the action reads it)',
      { 'pnpm-lock.yaml': PNPM9_LOCK, 'package.json': '{ "packageManager": "pnpm@9.15.0" }' },
      PNPM(),
    ],
    ['yarn.lock of Yarn 1', { 'yarn.lock': YARN1_LOCK }, YARN_CLASSIC],
    ['yarn.lock of Yarn Berry', { 'yarn.lock': BERRY_LOCK }, YARN_BERRY],
    ['yarn.lock and packageManager yarn@4', { 'yarn.lock': YARN1_LOCK, 'package.json': '{ "packageManager": "yarn@4.5.0" }' }, YARN_BERRY],
    [
      'yarn.lock and packageManager yarn@1',
      { 'yarn.lock': YARN1_LOCK, 'package.json': '{ "packageManager": "yarn@1.22.22" }' },
      { ...YARN_CLASSIC, before: [COREPACK] },
    ],
    ['bun.lock', { 'bun.lock': '{}' }, BUN],
    ['bun.lockb', { 'bun.lockb': 'binary' }, BUN],
    ['no lock file, packageManager yarn@4', { 'package.json': '{ "packageManager": "yarn@4.5.0" }' }, YARN_BERRY],
    ['bun.lock and yarn.lock (bun first, as Nx decides)', { 'bun.lock': '{}', 'yarn.lock': YARN1_LOCK }, BUN],
  ])('%s', async (_, files, expected) => {
    for (const [path, content] of Object.entries(files)) tree.write(path, content);
    const { stepsOf, uses, index } = await generated(tree);
    const steps = stepsOf('docker-push');
    const node = uses('docker-push', 'actions/setup-node');
    expect(steps.slice(1, index('docker-push', node))).toEqual(expected.before);
    expect(node.with?.cache).toBe(expected.cache);
    expect(steps.find((s) => s.name === 'Install dependencies')?.run).toBe(expected.install);
    expect(steps.find(isAffected)?.run).toBe(`${expected.nx} affected -t docker-push --base=$NX_BASE --head=$NX_HEAD`);
  });

  it("nx.json's cli.packageManager wins over the lock file, as in Nx", async () => {
    tree.write('package-lock.json', '{}');
    updateNxJson(tree, { ...readNxJson(tree)!, cli: { packageManager: 'pnpm' } });
    const { step } = await generated(tree);
    expect(step('docker-push', isAffected).run).toMatch(/^pnpm exec nx affected /);
  });

  it('--split-by-arch: every job installs and runs nx with it', async () => {
    tree.write('pnpm-lock.yaml', PNPM9_LOCK);
    const { template, stepsOf } = await generated(tree, { splitByArch: true });
    for (const job of template.jobs.map((j) => j.id.value)) {
      expect(stepsOf(job).find((s) => s.name === 'Install dependencies')?.run).toBe('pnpm install --frozen-lockfile');
      expect(stepsOf(job).at(-1)!.run).toMatch(/^pnpm exec nx affected -t /);
      expect(stepsOf(job).some((s) => s.uses === 'pnpm/action-setup@v4')).toBe(true);
    }
  });
});
