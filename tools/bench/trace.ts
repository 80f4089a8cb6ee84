/**
 * Timestamps of one nx command without touching the plugin: wrappers first on PATH log every podman, skopeo and git
 * process (start, end, argv), a preload (NODE_OPTIONS) logs each node process's start and exit and how long requiring
 * the plugin took, and NX_PERF_LOGGING prints nx's own measures ("Time taken for 'x' Nms"). All clocks are wall time
 * in ms, so they line up; each wrapper adds a bash start (a few ms) to the process it wraps.
 */
import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tempDir } from '../fixtures/workspace-kit';

export interface TraceEvent {
  kind: 'tool' | 'node-start' | 'node-exit' | 'require';
  pid?: number;
  start: number;
  end?: number;
  argv: string;
}

const PRELOAD = `
const { appendFileSync } = require('node:fs');
const { performance } = require('node:perf_hooks');
const Module = require('node:module');
const log = (event) => appendFileSync(process.env.TRACE_LOG, JSON.stringify({ pid: process.pid, ...event }) + '\\n');
log({ kind: 'node-start', start: performance.timeOrigin, end: Date.now(), argv: process.argv.slice(1).join(' ') });
process.on('exit', () => log({ kind: 'node-exit', start: Date.now(), argv: '' }));
const load = Module._load;
let depth = 0;
Module._load = function (request, ...rest) {
  if (depth > 0 || !/nx-multiarch[\\\\/](dist|executors|package)/.test(request)) return load.call(this, request, ...rest);
  const start = Date.now();
  depth++;
  try { return load.call(this, request, ...rest); } finally { depth--; log({ kind: 'require', start, end: Date.now(), argv: request }); }
};
`;

const wrapper = (real: string) => `#!/bin/bash
start=$EPOCHREALTIME
${real} "$@"
code=$?
printf '{"kind":"tool","start":%s,"end":%s,"argv":"%s"}\\n' "\${start/./}" "\${EPOCHREALTIME/./}" "$(basename ${real}) \${*//\\"/}" >> "$TRACE_LOG"
exit $code
`;

/** The environment that traces a command into a fresh log; `read()` returns its events, times in ms; `remove()` deletes the log and wrappers. */
export function tracing(tools = ['podman', 'skopeo', 'git']): { env: NodeJS.ProcessEnv; read: () => TraceEvent[]; remove: () => void } {
  const dir = tempDir('bench-trace-'); // removed by remove(), or with the benchmark's other folders when it fails
  const bin = join(dir, 'bin');
  mkdirSync(bin);
  for (const tool of tools) {
    const real = execFileSync('which', [tool], { encoding: 'utf8' }).trim();
    writeFileSync(join(bin, tool), wrapper(real));
    chmodSync(join(bin, tool), 0o755);
  }
  writeFileSync(join(dir, 'preload.js'), PRELOAD);
  const log = join(dir, 'trace.jsonl');
  return {
    env: {
      PATH: `${bin}:${process.env.PATH}`,
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --require ${join(dir, 'preload.js')}`.trim(),
      NX_PERF_LOGGING: 'true',
      TRACE_LOG: log,
    },
    read: () =>
      existsSync(log)
        ? readFileSync(log, 'utf8')
            .split('\n')
            .filter(Boolean)
            .map((line) => JSON.parse(line) as TraceEvent)
            // the wrappers write microseconds
            .map((e) => (e.kind === 'tool' ? { ...e, start: e.start / 1000, end: e.end! / 1000 } : e))
        : [],
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** nx's own measures from NX_PERF_LOGGING output: name -> ms (summed when a name repeats). */
export function nxMeasures(output: string): Map<string, number> {
  const measures = new Map<string, number>();
  for (const [, name, ms] of output.matchAll(/Time taken for '(.+?)' ([\d.]+)ms/g))
    measures.set(name, (measures.get(name) ?? 0) + Number(ms));
  return measures;
}
