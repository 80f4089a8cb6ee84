/**
 * Runs the fault, bad-input, interrupt and security end-to-end suites (real podman, skopeo and registry) and prints the
 * figures: faults tried and survived, bad inputs tried and handled cleanly, leaks found.
 * Run: node -r @swc-node/register tools/report-faults.ts   (after tools/setup.sh)
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

interface JestJson {
  testResults: Array<{
    name: string;
    assertionResults: Array<{ title: string; ancestorTitles: string[]; status: string; failureMessages: string[] }>;
  }>;
}

const SUITES = {
  faults: [
    'packages/nx-multiarch/e2e/faults.spec.ts',
    'packages/nx-multiarch/e2e/throwaway/interrupt.spec.ts',
    'packages/nx-multiarch/e2e/push-fallback.spec.ts',
    'packages/nx-multiarch/e2e/verify-faults.spec.ts',
  ],
  badInput: ['packages/nx-multiarch/e2e/bad-input.spec.ts'],
  leaks: ['packages/nx-multiarch/e2e/security.spec.ts', 'packages/nx-multiarch/e2e/faults.spec.ts'],
};

const root = join(__dirname, '..');
const outDir = mkdtempSync(join(tmpdir(), 'nx-multiarch-report-'));
const outFile = join(outDir, 'jest.json');
const specs = [...new Set(Object.values(SUITES).flat())];

execFile(
  'npx',
  ['jest', ...specs, '--json', `--outputFile=${outFile}`, '--selectProjects', 'e2e', 'e2e-throwaway'],
  { cwd: root, maxBuffer: 256 * 1024 * 1024 },
  (error) => {
    let report: JestJson;
    try {
      report = JSON.parse(readFileSync(outFile, 'utf8')) as JestJson;
    } catch {
      console.error(`jest wrote no report${error ? `: ${error.message}` : ''}`);
      process.exit(1);
    }
    const tests = report.testResults.flatMap((file) =>
      file.assertionResults.map((test) => ({
        file: file.name.slice(root.length + 1),
        title: [...test.ancestorTitles, test.title].join(' > '),
        ok: test.status === 'passed',
      })),
    );
    const inSuite = (suite: keyof typeof SUITES) => tests.filter((test) => SUITES[suite].includes(test.file));
    const faults = inSuite('faults');
    const bad = inSuite('badInput');
    const leakTests = inSuite('leaks').filter((test) => /secret|credential|leak|cmdline|401/i.test(test.title));
    const line = (label: string, list: typeof tests, verb: string) =>
      console.log(`${label.padEnd(34)} ${String(list.filter((t) => t.ok).length).padStart(3)} of ${String(list.length).padEnd(3)} ${verb}`);
    console.log('\nnx-multiarch: faults, bad input and leaks (measured now, real podman/skopeo/registry)\n');
    line('faults tried', faults, 'survived');
    line('bad inputs tried', bad, 'handled cleanly');
    console.log(
      `${'leaks found'.padEnd(34)} ${String(leakTests.filter((t) => !t.ok).length).padStart(3)} (in ${leakTests.length} leak checks)`,
    );
    const failed = tests.filter((test) => !test.ok);
    if (failed.length > 0) console.log(`\nNot handled:\n${failed.map((test) => `  - ${test.file}: ${test.title}`).join('\n')}`);
    rmSync(outDir, { recursive: true, force: true });
    process.exit(failed.length > 0 ? 1 : 0);
  },
);
