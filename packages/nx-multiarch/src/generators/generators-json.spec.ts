/** generators.json points at real generators, each with a hand-written schema.json that describes every option. */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const pluginRoot = join(__dirname, '..', '..');
const generatorsJson = JSON.parse(readFileSync(join(pluginRoot, 'generators.json'), 'utf8')) as {
  generators: Record<string, { factory: string; schema: string; description: string }>;
};

describe('generators.json', () => {
  it('lists init (what nx add runs), service, ci and status, and package.json points at it', () => {
    expect(Object.keys(generatorsJson.generators).sort()).toEqual(['ci', 'init', 'service', 'status']);
    expect(JSON.parse(readFileSync(join(pluginRoot, 'package.json'), 'utf8')).generators).toBe('./generators.json');
  });

  it.each(Object.entries(generatorsJson.generators))(
    '%s: the factory exports the generator as default, the schema describes every option',
    (name, entry) => {
      // Nx runs dist/ (npm run build compiles src/ into it one to one); the source is what is checked here.
      expect(entry.factory).toBe(`./dist/generators/${name}/generator`);
      expect(entry.schema).toBe(`./src/generators/${name}/schema.json`);
      expect(entry.description.length).toBeGreaterThan(20);
      // eslint-disable-next-line @typescript-eslint/no-require-imports
      const module = require(join(pluginRoot, entry.factory.replace('./dist/', './src/')));
      expect(typeof module.default).toBe('function');
      const schemaPath = join(pluginRoot, entry.schema);
      expect(existsSync(schemaPath)).toBe(true);
      const schema = JSON.parse(readFileSync(schemaPath, 'utf8'));
      expect(schema.type).toBe('object');
      expect(schema.additionalProperties).toBe(false);
      for (const [option, spec] of Object.entries(schema.properties as Record<string, { description?: string }>)) {
        expect([option, typeof spec.description]).toEqual([option, 'string']);
      }
    },
  );
});
