import { addProjectConfiguration, logger, readJson, readNxJson, updateNxJson, workspaceRoot, type Tree } from '@nx/devkit';
import { createTreeWithEmptyWorkspace } from '@nx/devkit/testing';
import { DockerfileParser } from 'dockerfile-ast';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDockerfile } from '../../dockerfile/parse';
import { findPlatformLeaks } from '../../dockerfile/platform-leak';
import { serviceGenerator } from './generator';
import type { ServiceGeneratorSchema } from './schema';

const newTree = () => createTreeWithEmptyWorkspace({ formatter: 'none' });
const read = (tree: Tree, path: string) => tree.read(path, 'utf-8') ?? '';
const files = (tree: Tree, root: string) =>
  tree
    .listChanges()
    .map((c) => c.path)
    .filter((p) => p.startsWith(`${root}/`))
    .map((p) => p.slice(root.length + 1))
    .sort();
const runs = (dockerfile: string) =>
  DockerfileParser.parse(dockerfile)
    .getInstructions()
    .filter((i) => i.getKeyword() === 'RUN');

/** Generators log through Nx's logger: quiet in tests, and inspectable. */
beforeEach(() => {
  jest.spyOn(logger, 'info').mockImplementation(() => undefined);
  jest.spyOn(logger, 'warn').mockImplementation(() => undefined);
});
afterEach(() => jest.restoreAllMocks());

async function generate(tree: Tree, options: ServiceGeneratorSchema) {
  return serviceGenerator(tree, options);
}

describe('service generator: what it writes', () => {
  let tree: Tree;
  beforeEach(() => {
    tree = newTree();
  });

  it('defaults to a Go service, named after its folder, with a project.json that has no targets (inference gives them)', async () => {
    await generate(tree, { directory: 'services/pay-go' });
    expect(files(tree, 'services/pay-go')).toEqual([
      '.dockerignore',
      'Dockerfile',
      'README.md',
      'go.mod',
      'main.go',
      'main_test.go',
      'project.json',
    ]);
    expect(readJson(tree, 'services/pay-go/project.json')).toEqual({
      name: 'pay-go',
      $schema: '../../node_modules/nx/schemas/project-schema.json',
      projectType: 'application',
      sourceRoot: 'services/pay-go',
      tags: ['type:service', 'lang:go'],
    });
  });

  it('Go: cross-compiles in a builder stage on the build platform, records where the compiler ran, final stage on the target platform', async () => {
    await generate(tree, { directory: 'services/pay-go' });
    const dockerfile = read(tree, 'services/pay-go/Dockerfile');
    const parsed = parseDockerfile(dockerfile);
    expect(parsed.globalArgs).toEqual({ BUILDER_IMAGE: 'docker.io/library/golang:1.19', BASE_IMAGE: 'docker.io/library/busybox:1.36' });
    expect(parsed.stages.map(({ image, name, platform }) => ({ image, name, platform }))).toEqual([
      { image: '${BUILDER_IMAGE}', name: 'builder', platform: '$BUILDPLATFORM' },
      { image: '${BASE_IMAGE}', name: 'production', platform: '$TARGETPLATFORM' },
    ]);
    expect(dockerfile).toContain('ARG TARGETOS TARGETARCH\n');
    expect(dockerfile).toContain(
      'RUN --mount=type=cache,target=/root/.cache/go-build,sharing=locked \\\n    GOCACHE=/root/.cache/go-build CGO_ENABLED=0 GOOS=$TARGETOS GOARCH=$TARGETARCH go build -trimpath -o /out/app . \\\n && uname -m > /out/built-on\n',
    );
    expect(dockerfile).toContain('COPY --from=builder /out/app /usr/local/bin/pay-go\n');
    expect(dockerfile).toContain('COPY --from=builder /out/built-on /usr/local/share/pay-go/built-on\n');
    expect(dockerfile).toMatch(/\nUSER nobody\n/);
    expect(dockerfile).toMatch(/\nEXPOSE 8080\n/);
    expect(findPlatformLeaks(dockerfile)).toEqual([]);
    // Every context file the Dockerfile copies is generated (the test file is not copied, and .dockerignore drops it).
    expect(parsed.copySources).toEqual(['go.mod', 'main.go']);
    expect(read(tree, 'services/pay-go/.dockerignore')).toContain('*_test.go');
  });

  it('Go: a stdlib-only module with /healthz and a test for it', async () => {
    await generate(tree, { directory: 'services/pay-go', port: 9090 });
    expect(read(tree, 'services/pay-go/go.mod')).toBe('module pay-go\n\ngo 1.19\n');
    const main = read(tree, 'services/pay-go/main.go');
    expect(main).toContain('mux.HandleFunc("/healthz", healthz)');
    expect(main).toContain('port = "9090"');
    expect(main).toContain('const serviceName = "pay-go"');
    const imports = /import \(([^)]*)\)/.exec(main)![1].match(/"[^"]+"/g)!;
    expect(imports.every((path) => !path.includes('.'))).toBe(true); // standard library only
    expect(read(tree, 'services/pay-go/main_test.go')).toContain('func TestHealthz(t *testing.T)');
    expect(read(tree, 'services/pay-go/Dockerfile')).toMatch(/\nENV PORT=9090\nEXPOSE 9090\n/);
  });

  it('node: dependencies installed on the build platform with the native-module caveat, runtime on the target platform', async () => {
    await generate(tree, { directory: 'services/pay-node', language: 'node', port: 3000 });
    const root = 'services/pay-node';
    expect(files(tree, root)).toEqual([
      '.dockerignore',
      'Dockerfile',
      'README.md',
      'package-lock.json',
      'package.json',
      'project.json',
      'src/server.js',
      'src/server.test.js',
    ]);
    const dockerfile = read(tree, `${root}/Dockerfile`);
    const parsed = parseDockerfile(dockerfile);
    expect(parsed.globalArgs).toEqual({ NODE_IMAGE: 'docker.io/library/node:20-slim' });
    expect(parsed.stages.map(({ name, platform }) => [name, platform])).toEqual([
      ['deps', '$BUILDPLATFORM'],
      ['production', '$TARGETPLATFORM'],
    ]);
    expect(dockerfile).toMatch(/# Native-module caveat: .*node-gyp/);
    expect(dockerfile).toContain('npm ci --omit=dev --ignore-scripts');
    expect(dockerfile).toMatch(/\nEXPOSE 3000\n/);
    expect(findPlatformLeaks(dockerfile)).toEqual([]);
    expect(parsed.copySources.sort()).toEqual(['package-lock.json', 'package.json', 'package.json', 'src/']);
    expect(readJson(tree, `${root}/package.json`)).toMatchObject({ name: 'pay-node', private: true, scripts: { test: 'node --test' } });
    expect(readJson(tree, `${root}/package-lock.json`)).toMatchObject({ name: 'pay-node', lockfileVersion: 3 });
    expect(read(tree, `${root}/src/server.js`)).toContain("path === '/healthz'");
    expect(read(tree, `${root}/src/server.js`)).toContain('process.env.PORT || 3000');
    expect(read(tree, `${root}/.dockerignore`)).toContain('**/*.test.js');
    expect(readJson(tree, `${root}/project.json`).tags).toEqual(['type:service', 'lang:node']);
  });

  it('python: dependencies installed on the build platform with the native-module caveat, runtime on the target platform', async () => {
    await generate(tree, { directory: 'services/pay-py', language: 'python' });
    const root = 'services/pay-py';
    expect(files(tree, root)).toEqual([
      '.dockerignore',
      'Dockerfile',
      'README.md',
      'app.py',
      'project.json',
      'requirements.txt',
      'test_app.py',
    ]);
    const dockerfile = read(tree, `${root}/Dockerfile`);
    const parsed = parseDockerfile(dockerfile);
    expect(parsed.globalArgs).toEqual({ PYTHON_IMAGE: 'docker.io/library/python:3.11-slim' });
    expect(parsed.stages.map(({ name, platform }) => [name, platform])).toEqual([
      ['deps', '$BUILDPLATFORM'],
      ['production', '$TARGETPLATFORM'],
    ]);
    expect(dockerfile).toMatch(/# Native-module caveat: .*compiled extensions/);
    expect(dockerfile).toContain('pip install --no-cache-dir --disable-pip-version-check --no-compile --target /deps -r requirements.txt');
    expect(findPlatformLeaks(dockerfile)).toEqual([]);
    expect(parsed.copySources.sort()).toEqual(['app.py', 'requirements.txt']);
    expect(read(tree, `${root}/app.py`)).toContain('if path == "/healthz":');
    expect(read(tree, `${root}/test_app.py`)).toContain('def test_healthz_answers_ok');
    expect(readJson(tree, `${root}/project.json`).tags).toEqual(['type:service', 'lang:python']);
  });

  it('static: busybox httpd serving www/ with a /healthz file, and no RUN step (nothing emulated)', async () => {
    await generate(tree, { directory: 'services/static-site', language: 'static', port: 8081 });
    const root = 'services/static-site';
    expect(files(tree, root)).toEqual(['.dockerignore', 'Dockerfile', 'README.md', 'project.json', 'www/healthz', 'www/index.html']);
    const dockerfile = read(tree, `${root}/Dockerfile`);
    const parsed = parseDockerfile(dockerfile);
    expect(parsed.globalArgs).toEqual({ BASE_IMAGE: 'docker.io/library/busybox:1.36' });
    expect(parsed.stages.map(({ image, platform }) => [image, platform])).toEqual([['${BASE_IMAGE}', undefined]]);
    expect(runs(dockerfile)).toEqual([]);
    expect(dockerfile).toContain('CMD ["httpd", "-f", "-p", "8081", "-h", "/www"]');
    expect(read(tree, `${root}/www/healthz`)).toBe('ok\n');
    expect(read(tree, `${root}/www/index.html`)).toContain('<title>static-site</title>');
    expect(readJson(tree, `${root}/project.json`).tags).toEqual(['type:service', 'lang:static']);
  });

  it('--name names the project, the image and the binary; the folder stays the directory', async () => {
    await generate(tree, { directory: 'apps/backend', name: 'pay-api' });
    expect(readJson(tree, 'apps/backend/project.json')).toMatchObject({ name: 'pay-api', sourceRoot: 'apps/backend' });
    expect(read(tree, 'apps/backend/Dockerfile')).toContain('COPY --from=builder /out/app /usr/local/bin/pay-api\n');
    expect(read(tree, 'apps/backend/go.mod')).toBe('module pay-api\n\ngo 1.19\n');
  });

  it('--platforms writes a docker-build platforms override; without it project.json has no targets', async () => {
    await generate(tree, { directory: 'services/arm-only', platforms: 'linux/arm64, linux/arm/v7' });
    expect(readJson(tree, 'services/arm-only/project.json').targets).toEqual({
      'docker-build': { options: { platforms: ['linux/arm64', 'linux/arm/v7'] } },
    });
    await generate(tree, { directory: 'services/listed', platforms: ['linux/amd64', 'linux/s390x'] });
    expect(readJson(tree, 'services/listed/project.json').targets).toEqual({
      'docker-build': { options: { platforms: ['linux/amd64', 'linux/s390x'] } },
    });
    await generate(tree, { directory: 'services/plain' });
    expect(readJson(tree, 'services/plain/project.json')).not.toHaveProperty('targets');
  });

  it('--platforms uses the build target name nx.json configures', async () => {
    updateNxJson(tree, { ...readNxJson(tree)!, plugins: [{ plugin: 'nx-multiarch', options: { buildTargetName: 'image' } }] });
    await generate(tree, { directory: 'services/renamed', platforms: 'linux/arm64' });
    expect(readJson(tree, 'services/renamed/project.json').targets).toEqual({ image: { options: { platforms: ['linux/arm64'] } } });
  });

  it('--tags adds tags (comma list or list) after type:service and lang:<language>, without duplicates', async () => {
    await generate(tree, { directory: 'services/tagged', tags: 'scope:pay, team:core,type:service' });
    expect(readJson(tree, 'services/tagged/project.json').tags).toEqual(['type:service', 'lang:go', 'scope:pay', 'team:core']);
    await generate(tree, { directory: 'services/listed', language: 'static', tags: ['a', 'b'] });
    expect(readJson(tree, 'services/listed/project.json').tags).toEqual(['type:service', 'lang:static', 'a', 'b']);
  });

  it('accepts the port as a numeric string (as typed on a command line)', async () => {
    await generate(tree, { directory: 'services/p', port: '5000' });
    expect(read(tree, 'services/p/Dockerfile')).toMatch(/\nEXPOSE 5000\n/);
  });

  it('registers the plugin when nx.json lacks it, and leaves an existing registration alone', async () => {
    await generate(tree, { directory: 'services/first' });
    expect(readNxJson(tree)?.plugins).toEqual([expect.objectContaining({ plugin: 'nx-multiarch' })]);

    const other = newTree();
    const existing = { plugin: 'nx-multiarch', options: { registry: '127.0.0.1:5000', buildArgs: { BASE_IMAGE: 'x' } } };
    updateNxJson(other, { ...readNxJson(other)!, plugins: [existing] });
    await generate(other, { directory: 'services/second' });
    expect(readNxJson(other)?.plugins).toEqual([existing]);
  });

  it('prints the next three commands, with the configured target names', async () => {
    const info = jest.mocked(logger.info);
    const callback = await generate(tree, { directory: 'services/pay-go' });
    expect(info).not.toHaveBeenCalled(); // only once the files are written
    await callback();
    const printed = info.mock.calls.map(([line]) => String(line)).join('\n');
    expect(printed).toMatch(/nx run pay-go:docker-build +#/);
    expect(printed).toMatch(/nx run pay-go:docker-build-single +#/);
    expect(printed).toMatch(/nx run pay-go:docker-push +#/);

    info.mockClear();
    updateNxJson(tree, {
      ...readNxJson(tree)!,
      plugins: [
        { plugin: 'nx-multiarch', options: { buildTargetName: 'image', buildSingleTargetName: 'image-local', pushTargetName: 'publish' } },
      ],
    });
    await (
      await generate(tree, { directory: 'services/other' })
    )();
    const renamed = info.mock.calls.map(([line]) => String(line)).join('\n');
    expect(renamed).toMatch(/nx run other:image +#.*\n.*nx run other:image-local +#.*\n.*nx run other:publish +#/);
  });

  it('warns about ports below 1024 (the image runs as a non-root user)', async () => {
    await (
      await generate(tree, { directory: 'services/low', port: 80, language: 'static' })
    )();
    expect(logger.warn).toHaveBeenCalledWith(expect.stringContaining('Port 80 is below 1024'));
  });
});

describe('service generator: the directory is the project folder', () => {
  let tree: Tree;
  const initCwd = process.env.INIT_CWD;
  beforeEach(() => {
    tree = newTree();
    delete process.env.INIT_CWD; // the tests run at the workspace root
  });
  afterEach(() => {
    if (initCwd === undefined) delete process.env.INIT_CWD;
    else process.env.INIT_CWD = initCwd;
  });

  const projectAt = (root: string) => readJson(tree, `${root}/project.json`);

  it('writes into the directory, named after its last segment', async () => {
    await generate(tree, { directory: 'apps/my-api' });
    expect(projectAt('apps/my-api')).toMatchObject({
      name: 'my-api',
      sourceRoot: 'apps/my-api',
      $schema: '../../node_modules/nx/schemas/project-schema.json',
    });
    expect(files(tree, 'apps/my-api')).toContain('Dockerfile');
  });

  it("a bare name is a folder at the workspace root, as with Nx's own generators", async () => {
    await generate(tree, { directory: 'my-api', language: 'static' });
    expect(projectAt('my-api')).toMatchObject({
      name: 'my-api',
      sourceRoot: 'my-api',
      $schema: '../node_modules/nx/schemas/project-schema.json',
    });
  });

  it('reads the directory the way it is typed: ./ in front, / or \\ after, backslashes, repeated slashes', async () => {
    await generate(tree, { directory: './apps//one/' });
    await generate(tree, { directory: 'apps\\two\\' });
    expect(projectAt('apps/one').name).toBe('one');
    expect(projectAt('apps/two').name).toBe('two');
  });

  it('called with only a name (as code may call it), puts the service in a folder of that name', async () => {
    await generate(tree, { name: 'solo' });
    expect(projectAt('solo').name).toBe('solo');
  });

  it('run from a folder inside the workspace, the directory is relative to it unless it already starts with it', async () => {
    process.env.INIT_CWD = join(workspaceRoot, 'apps');
    await generate(tree, { directory: 'my-api' });
    expect(projectAt('apps/my-api').name).toBe('my-api');
    await generate(tree, { directory: 'apps/other-api' });
    expect(projectAt('apps/other-api').name).toBe('other-api');
    expect(tree.exists('apps/apps')).toBe(false);
  });

  it('ignores a starting folder outside the workspace', async () => {
    process.env.INIT_CWD = '/somewhere/else';
    await generate(tree, { directory: 'apps/my-api' });
    expect(projectAt('apps/my-api').name).toBe('my-api');
  });
});

describe('service generator: bad input', () => {
  let tree: Tree;
  beforeEach(() => {
    tree = newTree();
  });

  /** The error, and that nothing was written. */
  async function refused(options: ServiceGeneratorSchema): Promise<string> {
    const before = tree.listChanges().length;
    const error = await generate(tree, options).then(
      () => undefined,
      (e: Error) => e,
    );
    expect(error).toBeInstanceOf(Error);
    expect(tree.listChanges().length).toBe(before);
    return error!.message;
  }

  it.each([
    [
      'uppercase',
      'PayGo',
      /^Invalid service name "PayGo": it may contain only lowercase letters, digits and '-', not "P", "G" \(uppercase letters are not allowed\)\. .* Try "paygo"\.$/,
    ],
    ['a leading digit', '1pay', /Invalid service name "1pay": it must start with a letter, not "1"/],
    ['an underscore', 'pay_go', /Invalid service name "pay_go": it may contain only lowercase letters, digits and '-', not "_"/],
    ['64 characters', 'a'.repeat(64), /Invalid service name "a{64}": it is 64 characters long, more than 63/],
    ["a trailing '-'", 'pay-', /Invalid service name "pay-": it must not end with '-'/],
    ['a leading -', '-pay', /Invalid service name "-pay": it must start with a letter, not "-"/],
    ['a dot', 'pay.go', /not "\."/],
    ['nothing', '', /Invalid service name "": it is empty/],
  ])('refuses a --name with %s, naming the rule and the value', async (_, name, message) => {
    const error = await refused({ directory: 'services/svc', name });
    expect(error).toMatch(message);
    expect(error).toContain('DNS-1123 label');
  });

  it('refuses a folder whose last segment is no valid name, saying the name came from it and how to give another', async () => {
    const error = await refused({ directory: 'apps/Pay_API' });
    expect(error).toMatch(/^Invalid service name "Pay_API" \(the last segment of apps\/Pay_API; --name gives another\): /);
    expect(error).toContain('Try "pay-api".');
  });

  it('lists every rule a name breaks and suggests a valid one', async () => {
    const error = await refused({ directory: 'services/svc', name: '9Pay_Go-' });
    expect(error).toContain('it must start with a letter, not "9"');
    expect(error).toContain('not "P", "_", "G"');
    expect(error).toContain("it must not end with '-'");
    expect(error).toContain('Try "pay-go".');
  });

  it('accepts a 63-character name', async () => {
    await generate(tree, { directory: `services/a${'b'.repeat(61)}c` });
    expect(tree.exists(`services/a${'b'.repeat(61)}c/Dockerfile`)).toBe(true);
  });

  it('refuses the name of an existing project, wherever it is', async () => {
    addProjectConfiguration(tree, 'pay-go', { root: 'apps/pay-go' });
    expect(await refused({ directory: 'services/pay-go' })).toBe(
      'A project named "pay-go" already exists (in apps/pay-go): choose another name (--name) or folder.',
    );
  });

  it('refuses the name of a project the plugin infers from a bare Dockerfile folder', async () => {
    tree.write('legacy/gateway/Containerfile', 'FROM scratch\n');
    expect(await refused({ directory: 'services/gateway' })).toBe(
      'A project named "gateway" already exists (the nx-multiarch plugin infers it from legacy/gateway): choose another name (--name) or folder.',
    );
  });

  it('does not count a Dockerfile folder that .gitignore leaves out (the plugin infers no project there)', async () => {
    tree.write('.gitignore', 'vendor/\n');
    tree.write('vendor/gateway/Dockerfile', 'FROM scratch\n');
    await generate(tree, { directory: 'services/gateway' });
    expect(readJson(tree, 'services/gateway/project.json').name).toBe('gateway');
  });

  it('refuses an existing folder, even with a fresh name', async () => {
    tree.write('services/pay-go/notes.txt', 'mine\n');
    expect(await refused({ directory: 'services/pay-go', name: 'fresh' })).toBe(
      'The folder services/pay-go already exists: choose another folder.',
    );
  });

  it.each([0, 65536, -1, 80.5, 'abc', '80a', ''])('refuses port %j', async (port) => {
    expect(await refused({ directory: 'svc', port: port as number })).toBe(
      `Invalid port ${JSON.stringify(port)}: a port is a whole number from 1 to 65535.`,
    );
  });

  it.each(['ruby', 'Go', ''])('refuses language %j, listing the known ones', async (language) => {
    expect(await refused({ directory: 'svc', language })).toBe(
      `Unknown language ${JSON.stringify(language)}: use one of go, node, python, static.`,
    );
  });

  it.each([
    ['linux', 'Invalid platform "linux": expected 2 or 3 parts separated by "/"'],
    ['linux/AMD64', 'Invalid platform "linux/AMD64": "AMD64" is not a lowercase name'],
    ['linux/amd64,linux/amd64', 'Invalid platform "linux/amd64": it is listed twice'],
    ['linux/arm64/v8/x', 'Invalid platform "linux/arm64/v8/x": expected 2 or 3 parts'],
    [' , ', 'the list is empty'],
  ])('refuses platforms %j, naming the bad one', async (platforms, message) => {
    const error = await refused({ directory: 'svc', platforms });
    expect(error).toContain('--platforms: ');
    expect(error).toContain(message);
  });

  it('refuses a tag with spaces', async () => {
    expect(await refused({ directory: 'svc', tags: 'scope:pay,team core' })).toContain('Invalid tag "team core"');
  });

  it.each(['../outside', '/abs/path', 'services/../..', 'C:\\svc'])('refuses directory %j outside the workspace', async (directory) => {
    expect(await refused({ directory })).toBe(
      `Invalid directory ${JSON.stringify(directory)}: give the service's folder relative to the workspace root, inside it (e.g. nx g nx-multiarch:service apps/my-api).`,
    );
  });

  it.each(['.', './', ''])('refuses the workspace root (%j) as the folder', async (directory) => {
    expect(await refused({ directory })).toMatch(
      /^(Invalid directory ".*": that is the workspace root; a service needs a folder of its own|Give the service's folder as the first argument or --directory) \(e\.g\. nx g nx-multiarch:service apps\/my-api\)\.$/,
    );
  });

  it('refuses a call without a folder or a name', async () => {
    expect(await refused({})).toBe(
      "Give the service's folder as the first argument or --directory (e.g. nx g nx-multiarch:service apps/my-api).",
    );
  });
});

describe('service schema.json: Nx conventions', () => {
  const schema = JSON.parse(readFileSync(join(__dirname, 'schema.json'), 'utf8'));

  it('takes the directory as the first argument, requires it, and leaves the name optional', () => {
    expect(schema.properties.directory.$default).toEqual({ $source: 'argv', index: 0 });
    expect(schema.required).toEqual(['directory']);
    expect(schema.properties.name.$default).toBeUndefined();
  });

  it('offers the languages as an enum with a list prompt, default go, and --template as an alias', () => {
    const language = schema.properties.language;
    expect(language.enum).toEqual(['go', 'node', 'python', 'static']);
    expect(language.default).toBe('go');
    expect(language.aliases).toEqual(['template']);
    expect(language['x-prompt'].type).toBe('list');
    expect(language['x-prompt'].items.map((item: { value: string }) => item.value)).toEqual(language.enum);
  });
});
