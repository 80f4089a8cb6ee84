/**
 * The plugin's build step that bundles execa 9 and its dependencies into one CommonJS file, dist/vendor/execa.js (run
 * in packages/nx-multiarch). As about 100 ES modules loaded through require, execa took 0.1 s of every task process's
 * start; the one file loads in about a fifth of that (docs/speed.md). src/run/execa.ts picks it up.
 */
import process from 'node:process';
import { build } from 'esbuild';

await build({
  stdin: { contents: "module.exports = require('execa');", resolveDir: process.cwd(), sourcefile: 'vendor-execa.js' },
  bundle: true,
  platform: 'node',
  format: 'cjs',
  target: 'node20',
  outfile: 'dist/vendor/execa.js',
  legalComments: 'eof',
  logLevel: 'warning',
});
