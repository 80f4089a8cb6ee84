import { existsSync } from 'node:fs';
import { join } from 'node:path';
import type * as Execa from 'execa';

/**
 * execa, from the one-file bundle the build writes beside the compiled code (tools/vendor-execa.mjs): as about 100 ES
 * modules it took 0.1 s of every task process's start. From src/ (the unit specs) there is no bundle, and execa itself
 * is loaded: the same code, unbundled.
 */
const BUNDLED = join(__dirname, '..', 'vendor', 'execa.js');
// eslint-disable-next-line @typescript-eslint/no-require-imports
export const { execa } = (existsSync(BUNDLED) ? require(BUNDLED) : require('execa')) as typeof Execa;
