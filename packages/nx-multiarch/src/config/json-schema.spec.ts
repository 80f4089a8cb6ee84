import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { executorJsonSchema, executorNames } from './json-schema';

describe('executor schema.json files', () => {
  it.each(executorNames)('%s/schema.json is generated from the zod schema (run npm run gen:schemas)', (name) => {
    const committed = JSON.parse(readFileSync(join(__dirname, '..', 'executors', name, 'schema.json'), 'utf8'));
    expect(committed).toEqual(executorJsonSchema(name));
    expect(committed.additionalProperties).toBe(false);
  });
});
