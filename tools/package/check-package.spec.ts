import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkPackage, packageDir, packedFiles, requiredPackages } from './check-package';

beforeAll(() => {
  if (!existsSync(join(packageDir, 'dist', 'index.js')))
    throw new Error('packages/nx-multiarch/dist is missing: run npm run build first (npm test does)');
});

describe('the packed nx-multiarch package', () => {
  const files = packedFiles();
  /** Problems a changed file list adds to those of the real one, so each case tests only its own change. */
  const added = (list: string[]) => {
    const baseline = new Set(checkPackage(packageDir, files));
    return checkPackage(packageDir, list)
      .filter((problem) => !baseline.has(problem))
      .sort();
  };

  it('holds everything package.json, executors.json and generators.json name, and nothing of the tests', () => {
    expect(checkPackage(packageDir, files)).toEqual([]);
  });

  it('names each file it misses: an executor schema, a generator factory, a template', () => {
    const without = files.filter(
      (f) =>
        ![
          'src/executors/docker-push/schema.json',
          'dist/generators/ci/generator.js',
          'dist/generators/service/files/go/Dockerfile__tmpl__',
        ].includes(f),
    );
    expect(added(without)).toEqual([
      'dist/generators/ci/generator (generators ci factory) is not in the packed files',
      'dist/generators/service/files/go/Dockerfile__tmpl__ (service generator template) is not in the packed files',
      'src/executors/docker-push/schema.json (executors docker-push schema) is not in the packed files',
    ]);
  });

  it('refuses sources and specs in the tarball', () => {
    expect(added([...files, 'src/index.ts', 'e2e/core.spec.ts'])).toEqual([
      'e2e/core.spec.ts is packed but is a source, spec or test file',
      'src/index.ts is packed but is a source, spec or test file',
    ]);
  });

  it('ships the repository LICENSE', () => {
    expect(readFileSync(join(packageDir, 'LICENSE'), 'utf8')).toBe(readFileSync(join(packageDir, '..', '..', 'LICENSE'), 'utf8'));
  });
});

describe('requiredPackages', () => {
  it('reduces requires to package names and keeps builtins and relative paths apart', () => {
    const source = 'require("node:fs"); require("./x"); require("@nx/devkit/testing"); require("nx/src/devkit-exports"); require("path")';
    expect(requiredPackages(source)).toEqual(['node:fs', '@nx/devkit', 'nx', 'path']);
  });
});
