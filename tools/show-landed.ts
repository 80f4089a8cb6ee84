/**
 * Prints what landed in the registry for every push record under dist/push-records: read back from the registry
 * itself (skopeo inspect --raw), not from the records. Exits non-zero when the registry disagrees with a record.
 */
import { execFileSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { describeIndex } from '../packages/nx-multiarch/src/image/oci-layout';
import { isLoopbackRegistry, parseReference } from '../packages/nx-multiarch/src/image/reference';
import type { PushRecord } from '../packages/nx-multiarch/src/image/push-record';

const recordsDir = join(__dirname, '..', 'dist', 'push-records');
const files = (dir: string): string[] =>
  readdirSync(dir).flatMap((entry) => (statSync(join(dir, entry)).isDirectory() ? files(join(dir, entry)) : [join(dir, entry)]));

if (!existsSync(recordsDir)) {
  console.error('No push records under dist/push-records: run docker-push first.');
  process.exit(1);
}
let mismatches = 0;
for (const file of files(recordsDir)
  .filter((f) => f.endsWith('.json'))
  .sort()) {
  const record = JSON.parse(readFileSync(file, 'utf8')) as PushRecord;
  for (const reference of record.references) {
    const tls = isLoopbackRegistry(parseReference(reference).registry) ? ['--tls-verify=false'] : [];
    const raw = execFileSync('skopeo', ['inspect', '--raw', ...tls, `docker://${reference}`], { encoding: 'utf8' });
    const digest = `sha256:${createHash('sha256').update(raw).digest('hex')}`;
    const platforms = JSON.parse(raw).manifests ? describeIndex(JSON.parse(raw)) : [];
    const ok = digest === record.digest;
    if (!ok) mismatches++;
    console.log(`${record.project.padEnd(26)} ${reference}\n  ${digest}${ok ? '' : `  MISMATCH: pushed ${record.digest}`}`);
    for (const p of platforms) console.log(`    ${p.platform.padEnd(14)} ${p.digest}`);
  }
}
process.exit(mismatches === 0 ? 0 : 1);
