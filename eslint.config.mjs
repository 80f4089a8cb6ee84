// ESLint (flat config) for the plugin's sources and tools/: `npm run lint`, or `nx run nx-multiarch:lint`.
// typescript-eslint's recommended rules (not type-aware: they need no type checker, so a run takes seconds), no import
// cycles (import-x/no-cycle), the folder layers of ARCHITECTURE.md (import-x/no-restricted-paths, generated from
// tools/may-import.json, the table tools/import-graph.spec.ts also checks), and @nx/nx-plugin-checks on package.json,
// executors.json and generators.json. Formatting is Prettier's (npm run format:check), so eslint-config-prettier last.
import { defineConfig } from 'eslint/config';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import js from '@eslint/js';
import nx from '@nx/eslint-plugin';
import prettier from 'eslint-config-prettier';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';
import jsonParser from 'jsonc-eslint-parser';
import tseslint from 'typescript-eslint';

const root = dirname(fileURLToPath(import.meta.url));
const SRC = 'packages/nx-multiarch/src';
/** Test files may reach across folders (tools/import-graph.ts isTestFile: specs and the test-*.ts helpers). */
const TEST_FILES = ['**/*.spec.ts', '**/test-*.ts'];

/**
 * One zone per folder of src/ (and per top-level file, index.ts and devkit.ts, which count as folders of their own):
 * the folder may not import any other folder that tools/may-import.json does not list for it. A folder missing from
 * the table may import nothing, as in the spec.
 */
function layerZones() {
  const mayImport = JSON.parse(readFileSync(join(root, 'tools/may-import.json'), 'utf8'));
  const folders = readdirSync(join(root, SRC), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() || (entry.name.endsWith('.ts') && !entry.name.endsWith('.d.ts')))
    .map((entry) => ({ name: entry.name.replace(/\.ts$/, ''), path: `${SRC}/${entry.name}` }));
  return folders.map((folder) => {
    const allowed = mayImport[folder.name] ?? [];
    return {
      target: folder.path,
      from: folders.filter((other) => other.name !== folder.name && !allowed.includes(other.name)).map((other) => other.path),
      message: `${folder.name} may import ${allowed.length ? `only ${allowed.join(', ')}` : 'no other folder'} (tools/may-import.json, ARCHITECTURE.md).`,
    };
  });
}

/**
 * @nx/nx-plugin-checks reads the project graph Nx caches in .nx/workspace-data, and skips its checks with a mere
 * warning when there is none (a fresh clone, or after nx reset). Make sure there is one that knows the plugin project.
 */
async function ensureProjectGraph() {
  const { readCachedProjectGraph, createProjectGraphAsync } = await import('@nx/devkit');
  try {
    if (readCachedProjectGraph().nodes['nx-multiarch']) return;
  } catch {
    // no cached graph yet
  }
  await createProjectGraphAsync({ exitOnError: true });
}
if (existsSync(join(root, 'nx.json'))) await ensureProjectGraph();

export default defineConfig(
  {
    ignores: ['**/node_modules/', '**/dist/', '.nx/', 'tmp/', 'coverage/', `${SRC}/generators/service/files/`, `${SRC}/lint/corpus/`],
  },
  {
    files: ['**/*.ts', '**/*.mjs'],
    extends: [js.configs.recommended, ...tseslint.configs.recommended],
    languageOptions: { ecmaVersion: 2022, sourceType: 'module' },
    linterOptions: { reportUnusedDisableDirectives: 'error' },
    plugins: { 'import-x': importX },
    settings: {
      'import-x/extensions': ['.ts', '.js', '.mjs'],
      'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
      'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.json', '.node'] })],
    },
    rules: {
      // Type-only imports do not count here; tools/import-graph.spec.ts also fails on type-only circles.
      'import-x/no-cycle': ['error', { ignoreExternal: true }],
      // `const { $schema: _ignored, ...rest } = ...` names a property only to leave it out of the rest.
      '@typescript-eslint/no-unused-vars': ['error', { ignoreRestSiblings: true }],
      // Every control character in a regular expression here is the ESC of an ANSI colour code being stripped.
      'no-control-regex': 'off',
    },
  },
  {
    // Tests cast freely to reach into what they test (options half-built on purpose, fake registries' JSON).
    files: [...TEST_FILES, 'packages/nx-multiarch/e2e/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    files: [`${SRC}/**/*.ts`],
    ignores: TEST_FILES,
    rules: { 'import-x/no-restricted-paths': ['error', { basePath: root, zones: layerZones() }] },
  },
  {
    files: ['packages/nx-multiarch/{package,executors,generators}.json'],
    languageOptions: { parser: jsonParser },
    plugins: { '@nx': nx },
    rules: {
      // The plugin's Nx project is rooted at packages/ (why: .nxignore, CONTRIBUTING.md), so the paths start there.
      '@nx/nx-plugin-checks': [
        'error',
        {
          packageJson: 'nx-multiarch/package.json',
          executorsJson: 'nx-multiarch/executors.json',
          generatorsJson: 'nx-multiarch/generators.json',
          migrationsJson: 'nx-multiarch/migrations.json',
          tsConfig: 'nx-multiarch/tsconfig.lib.json',
        },
      ],
    },
  },
  prettier,
);
