#!/usr/bin/env node
/**
 * `npm test`: two Jest runs at once, each one spec at a time. Lane "workspace": the unit tests and the end-to-end
 * specs that build in this workspace (they share its dist/ outputs). Lane "throwaway": the specs that build in
 * throwaway workspaces of their own. Much of an end-to-end spec is waiting (QEMU, registry round trips, signals,
 * retries), so the lanes overlap well even on 2 cores. Arguments go to both Jest runs (e.g. `npm test -- -t "IMG"`).
 * Every line is prefixed with its lane; the exit code is non-zero when either lane fails.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const jest = join(root, 'node_modules', '.bin', 'jest');
const lanes = [
  { name: 'workspace', projects: ['unit', 'e2e'] },
  { name: 'throwaway', projects: ['e2e-throwaway'] },
];

const started = Date.now();
const codes = await Promise.all(
  lanes.map(
    ({ name, projects }) =>
      new Promise((resolve) => {
        const child = spawn(jest, [...process.argv.slice(2), '--runInBand', '--passWithNoTests', '--selectProjects', ...projects], { cwd: root, stdio: ['ignore', 'pipe', 'pipe'] });
        for (const stream of [child.stdout, child.stderr]) {
          createInterface({ input: stream }).on('line', (line) => process.stdout.write(`[${name}] ${line}\n`));
        }
        child.on('close', (code, signal) => {
          process.stdout.write(`[${name}] finished: ${signal ?? `exit ${code}`} after ${Math.round((Date.now() - started) / 1000)} s\n`);
          resolve(code ?? 1);
        });
      }),
  ),
);
process.exit(codes.some((code) => code !== 0) ? 1 : 0);
