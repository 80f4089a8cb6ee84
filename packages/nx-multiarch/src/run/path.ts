import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** The executable `tool` resolves to on PATH, as a shell would find it; undefined when there is none. */
export function pathOf(tool: string, path = process.env.PATH ?? ''): string | undefined {
  return path
    .split(delimiter)
    .map((dir) => join(dir, tool))
    .find((file) => {
      try {
        accessSync(file, constants.X_OK);
        return true;
      } catch {
        return false;
      }
    });
}

export function onPath(tool: string, path = process.env.PATH ?? ''): boolean {
  return pathOf(tool, path) !== undefined;
}
