/**
 * docker-build (multi-arch) vs docker-build-single wall time, through nx, for the cross-compiled gateway-service and
 * an emulated service. Interleaved runs, engine layer cache off (--no-cache), Nx cache skipped; medians and their
 * ratio, all from this one run (machines are noisy: compare ratios, not seconds).
 * Run: node -r @swc-node/register tools/bench/multi-vs-single.ts [runs=3]
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { nxBin, nxEnv } from '../fixtures/workspace-kit';

const workspaceRoot = join(__dirname, '..', '..');
const runs = Number(process.argv[2] ?? 3);
const services = [
  { project: 'gateway-service', kind: 'cross-compiled', target: 1.3 },
  { project: 'context-api', kind: 'emulated RUN steps', target: undefined },
];

function seconds(args: string[]): number {
  const started = process.hrtime.bigint();
  execFileSync(nxBin, ['run', ...args, '--skip-nx-cache', '--extraArgs=--no-cache'], {
    cwd: workspaceRoot,
    env: { ...process.env, ...nxEnv() },
    stdio: 'ignore',
  });
  return Number(process.hrtime.bigint() - started) / 1e9;
}

const median = (values: number[]) => [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

console.log(
  `multi-arch vs single-platform build, median of ${runs} interleaved runs each (NX_ISOLATE_PLUGINS=${nxEnv().NX_ISOLATE_PLUGINS})`,
);
for (const { project, kind, target } of services) {
  const multi: number[] = [];
  const single: number[] = [];
  for (let i = 0; i < runs; i++) {
    multi.push(seconds([`${project}:docker-build`]));
    single.push(seconds([`${project}:docker-build-single`]));
  }
  const ratio = median(multi) / median(single);
  const verdict = target === undefined ? '' : ratio <= target ? ` (target <= ${target}: met)` : ` (target <= ${target}: NOT met)`;
  console.log(
    `${project.padEnd(18)} ${kind.padEnd(20)} multi ${median(multi).toFixed(1)}s  single ${median(single).toFixed(1)}s  ratio multi/single ${ratio.toFixed(2)}${verdict}`,
  );
}
