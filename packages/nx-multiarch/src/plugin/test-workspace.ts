import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { tempDir } from '../../../../tools/fixtures/workspace-kit';

/** A throwaway folder holding the given files, for tests of inference and dependencies. */
export function throwawayWorkspace(files: Record<string, string>): string {
  const root = tempDir('nx-multiarch-ws-');
  for (const [path, content] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true });
    writeFileSync(join(root, path), content);
  }
  return root;
}
