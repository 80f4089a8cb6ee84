import type { Config } from 'jest';

/** execa 9 and a few of its dependencies are ESM only: swc turns them into CommonJS for Jest's module loader. */
const esmOnly = [
  'execa',
  '@actions',
  'unicorn-magic',
  '@sindresorhus',
  'figures',
  'get-stream',
  'human-signals',
  'is-plain-obj',
  'is-stream',
  'npm-run-path',
  'path-key',
  'pretty-ms',
  'parse-ms',
  'strip-final-newline',
  'yoctocolors',
  'is-unicode-supported',
  '@sec-ant',
];

const shared: Config = {
  transform: { '^.+\\.(t|j|mj)s$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }] },
  transformIgnorePatterns: [`/node_modules/(?!(${esmOnly.join('|')})/)`],
  moduleNameMapper: {
    '^unicorn-magic$': '<rootDir>/node_modules/unicorn-magic/node.js',
    // ESM packages that export for `import` only: Jest's CommonJS resolver needs their files named.
    '^@actions/(workflow-parser|expressions)$': '<rootDir>/node_modules/@actions/$1/dist/index.js',
    '^@actions/(workflow-parser|expressions)/(.*)$': '<rootDir>/node_modules/@actions/$1/dist/$2.js',
  },
  setupFiles: ['<rootDir>/tools/test-env.ts'],
  // Every project's: a file's temporary folders (tempDir() of tools/fixtures/workspace-kit.ts) go when it is done.
  testEnvironment: '<rootDir>/packages/nx-multiarch/e2e/environment.ts',
};

/** e2e specs: Jest calls one slow past 120 s. */
const e2e: Config = { ...shared, slowTestThreshold: 120 };

const config: Config = {
  // One spec at a time on any machine: the specs that build in this workspace share its dist/ outputs.
  maxWorkers: 1,
  projects: [
    { ...shared, displayName: 'unit', testMatch: ['<rootDir>/packages/*/src/**/*.spec.ts', '<rootDir>/tools/**/*.spec.ts'] },
    // Specs that build in this workspace, and specs that build in throwaway workspaces of their own. All run one after
    // another: two at once on a 2-core machine was far slower (podman builds contend for the CPU and the store's locks).
    { ...e2e, displayName: 'e2e', testMatch: ['<rootDir>/packages/*/e2e/*.spec.ts'] },
    { ...e2e, displayName: 'e2e-throwaway', testMatch: ['<rootDir>/packages/*/e2e/throwaway/*.spec.ts'] },
  ],
};

export default config;
