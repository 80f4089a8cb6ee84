export default {
  testEnvironment: 'node',
  roots: ['<rootDir>/packages'],
  transform: { '^.+\\.(t|j|mj)s$': ['@swc/jest', { jsc: { target: 'es2022' }, module: { type: 'commonjs' } }] },
  transformIgnorePatterns: ['/node_modules/(?!(execa|unicorn-magic|@sindresorhus|figures|get-stream|human-signals|is-plain-obj|is-stream|npm-run-path|path-key|pretty-ms|parse-ms|strip-final-newline|yoctocolors|is-unicode-supported|@sec-ant)/)'],
  moduleNameMapper: { '^unicorn-magic$': '<rootDir>/node_modules/unicorn-magic/node.js' },
};
