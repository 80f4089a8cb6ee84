/**
 * Writes each executor's schema.json and docs/reference.md from the zod schemas (packages/nx-multiarch/src/config).
 * Run: npm run gen:schemas. Unit tests fail when either is stale (json-schema.spec.ts, reference.spec.ts).
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { executorJsonSchema, executorNames } from '../packages/nx-multiarch/src/config/json-schema';
import { currentReferenceInput, REFERENCE_PATH, renderReference } from '../packages/nx-multiarch/src/config/reference';

const root = join(__dirname, '..');

for (const name of executorNames) {
  const path = join(root, 'packages', 'nx-multiarch', 'src', 'executors', name, 'schema.json');
  writeFileSync(path, `${JSON.stringify(executorJsonSchema(name), null, 2)}\n`);
  console.log(`wrote ${path}`);
}

const reference = join(root, REFERENCE_PATH);
mkdirSync(dirname(reference), { recursive: true });
writeFileSync(reference, renderReference(currentReferenceInput()));
console.log(`wrote ${reference}`);
