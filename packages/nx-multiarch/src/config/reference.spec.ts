import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { currentReferenceInput, ENVIRONMENT, escapeMarkdown, optionRows, REFERENCE_PATH, renderReference, splitDefault } from './reference';
import { DEFAULTS, executorSchemas, pluginSchema } from './schemas';

const workspaceRoot = join(__dirname, '..', '..', '..', '..');
const rendered = renderReference(currentReferenceInput());
const rowOf = (markdown: string, section: string, option: string) => {
  const body = markdown.split(/^## /m).find((part) => part.startsWith(`${section}\n`)) ?? '';
  return body.split('\n').find((line) => line.startsWith(`| \`${option}\` |`));
};

describe('docs/reference.md', () => {
  it('is what npm run gen:schemas writes now (run it after changing schemas.ts or reference.ts)', () => {
    const committed = readFileSync(join(workspaceRoot, REFERENCE_PATH), 'utf8');
    expect(committed).toBe(rendered);
  });

  it('has a section with a row for every option of the plugin and of every executor', () => {
    for (const [section, schema] of [['Plugin options (nx.json)', pluginSchema] as const, ...Object.entries(executorSchemas)]) {
      for (const option of Object.keys((schema as z.ZodObject).shape))
        expect([section, option, rowOf(rendered, section, option)]).toEqual([section, option, expect.any(String)]);
    }
  });

  it('renders types, defaults (from DEFAULTS or a "Default:" sentence) and descriptions', () => {
    expect(rowOf(rendered, 'docker-build', 'platforms')).toBe(
      '| `platforms` | `string` or `string[]` | `linux/amd64,linux/arm64` | Platforms of the manifest list: a list or a comma string, each os/arch[/variant]; an invalid or repeated one is an error naming it. Env PLATFORMS overrides the configured value |',
    );
    expect(rowOf(rendered, 'docker-build', 'engine')).toMatch(/^\| `engine` \| `auto`, `podman` or `docker` \| `auto` \|/);
    expect(rowOf(rendered, 'docker-build', 'buildArgs')).toMatch(/^\| `buildArgs` \| `\{ \[name\]: string \}` \| none \|/);
    expect(rowOf(rendered, 'docker-build', 'dryRun')).toMatch(
      /^\| `dryRun` \| `boolean` \| `false` \| Print the commands a real run would run and run none \(the engine's version is not asked either\); podman's Dockerfile copy is written to the temp path a real run builds it from, and the lines it adds are printed \|$/,
    );
    expect(rowOf(rendered, 'docker-push', 'tag')).toContain(
      "| env IMAGE_TAG, else the project's package.json version, else the short git SHA |",
    );
    expect(rowOf(rendered, 'docker-build-single', 'kind')).toMatch(/^\| `kind` \| `boolean` or `string` \| none \|/);
    expect(rowOf(rendered, 'docker-lint', 'outputPath')).toContain('| `dist/lint/<projectRoot>.json` |');
    expect(rowOf(rendered, 'Plugin options (nx.json)', 'pushTargetName')).toContain('| `docker-push` |');
    expect(rendered).toContain('| `hardcoded-arch` | error |');
  });

  it('gives every boolean option a default and keeps a stated default in step with DEFAULTS', () => {
    const schemas: z.ZodType[] = [pluginSchema, ...Object.values(executorSchemas)];
    for (const schema of schemas) {
      for (const row of optionRows(schema, DEFAULTS)) {
        if (row.type === '`boolean`') expect([row.name, row.default]).not.toEqual([row.name, 'none']);
        const known = (DEFAULTS as Record<string, unknown>)[row.name];
        if (known !== undefined && known !== '')
          expect([row.name, row.default]).toEqual([
            row.name,
            expect.stringContaining(Array.isArray(known) ? known.join(',') : String(known)),
          ]);
      }
    }
  });

  it('lists every environment variable the plugin reads', () => {
    const names = ENVIRONMENT.map((variable) => variable.name);
    expect(names).toEqual(
      expect.arrayContaining([
        'PLATFORMS',
        'MULTI_ARCH',
        'IMG',
        'IMAGE_TAG',
        'TARGETARCH',
        'KUBECONFIG',
        'KIND_EXPERIMENTAL_PROVIDER',
        'REGISTRY_AUTH_FILE',
      ]),
    );
    for (const name of names) expect(rendered).toContain(`| \`${name}\` |`);
  });
});

describe('reference helpers', () => {
  it('splits a last "Default:" sentence off a description', () => {
    expect(splitDefault('Verify TLS. Default: true, except for localhost')).toEqual({
      description: 'Verify TLS',
      default: 'true, except for localhost',
    });
    expect(splitDefault('Main tag; Default: the SHA')).toEqual({ description: 'Main tag', default: 'the SHA' });
    expect(splitDefault('No default here')).toEqual({ description: 'No default here' });
  });

  it('escapes pipes, HTML-like placeholders and stars outside code spans only', () => {
    expect(escapeMarkdown('a|b <tag> *x* `c|<d>`')).toBe('a\\|b \\<tag> \\*x\\* `c\\|<d>`');
    expect(escapeMarkdown('a|b <tag>', false)).toBe('a|b \\<tag>');
  });

  it('renders a schema it was given (pure)', () => {
    const markdown = renderReference({
      plugin: { schema: z.strictObject({ answer: z.number().describe('The answer. Default: 42').optional() }) },
      executors: [{ name: 'demo', summary: 'A demo.', schema: z.strictObject({ flag: z.boolean().describe('A flag').optional() }) }],
      defaults: { flag: true },
      environment: [{ name: 'DEMO', readBy: 'demo', effect: 'nothing' }],
      lintRules: {},
    });
    expect(markdown).toContain('| `answer` | `number` | `42` | The answer |');
    expect(markdown).toContain('## demo\n\nA demo.\n');
    expect(markdown).toContain('| `flag` | `boolean` | `true` | A flag |');
    expect(markdown).toContain('| `DEMO` | demo | nothing |');
  });
});
