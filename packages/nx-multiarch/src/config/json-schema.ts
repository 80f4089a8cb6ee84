import { z } from 'zod';
import { executorSchemas } from './schemas';

const TITLES: Record<keyof typeof executorSchemas, string> = {
  'docker-build': 'nx-multiarch docker-build',
  'docker-build-single': 'nx-multiarch docker-build-single',
  'docker-push': 'nx-multiarch docker-push',
  'docker-manifest': 'nx-multiarch docker-manifest',
  'docker-lint': 'nx-multiarch docker-lint',
};

/** The schema.json Nx reads for an executor, generated from its zod schema (the source of truth). */
export function executorJsonSchema(name: keyof typeof executorSchemas): Record<string, unknown> {
  const { $schema: _ignored, ...generated } = z.toJSONSchema(executorSchemas[name], { io: 'input' }) as Record<string, unknown>;
  return { $schema: 'https://json-schema.org/schema', version: 2, title: TITLES[name], ...generated };
}

export const executorNames = Object.keys(executorSchemas) as Array<keyof typeof executorSchemas>;
