/**
 * What `npm pack` of packages/nx-multiarch would publish, checked against what Nx and Node will ask of it: every
 * executor and generator implementation and schema that executors.json and generators.json name, the generator
 * templates, main/types/exports, README and LICENSE, and a dependency for every package dist requires.
 * Run: node -r @swc-node/register tools/package/check-package.ts (the unit tests run it too).
 */
import { execFileSync } from 'node:child_process';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, posix, relative } from 'node:path';
import { SYNC_LIMITS } from '../fixtures/workspace-kit';

export const packageDir = join(__dirname, '..', '..', 'packages', 'nx-multiarch');

interface PackageJson {
  main: string;
  types?: string;
  exports?: Record<string, string | Record<string, string>>;
  executors: string;
  generators: string;
  engines?: { node?: string };
  dependencies?: Record<string, string>;
  peerDependencies?: Record<string, string>;
}

/** The file list `npm pack` would put in the tarball (no tarball is written). */
export function packedFiles(dir = packageDir): string[] {
  const out = execFileSync('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], {
    cwd: dir,
    encoding: 'utf8',
    stdio: ['ignore', 'pipe', 'pipe'],
    ...SYNC_LIMITS,
  });
  return (JSON.parse(out) as Array<{ files: Array<{ path: string }> }>)[0].files.map((f) => f.path).sort();
}

const clean = (path: string) => posix.normalize(path).replace(/^\.\//, '');

/** Node resolves `./dist/x` as dist/x.js or dist/x/index.js. */
function resolvesIn(files: Set<string>, path: string): boolean {
  const base = clean(path);
  return [base, `${base}.js`, `${base}/index.js`].some((candidate) => files.has(candidate));
}

function filesUnder(dir: string, root = dir): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
    entry.isDirectory() ? filesUnder(join(dir, entry.name), root) : [relative(root, join(dir, entry.name)).split('\\').join('/')],
  );
}

/** Bare module names that a built file requires: `require("execa")`, `require("@nx/devkit/testing")` → @nx/devkit. */
export function requiredPackages(source: string): string[] {
  const names = [...source.matchAll(/require\("([^".][^"]*)"\)/g)].map((match) => match[1]);
  return names.map((name) => (name.startsWith('@') ? name.split('/').slice(0, 2).join('/') : name.split('/')[0]));
}

const isBuiltin = (name: string) => name.startsWith('node:') || builtinModules.includes(name);

export function checkPackage(dir = packageDir, files = packedFiles(dir)): string[] {
  const problems: string[] = [];
  const packed = new Set(files);
  const pkg = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson;
  const need = (path: string, why: string) => {
    if (!resolvesIn(packed, path)) problems.push(`${clean(path)} (${why}) is not in the packed files`);
  };

  need(pkg.main, 'package.json main');
  if (!pkg.types) problems.push('package.json has no "types"');
  else need(pkg.types, 'package.json types');
  for (const [key, target] of Object.entries(pkg.exports ?? {})) {
    for (const path of typeof target === 'string' ? [target] : Object.values(target)) need(path, `exports["${key}"]`);
  }
  if (!pkg.engines?.node) problems.push('package.json has no engines.node (dist requires execa 9, which is ESM: Node >= 20.19)');
  for (const file of ['README.md', 'LICENSE', 'package.json']) need(file, 'published with every package');

  for (const [manifest, kind, implementationKey] of [
    [pkg.executors, 'executors', 'implementation'],
    [pkg.generators, 'generators', 'factory'],
  ] as const) {
    need(manifest, `package.json ${kind}`);
    const entries = (JSON.parse(readFileSync(join(dir, manifest), 'utf8')) as Record<string, Record<string, Record<string, string>>>)[kind];
    for (const [name, entry] of Object.entries(entries)) {
      need(posix.join(posix.dirname(manifest), entry[implementationKey]), `${kind} ${name} ${implementationKey}`);
      need(posix.join(posix.dirname(manifest), entry.schema), `${kind} ${name} schema`);
    }
  }

  // generateFiles reads the templates next to the built generator.
  const templates = join(dir, 'src', 'generators', 'service', 'files');
  for (const template of existsSync(templates) ? filesUnder(templates) : [])
    need(`dist/generators/service/files/${template}`, 'service generator template');

  for (const file of files) {
    if (/\.spec\.|(^|\/)e2e\/|^src\/.*\.ts$/.test(file)) problems.push(`${file} is packed but is a source, spec or test file`);
  }

  const declared = new Set([...Object.keys(pkg.dependencies ?? {}), ...Object.keys(pkg.peerDependencies ?? {})]);
  for (const file of files.filter((f) => f.endsWith('.js'))) {
    for (const name of requiredPackages(readFileSync(join(dir, file), 'utf8'))) {
      if (!isBuiltin(name) && !declared.has(name))
        problems.push(`${file} requires "${name}", which is neither a dependency nor a peer dependency`);
    }
  }
  return [...new Set(problems)];
}

if (require.main === module) {
  const problems = checkPackage();
  if (problems.length > 0) {
    console.error(`packages/nx-multiarch would be published broken:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    process.exit(1);
  }
  console.log('packages/nx-multiarch: the packed files hold everything package.json, executors.json and generators.json name');
}
