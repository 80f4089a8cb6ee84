/** Writes each executor's schema.json from its zod schema. Run: npm run gen:schemas */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { executorJsonSchema, executorNames } from '../packages/nx-multiarch/src/config/json-schema';

for (const name of executorNames) {
  const path = join(__dirname, '..', 'packages', 'nx-multiarch', 'src', 'executors', name, 'schema.json');
  writeFileSync(path, `${JSON.stringify(executorJsonSchema(name), null, 2)}\n`);
  console.log(`wrote ${path}`);
}
